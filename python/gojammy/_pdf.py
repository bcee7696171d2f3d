"""The ``gojammy.pdf`` class: jammy_flows' ``pdf`` API over a libgojammy model handle."""

import ctypes
import json
import re
import threading

import numpy as np

from . import _api, _heads
from ._arrays import as_rows, as_vector, outputs
from ._checks import (
    boolean,
    c_path,
    coords_for,
    coords_named,
    index_or_none,
    integer,
    is_int,
    non_negative_number,
    positive_int,
    positive_number,
    require_default,
    seed_for,
)
from ._errors import GojammyError, GojammyValueError
from ._fit import run_fit
from ._info import check_memory
from ._lib import check, lib, read_string
from ._options import options_to_json
from ._vjp import GradientsMixin

# jammy_flows constructor arguments that gojammy accepts only at their upstream defaults.
_UPSTREAM_DEFAULTS = {
    "use_as_passthrough_instead_of_pdf": False,
    "skip_mlp_initialization": False,
}


def _options_from_json(obj):
    """options_overwrite as the library describes it, with int and tuple keys restored."""
    out = {}
    for key, value in obj.items():
        if "," in key:
            i, j = key.split(",")
            out[(int(i), int(j))] = value
        elif key.isdigit():
            out[int(key)] = value
        else:
            out[key] = value
    return out


def _conditional_dim(value):
    """conditional_input_dim as the library's JSON takes it: None/0, an int, or a list with one
    int or None per sub-manifold (the lengths are checked by the library)."""
    if isinstance(value, (list, tuple)):
        out = []
        for k, v in enumerate(value):
            if v is not None and (not is_int(v) or v < 0):
                raise ValueError(f"conditional_input_dim[{k}]: expected None or an int >= 0, got {v!r}")
            out.append(None if v is None else int(v))
        return out
    if value is None:
        return 0
    if not is_int(value) or value < 0:
        raise ValueError(f"conditional_input_dim: expected None, an int >= 1 or a list, got {value!r}")
    return int(value)


def _per_sub_manifold(value, name, types):
    """A setting given once or as a list with one entry per sub-manifold, entries of the given
    types (ints as plain ints)."""
    def one(v, where):
        if is_int(v) and int in types:
            return int(v)
        if isinstance(v, str) and str in types:
            return v
        kinds = " or ".join("a string" if t is str else "an int" for t in types)
        raise ValueError(f"{where}: expected {kinds}, got {v!r}")

    if isinstance(value, (list, tuple)):
        return [one(v, f"{name}[{k}]") for k, v in enumerate(value)]
    return one(value, name)


class pdf(GradientsMixin):
    """A normalizing-flow PDF, with the constructor and methods of ``jammy_flows.pdf``.

    ``gojammy.pdf("e2+s2", "gg+f")`` builds a joint PDF on R^2 x S^2; ``pdf(x)`` returns
    (log_pdf, base_log_pdf, base_positions), ``pdf.sample(samplesize=n)`` returns (samples,
    base_samples, log_pdf, base_log_pdf). Arrays are numpy float64. Beyond upstream: ``fit``,
    ``get_parameters``/``set_parameters``, ``log_pdf_and_grad``, the vector-Jacobian products
    ``log_pdf_vjp`` and ``sample_vjp``, ``save``/``gojammy.load`` and
    pickling. Evaluation and sampling may be called concurrently from several threads; call
    ``close()`` (or use ``with``) to free the model early.

    The initial parameters are drawn as ``init_params(seed=seed)`` draws them: with ``seed=None``
    from numpy's global generator (so ``np.random.seed`` makes a script reproducible and models
    built one after the other start differently, as upstream's follow torch's generator), with an
    int ``seed`` reproducibly — the same seed gives the same model.

    The embedding flags (``set_embedding_flags``) belong to this Python object: every call passes
    the coordinates it uses to the library explicitly, taking one snapshot of the flags when it
    starts, and ``save``/pickling record the current flags in the model file.
    """

    def __init__(
        self,
        pdf_defs,
        flow_defs,
        options_overwrite={},  # noqa: B006 - upstream's signature; never mutated
        conditional_input_dim=None,
        amortization_mlp_dims="128",
        verbose=False,
        *,
        amortization_mlp_use_custom_mode=False,
        amortization_mlp_ranks=0,
        amortization_mlp_highway_mode=0,
        seed=None,
        **upstream_kwargs,
    ):
        heads = _heads.head_settings(upstream_kwargs)
        for name, value in upstream_kwargs.items():
            if name not in _UPSTREAM_DEFAULTS:
                raise TypeError(f"pdf() got an unexpected keyword argument {name!r}")
            require_default(name, value, _UPSTREAM_DEFAULTS[name])
        if not isinstance(pdf_defs, str) or not pdf_defs:
            raise ValueError(f"pdf_defs: expected a non-empty string such as 'e2+s2', got {pdf_defs!r}")
        if not isinstance(flow_defs, str) or not flow_defs:
            raise ValueError(f"flow_defs: expected a non-empty string such as 'gg+f', got {flow_defs!r}")
        amortization = {
            "conditional_input_dim": _conditional_dim(conditional_input_dim),
            "amortization_mlp_dims": _per_sub_manifold(amortization_mlp_dims, "amortization_mlp_dims", (str,)),
            "amortization_mlp_use_custom_mode": boolean(amortization_mlp_use_custom_mode, "amortization_mlp_use_custom_mode"),
            "amortization_mlp_ranks": _per_sub_manifold(amortization_mlp_ranks, "amortization_mlp_ranks", (str, int)),
            "amortization_mlp_highway_mode": integer(amortization_mlp_highway_mode, "amortization_mlp_highway_mode"),
            **heads,
        }
        options = options_to_json(options_overwrite)
        handle = ctypes.c_uint64(0)
        opts = _api.CreateOptions(
            pdf_defs=pdf_defs.encode(),
            flow_defs=flow_defs.encode(),
            options_json=options.encode(),
            amortization_json=json.dumps(amortization).encode(),
        )
        check(lib().gj_pdf_create(ctypes.byref(opts), ctypes.byref(handle)))
        self._adopt(handle.value)
        self.init_params(seed=seed)
        if verbose:
            print(self.describe())

    def _adopt(self, handle):
        """Take ownership of a library handle and read the model's description."""
        self._handle = handle
        self._close_lock = threading.Lock()
        d = self.describe()
        self._description = d
        self.pdf_defs = d["pdf_defs"]
        self.flow_defs = d["flow_defs"]
        self.pdf_defs_list = self.pdf_defs.split("+")
        self.flow_defs_list = self.flow_defs.split("+")
        self.options_overwrite = _options_from_json(d.get("options_overwrite") or {})
        cond = d["conditional_input_dim"]
        self.conditional_input_dim = cond if isinstance(cond, list) else (cond or None)
        self.amortization_mlp_dims = d["amortization_mlp_dims"]
        self.amortization_mlp_use_custom_mode = d["amortization_mlp_use_custom_mode"]
        self.amortization_mlp_ranks = d["amortization_mlp_ranks"]
        self.amortization_mlp_highway_mode = d["amortization_mlp_highway_mode"]
        _heads.adopt(self, d)
        self.total_target_dim_intrinsic = d["dim"]["intrinsic"]
        self.total_target_dim_embedded = d["dim"]["embedding"]
        self.total_base_dim = d["base_dim"]
        self.num_parameter_list = d["layer_param_counts"]
        self._n_params = d["num_params"]
        self._n_subs = d["num_sub_manifolds"]
        self._cond_dim = d["cond_dim"]
        self._forced = {
            "intrinsic": (_api.Coords(kind=_api.COORDS_INTRINSIC), self.total_target_dim_intrinsic),
            "embedding": (_api.Coords(kind=_api.COORDS_EMBEDDING), self.total_target_dim_embedded),
        }
        # Per sub-manifold, how much wider its embedding coordinates are than its intrinsic ones.
        self._extra_dims = [
            self._dim_of(self._per_sub_manifold([j == k for j in range(self._n_subs)])) - self.total_target_dim_intrinsic
            for k in range(self._n_subs)
        ]
        # upstream's per-sub-manifold widths and (start, end) column ranges; target_dims and
        # target_dim_indices follow the embedding flags (_set_flags)
        self.target_dims_intrinsic = [int(re.match(r"[a-z](\d+)", d).group(1)) for d in self.pdf_defs_list]
        self.target_dims_embedded = [i + e for i, e in zip(self.target_dims_intrinsic, self._extra_dims)]
        self.target_dim_indices_intrinsic = _column_ranges(self.target_dims_intrinsic)
        self.target_dim_indices_embedded = _column_ranges(self.target_dims_embedded)
        # set_embedding_flags holds _flags_lock to update _default = (flags, coordinates, dim) as
        # a whole; every call reads _default once, so its coordinates and shapes agree.
        self._flags_lock = threading.Lock()
        self._set_flags(d["embedding_flags"])

    @staticmethod
    def _per_sub_manifold(flags):
        """The library's coordinates for per-sub-manifold embedding flags (the struct keeps its
        flag array alive)."""
        return _api.Coords(kind=_api.COORDS_PER_SUB_MANIFOLD, embedding=_api.int_array(flags), embedding_len=len(flags))

    def _dim_of(self, coords):
        dim = ctypes.c_int64(0)
        check(lib().gj_pdf_dims(self.handle, ctypes.byref(coords), ctypes.byref(dim), None, None, None))
        return dim.value

    def _set_flags(self, flags):
        """Make ``flags`` the embedding flags of default coordinates."""
        flags = tuple(bool(f) for f in flags)
        dim = self.total_target_dim_intrinsic + sum(e for e, f in zip(self._extra_dims, flags) if f)
        self._default = (flags, self._per_sub_manifold(flags), dim)
        self.total_target_dim = dim
        self.target_dims = [e if f else i for i, e, f in zip(self.target_dims_intrinsic, self.target_dims_embedded, flags)]
        self.target_dim_indices = _column_ranges(self.target_dims)

    def _coords(self, name):
        """(library coordinates, dimension) for "default" (a snapshot of the embedding flags),
        "intrinsic" or "embedding"."""
        if name == "default":
            return self._default[1:]
        return self._forced[name]

    #: (test, class) pairs registered by subclasses (fully_amortized_pdf): a loaded model handle
    #: for which test(handle) holds is wrapped in that class.
    _handle_classes = []

    @classmethod
    def _from_handle(cls, handle):
        if cls is pdf:
            cls = next((sub for test, sub in pdf._handle_classes if test(handle)), cls)
        obj = cls.__new__(cls)
        obj._adopt(handle)
        return obj

    # ------------------------------------------------------------------ lifetime

    @property
    def handle(self):
        """The library handle (raises GojammyError once the PDF is closed)."""
        h = self._handle
        if not h:
            raise GojammyError("this gojammy.pdf is closed")
        return h

    @property
    def closed(self):
        """Whether close() was called."""
        return not self._handle

    def close(self):
        """Free the model in the library (waits for running calls on it). Idempotent."""
        lock = getattr(self, "_close_lock", None)
        if lock is None:
            return
        with lock:
            h, self._handle = self._handle, 0
        if h:
            check(lib().gj_pdf_free(h))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        if self.closed:
            return f"gojammy.pdf({self.pdf_defs!r}, {self.flow_defs!r}; closed)"
        cond = f", conditional_input_dim={self.conditional_input_dim}" if self.conditional_input_dim else ""
        return f"gojammy.pdf({self.pdf_defs!r}, {self.flow_defs!r}{cond}; {self._n_params} parameters)"

    # ------------------------------------------------------------------ description

    def describe(self):
        """The library's description of the model (definition, dimensions, parameter counts)."""
        status, text = read_string(lib().gj_pdf_describe, self.handle, size=4096)
        check(status)
        return json.loads(text)

    def count_parameters(self, verbose=False):
        """The number of trainable parameters (length of get_parameters())."""
        if verbose:
            for k, counts in enumerate(self.num_parameter_list):
                print(f"sub-manifold {k} ({self.pdf_defs_list[k]}, {self.flow_defs_list[k]}): layer parameters {counts}")
            print(f"total trainable parameters: {self._n_params}")
        return self._n_params

    def double(self):
        """Returns the PDF itself: it computes in float64 already (upstream's torch.nn.Module
        method, which scripts call before evaluating or plotting)."""
        return self

    def _cond_rows(self, conditional_input, n, name="conditional_input"):
        """Check the conditional input against the model and n rows (None for unconditional) and
        return it as the library takes it: one row per event (with a list conditional_input_dim,
        the sub-manifolds' inputs concatenated)."""
        dims = self.conditional_input_dim if isinstance(self.conditional_input_dim, list) else None
        if dims is not None and isinstance(conditional_input, (list, tuple)):
            return self._cond_list(conditional_input, n, name, dims)
        if not self._cond_dim:
            if conditional_input is not None:
                raise ValueError(f"{name}: this PDF is unconditional (conditional_input_dim=None), pass None")
            return None
        if conditional_input is None:
            raise ValueError(f"{name}: this PDF is conditional, pass an array of shape (n, {self._cond_dim})")
        if dims is not None:
            # upstream hands one tensor to every sub-manifold: possible where all widths agree
            if None in dims or len(set(dims)) != 1:
                raise ValueError(
                    f"{name}: this PDF takes one conditional input per sub-manifold "
                    f"(conditional_input_dim={dims}); pass a list of {len(dims)} arrays (None where the entry is None)"
                )
            one = as_rows(conditional_input, name, dims[0])
            conditional_input = np.concatenate([one] * len(dims), axis=1)
        c = as_rows(conditional_input, name, self._cond_dim)
        if n is not None and c.shape[0] != n:
            raise ValueError(f"{name}: has {c.shape[0]} rows, x has {n}")
        return c

    def _sample_rows(self, conditional_input, amortization_parameters, samplesize):
        """(conditional rows, amortization rows, number of samples) of a sampling call: one sample
        per conditional row (or per amortization row of an amortize_everything PDF), else
        samplesize."""
        cond = self._cond_rows(conditional_input, None)
        amort = _heads.amortization_rows(self, amortization_parameters, None if cond is None else cond.shape[0])
        if cond is not None:
            return cond, amort, cond.shape[0]
        if amort is not None:
            return cond, amort, amort.shape[0]
        return cond, amort, positive_int(samplesize, "samplesize", allow_zero=True)

    def _cond_list(self, inputs, n, name, dims):
        """Concatenate per-sub-manifold conditional inputs (None where the width is None)."""
        if len(inputs) != len(dims):
            raise ValueError(f"{name}: a list needs one entry per sub-manifold ({len(dims)}), got {len(inputs)}")
        parts = []
        for k, (value, d) in enumerate(zip(inputs, dims)):
            if d is None:
                if value is not None and np.size(value) != 0:
                    raise ValueError(f"{name}[{k}]: sub-manifold {k} has no conditional input (conditional_input_dim[{k}] is None), pass None")
                continue
            if value is None:
                raise ValueError(f"{name}[{k}]: sub-manifold {k} is conditional, pass an array of shape (n, {d})")
            part = as_rows(value, f"{name}[{k}]", d)
            rows = n if n is not None else (parts[0].shape[0] if parts else part.shape[0])
            if part.shape[0] != rows:
                raise ValueError(f"{name}[{k}]: has {part.shape[0]} rows, expected {rows}")
            parts.append(part)
        if not parts:
            return None
        return np.ascontiguousarray(np.concatenate(parts, axis=1))

    # ------------------------------------------------------------------ evaluation

    def forward(
        self,
        x,
        conditional_input=None,
        amortization_parameters=None,
        force_embedding_coordinates=False,
        force_intrinsic_coordinates=False,
        only_last=False,
    ):
        """Log-density of the rows of x: returns (log_pdf (n,), base_log_pdf (n,), base_positions
        (n, total_base_dim)). x has shape (n, total_target_dim) in default coordinates, or the
        embedding/intrinsic dimension when forced; a 1-D x is one row. Points outside the support
        get -inf, rows containing NaN get NaN. The arguments come in jammy_flows' positional order,
        so a positional call means the same in both libraries. amortization_parameters: (n,
        total_number_amortizable_params) for a PDF built with amortize_everything=True."""
        if only_last:
            require_default("only_last", only_last, False)
        coords, dim = self._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
        h = self.handle
        x = as_rows(x, "x", dim)
        n = x.shape[0]
        cond = self._cond_rows(conditional_input, n)
        amort = _heads.amortization_rows(self, amortization_parameters, n)
        log_pdf, base_log_pdf, base = outputs(n, (None, None, self.total_base_dim))
        if n:
            check(
                _heads.call(
                    "gj_pdf_log_density", amort, (h, x, n, x.size, cond, 0 if cond is None else cond.size),
                    (coords, log_pdf, base_log_pdf, base, base.size),
                )
            )
        return log_pdf, base_log_pdf, base

    __call__ = forward

    def log_pdf_and_grad(
        self,
        x,
        conditional_input=None,
        force_embedding_coordinates=False,
        force_intrinsic_coordinates=False,
        amortization_parameters=None,
    ):
        """Returns (log_pdf (n,), gradient of sum(log_pdf) with respect to the parameters
        (count_parameters(),), gradient with respect to x (n, dim)). Rows with a non-finite
        log_pdf do not contribute (their grad_x rows are 0, or NaN for NaN rows). ``log_pdf_vjp``
        also gives the gradient with respect to the conditional input, for any weights. Given
        amortization_parameters (amortize_everything), a fourth value follows: the gradient with
        respect to them, (n, total_number_amortizable_params)."""
        log_pdf, grads = self.log_pdf_vjp(
            x,
            conditional_input=conditional_input,
            amortization_parameters=amortization_parameters,
            force_embedding_coordinates=force_embedding_coordinates,
            force_intrinsic_coordinates=force_intrinsic_coordinates,
        )
        if amortization_parameters is not None:
            return log_pdf, grads["parameters"], grads["x"], grads["amortization_parameters"]
        return log_pdf, grads["parameters"], grads["x"]

    def sample(
        self,
        conditional_input=None,
        samplesize=1,
        seed=None,
        allow_gradients=False,
        amortization_parameters=None,
        force_embedding_coordinates=False,
        force_intrinsic_coordinates=False,
        failsafe_crosscheck_tolerance=None,
        dtype=None,
        device=None,
        only_last=False,
        nsamples=None,
    ):
        """Draw samples: returns (samples (N, dim), base_samples (N, total_base_dim), log_pdf (N,),
        base_log_pdf (N,)). N = samplesize (alias nsamples) for an unconditional PDF, else one
        sample per row of conditional_input (of amortization_parameters for a PDF built with
        amortize_everything=True). The same seed gives the same samples; seed=None draws a seed
        from numpy's global generator. numpy arrays carry no gradients, so allow_gradients=True
        returns the same arrays: ``sample_vjp`` with the same seed gives the gradients of any loss
        built from them, and ``gojammy.torch`` returns differentiable tensors."""
        boolean(allow_gradients, "allow_gradients")
        require_default("failsafe_crosscheck_tolerance", failsafe_crosscheck_tolerance, None)
        require_default("only_last", only_last, False)
        if dtype is not None and np.dtype(dtype) != np.float64:
            raise NotImplementedError(f"dtype={dtype!r}: gojammy samples in float64 only")
        if device is not None and str(device) != "cpu":
            raise NotImplementedError(f"device={device!r}: gojammy runs on the CPU only")
        if nsamples is not None:
            if samplesize not in (1, nsamples):
                raise ValueError(f"pass either samplesize or nsamples (its alias), got {samplesize} and {nsamples}")
            samplesize = nsamples
        coords, dim = self._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
        h = self.handle
        cond, amort, n = self._sample_rows(conditional_input, amortization_parameters, samplesize)
        seed = seed_for(seed)
        check_memory("samplesize", n, dim + self.total_base_dim + 2)
        samples, base, log_pdf, base_log_pdf = outputs(n, (dim, self.total_base_dim, None, None))
        if n:
            check(
                _heads.call(
                    "gj_pdf_sample", amort, (h, n, cond, 0 if cond is None else cond.size),
                    (seed, coords, samples, samples.size, base, base.size, log_pdf, base_log_pdf),
                )
            )
        return samples, base, log_pdf, base_log_pdf

    from ._coverage import approximate_coverage, coverage_and_or_pdf_scan  # noqa: E402 (methods)
    from ._stats import (  # noqa: E402 (methods)
        calc_kl_diff_and_entropic_quantities,
        entropy,
        entropy_grad,
        entropy_iterative,
        expectation,
        fit_variational,
        marginal_moments,
        moments,
    )

    # ------------------------------------------------------------------ coordinates

    def get_embedding_flags(self):
        """Per sub-manifold, whether its default coordinates are embedding coordinates (True) or
        intrinsic ones (False)."""
        self.handle  # raises once closed
        return list(self._default[0])

    def set_embedding_flags(self, usement_flag, sub_pdf_index=None):
        """Make embedding (usement_flag=True) or intrinsic (False) coordinates the default of
        sub-manifold sub_pdf_index, or of all sub-manifolds (None). total_target_dim follows.
        The flags are saved with the model; the distribution does not change. Calls already
        running in other threads keep the flags they started with."""
        flag = boolean(usement_flag, "usement_flag")
        sub = index_or_none(sub_pdf_index, "sub_pdf_index", self._n_subs)
        self.handle  # raises once closed
        with self._flags_lock:
            flags = [flag if sub in (-1, k) else f for k, f in enumerate(self._default[0])]
            self._set_flags(flags)

    def transform_target_space(self, target, log_det=0, transform_from="default", transform_to="embedding"):
        """Convert points between "default", "intrinsic" and "embedding" coordinates.

        target has shape (n, dim of transform_from); a 1-D target is one point and gives a 1-D
        result. Returns (new_target, log_det + change of the log-volume element) with log_det of
        shape (n,): log p_to(new_target) = log p_from(target) - (returned - given log_det), i.e.
        log sin(zenith) per s2 sub-manifold going from intrinsic to embedding coordinates, its
        negative going back, 0 for other manifolds."""
        frm, frm_dim = self._coords(coords_named(transform_from, "transform_from"))
        to, to_dim = self._coords(coords_named(transform_to, "transform_to"))
        h = self.handle
        one_point = np.ndim(target) == 1
        x = as_rows(target, "target", frm_dim)
        n = x.shape[0]
        try:
            given = np.broadcast_to(np.asarray(log_det, dtype=np.float64), (n,))
        except (TypeError, ValueError):
            raise ValueError(f"log_det: expected a number or an array of shape ({n},), got {np.shape(log_det)}") from None
        new_target, change = outputs(n, (to_dim, None))
        if n:
            check(lib().gj_pdf_transform_target_space(h, x, n, x.size, frm, to, new_target, new_target.size, change))
        return (new_target[0] if one_point else new_target), given + change

    # ------------------------------------------------------------------ parameters

    def get_parameters(self):
        """A float64 copy of the flat parameter vector (jammy_flows' layer-by-layer order)."""
        out = np.empty(self._n_params)
        check(lib().gj_pdf_get_params(self.handle, out, self._n_params))
        return out

    def set_parameters(self, values):
        """Replace the flat parameter vector (length count_parameters())."""
        h = self.handle
        values = as_vector(values, "values", self._n_params)
        check(lib().gj_pdf_set_params(h, values, self._n_params))

    def init_params(self, data=None, damping_factor=1000.0, mvn_min_max_sv_ratio=1e-4, seed=None):
        """Re-initialize the parameters as jammy_flows: without data the layers' defaults, with
        data (n, total_target_dim) a data-driven start for Euclidean sub-manifolds. Conditioning
        MLPs are damped by damping_factor. Random parts are drawn from seed (None: from numpy's
        global generator). Returns, as upstream, the desired initial amortization parameters (one
        row, total_number_amortizable_params) for a PDF built with amortize_everything=True, else
        None."""
        require_default("mvn_min_max_sv_ratio", mvn_min_max_sv_ratio, 1e-4)
        damping_factor = positive_number(damping_factor, "damping_factor")
        h = self.handle
        seed = seed_for(seed)
        coords, dim = self._coords("default")
        if data is None:
            check(lib().gj_pdf_init_params(h, None, 0, 0, coords, damping_factor, seed))
        else:
            data = as_rows(data, "data", dim)
            check(lib().gj_pdf_init_params(h, data, data.shape[0], data.size, coords, damping_factor, seed))
        return _heads.amortization_init(self)

    def log_mean_poisson(self, conditional_input=None, amortization_parameters=None):
        """log λ of the Poisson head (predict_log_normalization=True), shape (n, 1) for n rows of
        conditional input, (1, 1) for an unconditional PDF (jammy_flows' log_mean_poisson)."""
        return _heads.log_mean_poisson(self, conditional_input, amortization_parameters)

    # ------------------------------------------------------------------ training

    def fit(
        self,
        data,
        conditional_input=None,
        epochs=10,
        batch_size=256,
        learning_rate=1e-2,
        validation_data=None,
        seed=None,
        progress=True,
        *,
        patience=0,
        clip_norm=0.0,
        poisson_counts=None,
    ):
        """Train by maximum likelihood (Adam on mini-batches of the mean negative log-likelihood).

        data: (n, total_target_dim) in default coordinates; conditional_input: (n, cond_dim) for a
        conditional PDF. validation_data: an array, or (x, conditional_input) for a conditional
        PDF; its loss is computed after every epoch and the best epoch's parameters are kept
        (patience > 0 stops after that many epochs without improvement). seed drives the
        shuffling (None: drawn from numpy's global generator). progress: a bar on stderr when it
        is a terminal (True), never (False), or always ("always"); tqdm is used if installed.
        clip_norm > 0 rescales each gradient to at most that norm. Ctrl-C stops training after
        the current step, keeps the parameters and re-raises KeyboardInterrupt.

        With the Poisson head (predict_log_normalization=True) the loss is the extended
        likelihood's: poisson_counts gives, per data row, the number of events of the observation
        it belongs to, and each row adds -log λ + λ/count (None: an unconditional PDF counts the
        whole data set as one observation; a conditional one needs counts). A PDF built with
        amortize_everything=True has no parameters of its own to train.

        Returns {"loss": [mean training loss per epoch], "val_loss": [validation loss per epoch]
        (empty without validation data)}.
        """
        h = self.handle
        coords, dim = self._coords("default")
        data = as_rows(data, "data", dim)
        cond = self._cond_rows(conditional_input, data.shape[0])
        val, val_cond = None, None
        if validation_data is not None:
            if self._cond_dim:
                if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
                    raise ValueError("validation_data: a conditional PDF needs (x, conditional_input)")
                val = as_rows(validation_data[0], "validation_data", dim)
                val_cond = self._cond_rows(validation_data[1], val.shape[0], "validation_data conditional_input")
            else:
                val = as_rows(validation_data, "validation_data", dim)
        if data.shape[0] == 0:
            raise ValueError("data: no rows to train on")
        epochs = positive_int(epochs, "epochs")
        check_memory("epochs", epochs, 2)  # the history
        opts = _api.FitOptions(
            epochs=epochs,
            batch_size=positive_int(batch_size, "batch_size"),
            learning_rate=positive_number(learning_rate, "learning_rate"),
            seed=seed_for(seed),
            patience=positive_int(patience, "patience", allow_zero=True),
            clip_norm=non_negative_number(clip_norm, "clip_norm"),
        )
        counts = _heads.poisson_counts(self, poisson_counts, data.shape[0], opts)  # noqa: F841 - alive during the call
        return run_fit(h, data, cond, val, val_cond, coords, opts, progress)

    # ------------------------------------------------------------------ storage

    def save(self, path):
        """Write the model (definition, options, current embedding flags, parameters) to a
        safetensors file at path, atomically. Read it back with gojammy.load (or from C, C++ and
        Go)."""
        check(lib().gj_pdf_save(self.handle, c_path(path), self._default[1]))

    def to_bytes(self):
        """The model file's contents as bytes (what save() writes)."""
        h = self.handle
        coords = self._default[1]
        size = ctypes.c_int64(0)
        check(lib().gj_pdf_save_buffer(h, coords, None, 0, ctypes.byref(size)))
        while True:
            buf = ctypes.create_string_buffer(size.value)
            status = lib().gj_pdf_save_buffer(h, coords, buf, size.value, ctypes.byref(size))
            if status != _api.ERR_BUFFER_TOO_SMALL:  # the parameters may have grown in between
                check(status)
                return buf.raw[: size.value]

    def __reduce__(self):
        return (from_bytes, (self.to_bytes(),))


def _column_ranges(widths):
    """Consecutive (start, end) column ranges of the given widths, as upstream's
    target_dim_indices."""
    ends = np.cumsum(widths).tolist()
    return [(end - w, end) for w, end in zip(widths, ends)]


def load(path):
    """Load a model file written by pdf.save (from Python, C, C++ or Go)."""
    handle = ctypes.c_uint64(0)
    check(lib().gj_pdf_load(c_path(path), ctypes.byref(handle)))
    return pdf._from_handle(handle.value)


def from_bytes(data):
    """Load a model from the bytes of a model file (pdf.to_bytes(), as used by pickling)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise GojammyValueError(f"from_bytes: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    handle = ctypes.c_uint64(0)
    check(lib().gj_pdf_load_buffer(data, len(data), ctypes.byref(handle)))
    return pdf._from_handle(handle.value)
