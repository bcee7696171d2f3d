"""ctypes prototypes of include/gojammy.h (the C contract, ABI version 3)."""

import ctypes
from ctypes import POINTER, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint64, c_void_p

import numpy as np

#: The ABI version of include/gojammy.h these prototypes were written against (GJ_ABI_VERSION).
ABI_VERSION = 3

# Status codes (enum gj_status).
OK = 0
ERR_INVALID_HANDLE = 1
ERR_NULL_POINTER = 2
ERR_ARGUMENT = 3
ERR_DEFINITION = 4
ERR_IO = 5
ERR_INTERNAL = 6
ERR_STOPPED = 7
ERR_BUFFER_TOO_SMALL = 8
ERR_BUSY = 9
ERR_POISONED = 10
ERR_FORKED = 11

# Kinds of coordinate choice (enum gj_coords_kind).
COORDS_SAVED = 0
COORDS_INTRINSIC = 1
COORDS_EMBEDDING = 2
COORDS_PER_SUB_MANIFOLD = 3


class _Versioned(ctypes.Structure):
    """A struct of gojammy.h that starts with size_t struct_size: instances are created with
    struct_size = sizeof(the struct) and the given fields."""

    def __init__(self, **fields):
        types = dict(self._fields_)
        for name, value in fields.items():
            _check_field(name, value, types[name])
        super().__init__(struct_size=ctypes.sizeof(self), **fields)


#: The value ranges of the integer field types (ctypes would silently truncate larger values).
_INT_RANGES = {c_int: (-(2**31), 2**31), c_int64: (-(2**63), 2**63), c_uint64: (0, 2**64), c_size_t: (0, 2**64)}


def _check_field(name, value, ctype):
    """Raise ValueError naming the field if ``value`` does not fit ``ctype`` unchanged: integers
    beyond the C type's range, and strings with a NUL byte (C would cut them there)."""
    if ctype in _INT_RANGES and isinstance(value, int):
        low, high = _INT_RANGES[ctype]
        if not low <= value < high:
            raise ValueError(f"{name}: {value} is out of range for the library (C {ctype.__name__})")
    if ctype is c_char_p and isinstance(value, bytes) and b"\0" in value:
        raise ValueError(f"{name}: contains a NUL byte")


class Coords(_Versioned):
    """struct gj_coords."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("kind", c_int),
        ("embedding", POINTER(c_int)),
        ("embedding_len", c_int64),
    ]


class CreateOptions(_Versioned):
    """struct gj_create_options."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("pdf_defs", c_char_p),
        ("flow_defs", c_char_p),
        ("options_json", c_char_p),
        ("conditional_input_dim", c_int64),
        ("amortization_mlp_dims", c_char_p),
        ("embedding_flags", POINTER(c_int)),
        ("embedding_flags_len", c_int64),
        ("amortization_json", c_char_p),
    ]


class FitOptions(_Versioned):
    """struct gj_fit_options (fields left 0 take the library's defaults)."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("epochs", c_int64),
        ("steps", c_int64),
        ("batch_size", c_int64),
        ("learning_rate", c_double),
        ("seed", c_uint64),
        ("patience", c_int64),
        ("clip_norm", c_double),
        ("poisson_counts", c_void_p),
        ("poisson_counts_len", c_int64),
        ("skipped_nan_history", POINTER(c_int64)),
        ("skipped_outside_history", POINTER(c_int64)),
    ]


def int_array(values):
    """A ctypes int array holding ``values`` (e.g. embedding flags as 0/1)."""
    return (c_int * len(values))(*[int(v) for v in values])


#: typedef int (*gj_progress_fn)(void*, int64_t step, int64_t epoch, double loss, double val_loss)
PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_int64, c_int64, c_double, c_double)

_F64 = np.dtype(np.float64)
_from_buffer = ctypes.c_char.from_buffer
_addressof = ctypes.addressof


class _Doubles:
    """The argtype of a ``const double*`` input: None (NULL) or a C-contiguous float64 numpy
    array. Anything else raises ctypes.ArgumentError before the call, so the library never reads
    memory of another type or layout. The returned pointer holds a reference to its array, and
    ctypes holds the converted arguments until the call returns: the array stays alive for the
    whole call, whatever the caller does with its own references."""

    writable = False

    @classmethod
    def from_param(cls, value):
        if value is None:
            return None
        if not isinstance(value, np.ndarray) or value.dtype != _F64 or not value.flags.c_contiguous:
            what = f"a {value.dtype} array" if isinstance(value, np.ndarray) else type(value).__name__
            if isinstance(value, np.ndarray) and value.dtype == _F64:
                what = "a non-contiguous float64 array"
            raise TypeError(f"expected None or a C-contiguous float64 numpy array, got {what}")
        if cls.writable and not value.flags.writeable:
            raise TypeError("expected a writable array for an output")
        try:
            ptr = c_void_p(_addressof(_from_buffer(value)))  # several times faster than .ctypes
        except (TypeError, ValueError, BufferError):  # read-only or empty arrays
            ptr = c_void_p(value.ctypes.data)
        ptr._array = value
        return ptr


class _OutDoubles(_Doubles):
    """The argtype of a ``double*`` output: as _Doubles, and the array must be writable."""

    writable = True


_in = _Doubles
_out = _OutDoubles
_u64p = POINTER(c_uint64)
_i64p = POINTER(c_int64)
_intp = POINTER(c_int)
_coords = POINTER(Coords)

PROTOTYPES = {
    "gj_abi_version": (c_int, []),
    "gj_version": (c_int, [c_char_p, c_size_t]),
    "gj_version_numbers": (c_int, [_intp, _intp, _intp]),
    "gj_info": (c_int, [c_char_p, c_size_t]),
    "gj_set_threads": (c_int, [c_int]),
    "gj_set_memory_budget": (c_int, [c_int64]),
    "gj_memory_budget": (c_int, [POINTER(c_int64)]),
    "gj_last_error": (c_int, [c_char_p, c_size_t]),
    "gj_status_string": (c_int, [c_int, c_char_p, c_size_t]),
    "gj_pdf_create": (c_int, [POINTER(CreateOptions), _u64p]),
    "gj_pdf_load": (c_int, [c_char_p, _u64p]),
    "gj_pdf_save": (c_int, [c_uint64, c_char_p, _coords]),
    "gj_pdf_load_buffer": (c_int, [c_char_p, c_int64, _u64p]),
    "gj_pdf_save_buffer": (c_int, [c_uint64, _coords, c_void_p, c_int64, _i64p]),
    "gj_pdf_free": (c_int, [c_uint64]),
    "gj_pdf_dims": (c_int, [c_uint64, _coords, _i64p, _i64p, _i64p, _i64p]),
    "gj_pdf_describe": (c_int, [c_uint64, c_char_p, c_size_t]),
    "gj_pdf_log_density": (c_int, [c_uint64, _in, c_int64, c_int64, _in, c_int64, _coords, _out, _out, _out, c_int64]),
    "gj_pdf_grad": (c_int, [c_uint64, _in, c_int64, c_int64, _in, c_int64, _coords, _out, _out, c_int64, _out, c_int64]),
    "gj_pdf_sample": (c_int, [c_uint64, c_int64, _in, c_int64, c_uint64, _coords, _out, c_int64, _out, c_int64, _out, _out]),
    "gj_pdf_log_density_vjp": (
        c_int,
        [c_uint64, _in, c_int64, c_int64, _in, c_int64, _in, c_int64, _coords, _in, c_int64,
         _out, _out, c_int64, _out, c_int64, _out, c_int64, _out, c_int64],
    ),
    "gj_pdf_sample_vjp": (
        c_int,
        [c_uint64, c_int64, _in, c_int64, _in, c_int64, c_uint64, _coords, _in, c_int64, _in, c_int64,
         _out, c_int64, _out, _out, c_int64, _out, c_int64, _out, c_int64, _out, c_int64],
    ),
    "gj_pdf_get_params": (c_int, [c_uint64, _out, c_int64]),
    "gj_pdf_get_embedding_flags": (c_int, [c_uint64, _intp, c_int64]),
    "gj_pdf_transform_target_space": (c_int, [c_uint64, _in, c_int64, c_int64, _coords, _coords, _out, c_int64, _out]),
    "gj_pdf_set_params": (c_int, [c_uint64, _in, c_int64]),
    "gj_pdf_init_params": (c_int, [c_uint64, _in, c_int64, c_int64, _coords, c_double, c_uint64]),
    "gj_pdf_fit": (
        c_int,
        [
            c_uint64, _in, c_int64, c_int64,  # handle, data, n, data_len
            _in, c_int64,  # cond, cond_len
            _in, c_int64, c_int64,  # val_data, n_val, val_len
            _in, c_int64,  # val_cond, val_cond_len
            _coords, POINTER(FitOptions), PROGRESS_FN, c_void_p,  # coords, opts, progress, user_data
            _out, _out, c_int64, _i64p,  # loss_history, val_history, history_len, n_history
        ],
    ),
    "gj_pdf_last_error": (c_int, [c_uint64, c_char_p, c_size_t]),
    "gj_pdf_log_density_amortized": (
        c_int, [c_uint64, _in, c_int64, c_int64, _in, c_int64, _in, c_int64, _coords, _out, _out, _out, c_int64],
    ),
    "gj_pdf_grad_amortized": (
        c_int,
        [c_uint64, _in, c_int64, c_int64, _in, c_int64, _in, c_int64, _coords, _out, _out, c_int64, _out, c_int64, _out, c_int64],
    ),
    "gj_pdf_sample_amortized": (
        c_int, [c_uint64, c_int64, _in, c_int64, _in, c_int64, c_uint64, _coords, _out, c_int64, _out, c_int64, _out, _out],
    ),
    "gj_pdf_amortization_init": (c_int, [c_uint64, _out, c_int64, _i64p]),
    "gj_pdf_log_mean_poisson": (c_int, [c_uint64, _in, c_int64, c_int64, _out, c_int64]),
}


# Coverage (gj_pdf_approximate_coverage, gj_pdf_coverage_scan and the gj_scan_ readers).
SCAN_AUTO, SCAN_GRID, SCAN_HEALPIX, SCAN_SAMPLING = 0, 1, 2, 3


class ScanOptions(_Versioned):
    """struct gj_scan_options (fields left 0 take the library's defaults)."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("method", c_int),
        ("save_scan", c_int),
        ("samples", c_int64),
        ("grid_points", c_int64),
        ("levels", POINTER(c_double)),
        ("levels_len", c_int64),
        ("seed", c_uint64),
        ("contours", c_int),
    ]


PROTOTYPES.update({
    "gj_pdf_approximate_coverage": (
        c_int,
        [c_uint64, _in, c_int64, c_int64, _in, c_int64, _coords, c_int64, _i64p, c_int64, _out, _out, c_int64, _out, _out, c_int64],
    ),
    "gj_pdf_approximate_coverage_amortized": (
        c_int,
        [c_uint64, _in, c_int64, c_int64, _in, c_int64, _in, c_int64, _coords, c_int64, _i64p, c_int64,
         _out, _out, c_int64, _out, _out, c_int64],
    ),
    "gj_pdf_coverage_scan": (c_int, [c_uint64, _in, c_int64, c_int64, _coords, _in, c_int64, POINTER(ScanOptions), _u64p]),
    "gj_pdf_coverage_scan_amortized": (
        c_int, [c_uint64, _in, c_int64, c_int64, _coords, _in, c_int64, _in, c_int64, POINTER(ScanOptions), _u64p],
    ),
    "gj_pdf_coverage_scan_marginal": (
        c_int, [c_uint64, c_int64, c_int64, _in, c_int64, c_int64, _coords, _in, c_int64, POINTER(ScanOptions), _u64p],
    ),
    "gj_pdf_coverage_scan_marginal_amortized": (
        c_int, [c_uint64, c_int64, c_int64, _in, c_int64, c_int64, _coords, _in, c_int64, _in, c_int64, POINTER(ScanOptions), _u64p],
    ),
    "gj_scan_dims": (c_int, [c_uint64, _i64p, _i64p, _i64p, _i64p, _intp]),
    "gj_scan_labels": (c_int, [c_uint64, _out, _out, _out, c_int64]),
    "gj_scan_maps": (c_int, [c_uint64, _out, c_int64, _out, _out, c_int64, c_int64]),
    "gj_scan_cells": (c_int, [c_uint64, c_int64, _i64p, _out, c_int64, _out, _out, c_int64]),
    "gj_scan_contours": (c_int, [c_uint64, c_int64, c_int64, _i64p, _i64p, _i64p, c_int64, _out, c_int64]),
    "gj_scan_free": (c_int, [c_uint64]),
})

# Statistics (gj_pdf_entropy ... gj_pdf_fit_variational).
#: typedef int (*gj_points_fn)(void*, const double* x, int64_t n, int64_t dim, double* values, double* grad)
POINTS_FN = ctypes.CFUNCTYPE(c_int, c_void_p, POINTER(c_double), c_int64, c_int64, POINTER(c_double), POINTER(c_double))

PROTOTYPES.update({
    "gj_pdf_entropy": (
        c_int, [c_uint64, _in, c_int64, c_int64, _i64p, c_int64, c_int64, c_uint64, _coords, _out, _out, c_int64],
    ),
    "gj_pdf_entropy_grad": (
        c_int, [c_uint64, _in, c_int64, c_int64, c_int64, c_uint64, _coords, _out, _out, c_int64, _out, c_int64, _out, c_int64],
    ),
    "gj_pdf_expectation": (
        c_int,
        [c_uint64, POINTS_FN, c_void_p, _in, c_int64, c_int64, c_int64, c_uint64, _coords, c_int,
         _out, _out, c_int64, _out, c_int64, _out, c_int64],
    ),
    "gj_pdf_moments": (c_int, [c_uint64, c_int64, _in, c_int64, c_int64, c_int64, c_uint64, _coords, _out, _out, c_int64]),
    "gj_pdf_marginal_moments": (
        c_int, [c_uint64, _in, c_int64, c_int64, c_int64, c_uint64, c_double, c_int, _out, c_int64, _i64p],
    ),
    "gj_pdf_entropy_amortized": (
        c_int, [c_uint64, _in, c_int64, c_int64, _in, c_int64, _i64p, c_int64, c_int64, c_uint64, _coords, _out, _out, c_int64],
    ),
    "gj_pdf_entropy_grad_amortized": (
        c_int,
        [c_uint64, _in, c_int64, c_int64, _in, c_int64, c_int64, c_uint64, _coords, _out, _out, c_int64,
         _out, c_int64, _out, c_int64, _out, c_int64],
    ),
    "gj_pdf_expectation_amortized": (
        c_int,
        [c_uint64, POINTS_FN, c_void_p, _in, c_int64, c_int64, _in, c_int64, c_int64, c_uint64, _coords, c_int,
         _out, _out, c_int64, _out, c_int64, _out, c_int64, _out, c_int64],
    ),
    "gj_pdf_moments_amortized": (
        c_int, [c_uint64, c_int64, _in, c_int64, c_int64, _in, c_int64, c_int64, c_uint64, _coords, _out, _out, c_int64],
    ),
    "gj_pdf_marginal_moments_amortized": (
        c_int, [c_uint64, _in, c_int64, c_int64, _in, c_int64, c_int64, c_uint64, c_double, c_int, c_int64, _out, c_int64, _i64p],
    ),
    "gj_gof_pvalue": (
        c_int,
        [c_uint64, _coords, c_uint64, _in, c_int64, _coords, _in, c_int64, c_int64, c_int64, c_uint64,
         _out, _out, _out, _out, c_int64, _out, c_int64],
    ),
    "gj_pdf_fit_variational": (
        c_int,
        [c_uint64, POINTS_FN, c_void_p, _coords, POINTER(FitOptions), PROGRESS_FN, c_void_p, _out, _out, c_int64, _i64p],
    ),
})


def declare(lib):
    """Set restype and argtypes of every gj_ function on the loaded CDLL ``lib``."""
    for name, (restype, argtypes) in PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
