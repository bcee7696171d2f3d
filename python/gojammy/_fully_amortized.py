"""``gojammy.fully_amortized_pdf``: jammy_flows' fully_amortized_pdf over a libgojammy model."""

import ctypes
import json
import types

from . import _api
from ._checks import boolean, integer, is_int, require_default
from ._lib import check, lib, read_string
from ._options import options_to_json
from ._pdf import _per_sub_manifold, pdf


def is_fully_amortized(handle):
    """Whether the model of a library handle is a fully amortized PDF."""
    status, text = read_string(lib().gj_pdf_describe, handle, size=4096)
    check(status)
    return bool(json.loads(text).get("fully_amortized_pdf"))


class fully_amortized_pdf(pdf):
    """A fully amortized PDF, with the constructor and methods of
    ``jammy_flows.fully_amortized_pdf``: an inner PDF built with amortize_everything=True (its
    MLPs custom, ``inner_mlp_*``), every parameter of which an outer amortization MLP predicts
    from the conditional input. ``count_parameters()`` is the outer MLP's size,
    ``pdf_to_amortize.total_number_amortizable_params`` the number of its outputs. Calls need a
    conditional input (one sample per row); fit, save, pickling and the other ``gojammy.pdf``
    methods work as for any conditional PDF."""

    def __init__(
        self,
        pdf_defs,
        flow_defs,
        options_overwrite={},  # noqa: B006 - upstream's signature; never mutated
        conditional_input_dim=None,
        inner_mlp_dims_sub_pdfs="128",
        inner_mlp_ranks=0,
        inner_mlp_highway_mode=1,
        amortization_mlp_dims="128",
        amortization_mlp_use_custom_mode=True,
        amortization_mlp_ranks=5,
        amortization_mlp_highway_mode=0,
        predict_log_normalization=False,
        skip_mlp_initialization=False,
    ):
        require_default("predict_log_normalization", predict_log_normalization, False)
        require_default("skip_mlp_initialization", skip_mlp_initialization, False)
        if not is_int(conditional_input_dim) or conditional_input_dim < 1:
            raise ValueError(f"conditional_input_dim: fully_amortized_pdf needs one int >= 1, got {conditional_input_dim!r}")
        if not isinstance(pdf_defs, str) or not pdf_defs:
            raise ValueError(f"pdf_defs: expected a non-empty string such as 'e2+s2', got {pdf_defs!r}")
        if not isinstance(flow_defs, str) or not flow_defs:
            raise ValueError(f"flow_defs: expected a non-empty string such as 'gg+f', got {flow_defs!r}")
        settings = {
            "conditional_input_dim": int(conditional_input_dim),
            "inner_mlp_dims_sub_pdfs": _per_sub_manifold(inner_mlp_dims_sub_pdfs, "inner_mlp_dims_sub_pdfs", (str,)),
            "inner_mlp_ranks": _per_sub_manifold(inner_mlp_ranks, "inner_mlp_ranks", (str, int)),
            "inner_mlp_highway_mode": integer(inner_mlp_highway_mode, "inner_mlp_highway_mode"),
            "amortization_mlp_dims": _per_sub_manifold(amortization_mlp_dims, "amortization_mlp_dims", (str,)),
            "amortization_mlp_use_custom_mode": boolean(amortization_mlp_use_custom_mode, "amortization_mlp_use_custom_mode"),
            "amortization_mlp_ranks": _per_sub_manifold(amortization_mlp_ranks, "amortization_mlp_ranks", (str, int)),
            "amortization_mlp_highway_mode": integer(amortization_mlp_highway_mode, "amortization_mlp_highway_mode"),
        }
        handle = ctypes.c_uint64(0)
        opts = _api.CreateOptions(
            pdf_defs=pdf_defs.encode(),
            flow_defs=flow_defs.encode(),
            options_json=options_to_json(options_overwrite).encode(),
            amortization_json=json.dumps({"fully_amortized_pdf": settings}).encode(),
        )
        check(lib().gj_pdf_create(ctypes.byref(opts), ctypes.byref(handle)))
        self._adopt(handle.value)

    def _adopt(self, handle):
        super()._adopt(handle)
        f = self._description["fully_amortized_pdf"]
        self.conditional_input_dim = f["conditional_input_dim"]
        self.inner_mlp_dims_sub_pdfs = f["inner_mlp_dims_sub_pdfs"]
        self.inner_mlp_ranks = f["inner_mlp_ranks"]
        self.inner_mlp_highway_mode = f["inner_mlp_highway_mode"]
        self.amortization_mlp_dims = f["amortization_mlp_dims"]
        self.amortization_mlp_use_custom_mode = f["amortization_mlp_use_custom_mode"]
        self.amortization_mlp_ranks = f["amortization_mlp_ranks"]
        self.amortization_mlp_highway_mode = f["amortization_mlp_highway_mode"]
        self.use_amortizable_mlp = self.amortization_mlp_use_custom_mode
        self.total_param_num = self._n_params
        self.pdf_to_amortize = types.SimpleNamespace(
            total_number_amortizable_params=self._n_amort,
            pdf_defs_list=self.pdf_defs_list,
            flow_defs_list=self.flow_defs_list,
        )

    def __repr__(self):
        if self.closed:
            return f"gojammy.fully_amortized_pdf({self.pdf_defs!r}, {self.flow_defs!r}; closed)"
        return (
            f"gojammy.fully_amortized_pdf({self.pdf_defs!r}, {self.flow_defs!r}, conditional_input_dim="
            f"{self.conditional_input_dim}; {self._n_params} parameters predicting {self._n_amort})"
        )

    def forward(self, x, conditional_input=None, force_embedding_coordinates=False, force_intrinsic_coordinates=False):
        """Log-density of the rows of x given their conditional inputs (required): returns
        (log_pdf (n,), base_log_pdf (n,), base_positions (n, total_base_dim))."""
        return super().forward(
            x,
            conditional_input=conditional_input,
            force_embedding_coordinates=force_embedding_coordinates,
            force_intrinsic_coordinates=force_intrinsic_coordinates,
        )

    __call__ = forward

    def sample(
        self,
        conditional_input=None,
        samplesize=1,
        seed=None,
        allow_gradients=False,
        force_embedding_coordinates=False,
        force_intrinsic_coordinates=False,
    ):
        """One sample per row of conditional_input (required; samplesize is ignored, as upstream):
        returns (samples, base_samples, log_pdf, base_log_pdf)."""
        return super().sample(
            conditional_input=conditional_input,
            samplesize=samplesize,
            seed=seed,
            allow_gradients=allow_gradients,
            force_embedding_coordinates=force_embedding_coordinates,
            force_intrinsic_coordinates=force_intrinsic_coordinates,
        )

    def init_params(self, data=None, damping_factor=1000.0, mvn_min_max_sv_ratio=1e-4, seed=None):
        """Re-initialize as upstream: the inner PDF's desired parameters become the outer MLP's
        final bias, every other weight damped by damping_factor."""
        super().init_params(data=data, damping_factor=damping_factor, mvn_min_max_sv_ratio=mvn_min_max_sv_ratio, seed=seed)


pdf._handle_classes.append((is_fully_amortized, fully_amortized_pdf))
