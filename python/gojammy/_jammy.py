"""Import from and export to jammy_flows: live ``jammy_flows.pdf`` objects and saved state dicts.

gojammy's flat parameter vector follows jammy_flows' initialization order: first, for each
sub-manifold without a conditioning MLP, every layer's block as the layer's ``init_params``
reads it; then, for each sub-manifold with an MLP, that MLP's parameters (per ``Linear``: the
weight, ``out x in`` row-major, then the bias; a custom MLP: its flat ``u_v_b_pars`` row).

A jammy_flows state dict stores the same numbers under tensor names. For all layers but one the
init block is a plain concatenation of the layer's tensors, in an order fixed per layer letter
(``_LAYER_TENSORS``; for ``n`` it differs from the registration order of the tensors). The
exception is the sphere layer ``n`` (jammy_flows 02ed589): its ``init_params`` uses only the
last entries of its inner-MLP block (as the final bias) and draws the MLP weights anew, so its
stored tensors are not the init vector. gojammy's block for ``n`` is the stored state itself
(householder, the whole ``u_v_b_pars`` row, Moebius parameters), so the import reads the
tensors and the export writes them, never going through ``init_params``.

torch and jammy_flows are imported only inside the functions that need them; ``from_state_dict``
with numpy arrays needs neither.
"""

import os
import re

import numpy as np

from ._errors import GojammyValueError
from ._pdf import pdf as _gojammy_pdf

# Per layer letter: the layer's tensors in the order its block appears in the flat vector. A
# tensor a given option set does not create is absent from the state dict and skipped.
_LAYER_TENSORS = {
    "g": ("offsets", "vs", "angle_pars", "cayley_pars", "triangle_trafo_pars", "kde_means",
          "kde_log_widths", "kde_log_weights", "kde_log_skew_exponents", "log_widths", "log_heights",
          "log_derivatives", "boundary_points"),
    "t": ("offsets", "single_diagonal_log", "full_diagonal_log", "lower_triangular_entries"),
    "x": ("offsets",),
    "r": ("rel_log_widths", "rel_log_heights", "rel_log_derivatives"),
    "z": (),
    "m": ("householder_params", "moebius_pars"),
    "o": ("householder_params", "rel_log_widths", "rel_log_heights", "rel_log_derivatives"),
    "f": ("householder_params", "loglike_kappa", "vertical_flow_params", "circular_flow_params",
          "correlated_flow_params"),
    "v": ("householder_params", "potential_pars"),
    "y": ("householder_params",),
    "n": ("householder_params", "amortized_mlp.u_v_b_pars", "moebius_trafo.moebius_pars"),
    "h": ("offsets", "vs", "datapoints", "log_hs", "log_kde_weights", "skew_exponents"),
    "w": ("inner_flow_params",),
    "u": ("log_tau", "log_probs"),
    "c": ("cnf_network.u_v_b_pars",),
}

# Second names under which a layer's modules register one of its tensors again (c's vector field
# wraps its MLP): skipped by the import, filled from the tensor they alias by the export.
_LAYER_ALIASES = {"c": {"func.func.func.u_v_b_pars": "cnf_network.u_v_b_pars"}}

# jammy_flows.pdf constructor settings passed on to gojammy.pdf as they are (gojammy.pdf raises an
# error naming a setting it does not take; the Poisson head's own tensors, log_normalization and
# log_normalization_mlp, are not imported: an error names them).
_UPSTREAM_SETTINGS = ("predict_log_normalization", "join_poisson_and_pdf_description",
                      "hidden_mlp_dims_poisson", "rank_of_mlp_mappings_poisson", "amortize_everything",
                      "use_as_passthrough_instead_of_pdf")

_MLP_TENSOR = re.compile(r"^mlp_predictors\.(\d+)\.(.+)$")
_LAYER_TENSOR = re.compile(r"^layer_list\.(\d+)\.(\d+)\.(.+)$")


def _as_array(value, key):
    """A state-dict entry (torch tensor or array-like) as a float64 numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().double().numpy()
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise GojammyValueError(f"state dict entry {key!r} holds non-finite values")
    return arr


def _read_state_dict(state_dict_or_path):
    """A dict name -> float64 array from a dict, an .npz file or a ``torch.save`` file."""
    source = state_dict_or_path
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"state_dict_or_path: no such file {path!r}")
        if path.endswith(".npz"):
            with np.load(path, allow_pickle=False) as npz:
                source = {k: npz[k] for k in npz.files}
        else:
            try:
                import torch
            except ImportError:
                raise ImportError(f"state_dict_or_path: reading {path!r} with torch.load needs torch; "
                                  "save the state dict as numpy arrays (.npz) to import it without torch") from None
            source = torch.load(path, map_location="cpu")
    if hasattr(source, "state_dict") and callable(source.state_dict):
        source = source.state_dict()
    if not hasattr(source, "items"):
        raise ValueError("state_dict_or_path: expected a path, a state dict (mapping of names to tensors or "
                         f"arrays) or a module, got {type(source).__name__}")
    return {str(k): _as_array(v, k) for k, v in source.items()}


def _mlp_order(name):
    """Sort key of an MLP tensor name: module indices numerically, weight before bias."""
    parts = name.split(".")
    return [(0, int(p), "") if p.isdigit() else (1, 0, {"weight": "0", "bias": "1"}.get(p, p)) for p in parts]


def _flat_order(keys, flow_defs_list):
    """The state-dict names in flat-vector order, and an error for any name that belongs to no
    parameter block of the model described by ``flow_defs_list``."""
    mlp = {}
    layers = {}
    for key in keys:
        m = _MLP_TENSOR.match(key)
        if m:
            mlp.setdefault(int(m.group(1)), []).append(m.group(2))
            continue
        m = _LAYER_TENSOR.match(key)
        if m:
            layers.setdefault((int(m.group(1)), int(m.group(2))), []).append(m.group(3))
            continue
        raise GojammyValueError(f"state dict entry {key!r}: not a layer or conditioning-MLP tensor of a "
                                "jammy_flows pdf (Poisson normalization and other extras are not supported)")
    for k in mlp:
        if k >= len(flow_defs_list):
            raise GojammyValueError(f"state dict has an MLP for sub-manifold {k}, the flow_defs "
                                    f"{'+'.join(flow_defs_list)!r} have {len(flow_defs_list)}")
    own, from_mlp = [], []
    for k, letters in enumerate(flow_defs_list):
        for j, letter in enumerate(letters):
            aliases = _LAYER_ALIASES.get(letter, {})
            names = [n for n in layers.pop((k, j), []) if n not in aliases]
            if k in mlp:
                if names:
                    raise GojammyValueError(f"state dict entry 'layer_list.{k}.{j}.{names[0]}': layer {j} "
                                            f"('{letter}') of sub-manifold {k} has both own tensors and an MLP")
                continue
            order = _LAYER_TENSORS.get(letter)
            if order is None:
                raise GojammyValueError(f"layer '{letter}' (sub-manifold {k}, layer {j}) is not supported by "
                                        "the jammy_flows import")
            for name in names:
                if name not in order:
                    raise GojammyValueError(f"state dict entry 'layer_list.{k}.{j}.{name}': unknown tensor of "
                                            f"layer '{letter}' (not supported by the jammy_flows import)")
            own.extend(f"layer_list.{k}.{j}.{n}" for n in order if n in names)
        if k in mlp:
            from_mlp.extend(f"mlp_predictors.{k}.{n}" for n in sorted(mlp[k], key=_mlp_order))
    if layers:
        (k, j), names = sorted(layers.items())[0]
        raise GojammyValueError(f"state dict entry 'layer_list.{k}.{j}.{names[0]}' belongs to no layer of "
                                f"flow_defs {'+'.join(flow_defs_list)!r}")
    return own + from_mlp


def from_state_dict(pdf_defs, flow_defs, state_dict_or_path, options_overwrite={},  # noqa: B006 - never mutated
                    conditional_input_dim=None, amortization_mlp_dims="128", *,
                    amortization_mlp_use_custom_mode=False, amortization_mlp_ranks=0,
                    amortization_mlp_highway_mode=0, **upstream_kwargs):
    """A gojammy.pdf holding the parameters of a saved jammy_flows ``state_dict``.

    The definition arguments are those the jammy_flows pdf was built with (as for
    ``gojammy.pdf``). ``state_dict_or_path`` is a dict of names to torch tensors or numpy arrays
    (``pdf.state_dict()``), a module with ``state_dict()``, an ``.npz`` file of arrays (no torch
    needed) or a file written by ``torch.save`` (read with ``torch.load``). Raises
    GojammyValueError naming any state-dict entry, layer or setting gojammy does not mirror, and
    when the sizes do not match the definition.
    """
    arrays = _read_state_dict(state_dict_or_path)
    model = _gojammy_pdf(pdf_defs, flow_defs, options_overwrite, conditional_input_dim, amortization_mlp_dims,
                         amortization_mlp_use_custom_mode=amortization_mlp_use_custom_mode,
                         amortization_mlp_ranks=amortization_mlp_ranks,
                         amortization_mlp_highway_mode=amortization_mlp_highway_mode, seed=0, **upstream_kwargs)
    order = _flat_order(arrays, model.flow_defs_list)
    flat = np.concatenate([arrays[k].reshape(-1) for k in order]) if order else np.zeros(0)
    if flat.size != model.count_parameters():
        blocks = ", ".join(f"{k} {arrays[k].size}" for k in order)
        raise GojammyValueError(f"state dict holds {flat.size} parameters ({blocks}), the gojammy.pdf"
                                f"({pdf_defs!r}, {flow_defs!r}) with these settings has {model.count_parameters()}")
    model.set_parameters(flat)
    return model


def _definition(torch_pdf):
    """gojammy.pdf constructor arguments equal to a live jammy_flows pdf's definition, with every
    layer's full option set (defaults included) as per-layer ``(k, j)`` overrides."""
    for attr in ("pdf_defs_list", "flow_defs_list", "flow_opts", "layer_list"):
        if not hasattr(torch_pdf, attr):
            raise ValueError(f"torch_pdf: expected a jammy_flows.pdf, got {type(torch_pdf).__name__} (no {attr!r})")
    options = {}
    for k, letters in enumerate(torch_pdf.flow_defs_list):
        for j, letter in enumerate(letters):
            options[(k, j)] = {letter: dict(torch_pdf.flow_opts[k][j])}
    kwargs = {name: getattr(torch_pdf, name) for name in _UPSTREAM_SETTINGS if hasattr(torch_pdf, name)}
    return dict(
        pdf_defs="+".join(torch_pdf.pdf_defs_list),
        flow_defs="+".join(torch_pdf.flow_defs_list),
        options_overwrite=options,
        conditional_input_dim=torch_pdf.conditional_input_dim,
        amortization_mlp_dims=list(torch_pdf.amortization_mlp_dims),
        amortization_mlp_use_custom_mode=bool(torch_pdf.amortization_mlp_use_custom_mode),
        amortization_mlp_ranks=list(torch_pdf.amortization_mlp_ranks),
        amortization_mlp_highway_mode=int(torch_pdf.amortization_mlp_highway_mode),
        **kwargs,
    )


def from_jammy_flows(torch_pdf):
    """A gojammy.pdf equal to a live ``jammy_flows.pdf``: same definition, per-layer options,
    conditioning settings and current (trained) parameter values, so the same log-density.

    Raises GojammyValueError naming the layer, option, setting or tensor gojammy does not mirror
    (for example the tensors of a Poisson normalization, or the layer ``c``).
    """
    definition = _definition(torch_pdf)
    pdf_defs = definition.pop("pdf_defs")
    flow_defs = definition.pop("flow_defs")
    return from_state_dict(pdf_defs, flow_defs, torch_pdf.state_dict(), **definition)


def to_jammy_flows(pdf):
    """A ``jammy_flows.pdf`` (float64) with the definition and the current parameters of a
    gojammy.pdf, for the layers and settings both libraries have. Needs torch and jammy_flows.

    The parameters are written into the tensors directly (not through the layers'
    ``init_params``, which would redraw the inner MLP of ``n``).
    """
    if not isinstance(pdf, _gojammy_pdf):
        raise ValueError(f"pdf: expected a gojammy.pdf, got {type(pdf).__name__}")
    import jammy_flows
    import torch

    cond = pdf.conditional_input_dim
    if isinstance(cond, list) and any(c is None or c == 0 for c in cond):
        raise GojammyValueError(f"conditional_input_dim={cond}: jammy_flows accepts only ints >= 1 in a list "
                                "(gojammy's None entries have no jammy_flows equivalent)")
    upstream = jammy_flows.pdf(pdf.pdf_defs, pdf.flow_defs, options_overwrite=pdf.options_overwrite,
                               conditional_input_dim=cond, amortization_mlp_dims=pdf.amortization_mlp_dims,
                               amortization_mlp_use_custom_mode=pdf.amortization_mlp_use_custom_mode,
                               amortization_mlp_ranks=pdf.amortization_mlp_ranks,
                               amortization_mlp_highway_mode=pdf.amortization_mlp_highway_mode)
    upstream.double()
    state = upstream.state_dict()
    order = _flat_order(state, pdf.flow_defs_list)
    flat = pdf.get_parameters()
    sizes = [state[k].numel() for k in order]
    if sum(sizes) != flat.size:
        raise GojammyValueError(f"jammy_flows builds {sum(sizes)} parameters for {pdf!r}, gojammy has {flat.size}")
    offsets = np.cumsum([0] + sizes)
    new_state = {k: torch.from_numpy(flat[a:b].reshape(tuple(state[k].shape)).copy())
                 for k, a, b in zip(order, offsets[:-1], offsets[1:])}
    for key in state:
        m = _LAYER_TENSOR.match(key)
        if key not in new_state and m:
            k, j = int(m.group(1)), int(m.group(2))
            target = _LAYER_ALIASES.get(pdf.flow_defs_list[k][j], {}).get(m.group(3))
            if target is not None:
                new_state[key] = new_state[f"layer_list.{k}.{j}.{target}"]
    upstream.load_state_dict(new_state, strict=True)
    return upstream
