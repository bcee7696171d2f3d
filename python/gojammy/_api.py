"""ctypes prototypes of include/gojammy.h (the C contract, ABI version 1)."""

import ctypes
from ctypes import POINTER, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint64, c_void_p

#: The ABI version of include/gojammy.h these prototypes were written against (GJ_ABI_VERSION).
ABI_VERSION = 2

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

# Coordinate choices (enum gj_coords).
COORDS_DEFAULT = 0
COORDS_INTRINSIC = 1
COORDS_EMBEDDING = 2


class FitOptions(ctypes.Structure):
    """struct gj_fit_options."""

    _fields_ = [
        ("epochs", c_int64),
        ("steps", c_int64),
        ("batch_size", c_int64),
        ("learning_rate", c_double),
        ("seed", c_uint64),
        ("patience", c_int64),
        ("clip_norm", c_double),
    ]


#: typedef int (*gj_progress_fn)(void*, int64_t step, int64_t epoch, double loss, double val_loss)
PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_int64, c_int64, c_double, c_double)

_dbl = c_void_p  # double arrays are passed as raw addresses of C-contiguous float64 numpy data
_u64p = POINTER(c_uint64)
_i64p = POINTER(c_int64)
_intp = POINTER(c_int)

PROTOTYPES = {
    "gj_abi_version": (c_int, []),
    "gj_version": (c_int, [c_char_p, c_size_t]),
    "gj_info": (c_int, [c_char_p, c_size_t]),
    "gj_set_threads": (c_int, [c_int]),
    "gj_last_error": (c_int, [c_char_p, c_size_t]),
    "gj_status_string": (c_int, [c_int, c_char_p, c_size_t]),
    "gj_pdf_create": (c_int, [c_char_p, c_char_p, c_char_p, c_int, c_char_p, _u64p]),
    "gj_pdf_load": (c_int, [c_char_p, _u64p]),
    "gj_pdf_save": (c_int, [c_uint64, c_char_p]),
    "gj_pdf_load_buffer": (c_int, [c_char_p, c_int64, _u64p]),
    "gj_pdf_save_buffer": (c_int, [c_uint64, c_void_p, c_int64, _i64p]),
    "gj_pdf_free": (c_int, [c_uint64]),
    "gj_pdf_dims": (c_int, [c_uint64, c_int, _i64p, _i64p, _i64p, _i64p]),
    "gj_pdf_describe": (c_int, [c_uint64, c_char_p, c_size_t]),
    "gj_pdf_log_density": (c_int, [c_uint64, _dbl, c_int64, c_int64, _dbl, c_int64, c_int, _dbl, _dbl, _dbl]),
    "gj_pdf_grad": (c_int, [c_uint64, _dbl, c_int64, c_int64, _dbl, c_int64, c_int, _dbl, _dbl, c_int64, _dbl]),
    "gj_pdf_sample": (c_int, [c_uint64, c_int64, _dbl, c_int64, c_uint64, c_int, _dbl, c_int64, _dbl, _dbl, _dbl]),
    "gj_pdf_get_params": (c_int, [c_uint64, _dbl, c_int64]),
    "gj_pdf_get_embedding_flags": (c_int, [c_uint64, _intp, c_int64]),
    "gj_pdf_transform_target_space": (c_int, [c_uint64, _dbl, c_int64, c_int64, c_int, c_int, _dbl, c_int64, _dbl]),
    "gj_pdf_set_params": (c_int, [c_uint64, _dbl, c_int64]),
    "gj_pdf_set_embedding_flags": (c_int, [c_uint64, c_int, c_int]),
    "gj_pdf_init_params": (c_int, [c_uint64, _dbl, c_int64, c_int64, c_double, c_uint64]),
    "gj_fit_options_init": (c_int, [POINTER(FitOptions)]),
    "gj_pdf_fit": (
        c_int,
        [
            c_uint64, _dbl, c_int64, c_int64,  # handle, data, n, data_len
            _dbl, c_int64,  # cond, cond_len
            _dbl, c_int64, c_int64,  # val_data, n_val, val_len
            _dbl, c_int64,  # val_cond, val_cond_len
            POINTER(FitOptions), PROGRESS_FN, c_void_p,  # opts, progress, user_data
            _dbl, _dbl, c_int64, _i64p,  # loss_history, val_history, history_len, n_history
        ],
    ),
    "gj_pdf_last_error": (c_int, [c_uint64, c_char_p, c_size_t]),
}


def declare(lib):
    """Set restype and argtypes of every gj_ function on the loaded CDLL ``lib``."""
    for name, (restype, argtypes) in PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
