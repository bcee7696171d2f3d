"""Conversion of user arrays into the C-contiguous float64 arrays the library's prototypes
require (see _api), and output allocation."""

import numpy as np

_F64 = np.dtype(np.float64)


def as_rows(value, name, cols):
    """Return ``value`` as a C-contiguous float64 array of shape (n, cols).

    Lists, other real dtypes and non-contiguous arrays are converted; a 1-D array of length
    ``cols`` is one row (as upstream's ``transform_target_space``). Anything else raises a
    ValueError that names the argument and the expected shape.
    """
    if type(value) is np.ndarray and value.dtype == _F64 and value.ndim == 2 and value.shape[1] == cols and value.flags.c_contiguous:
        return value  # the common case, without further checks
    try:
        arr = np.asarray(value)
    except Exception as e:  # ragged lists and other non-array input
        raise ValueError(f"{name}: cannot be converted to an array of shape (n, {cols}): {e}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise ValueError(f"{name}: expected numbers, got an array of dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise ValueError(f"{name}: expected real numbers, got complex dtype {arr.dtype}")
    if arr.ndim == 1 and arr.shape[0] == cols:
        arr = arr.reshape(1, cols)
    if arr.ndim != 2 or arr.shape[1] != cols:
        raise ValueError(f"{name}: expected shape (n, {cols}) (or ({cols},) for one row), got {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def as_vector(value, name, length):
    """Return ``value`` as a C-contiguous float64 vector of exactly ``length`` entries."""
    try:
        arr = np.asarray(value)
    except Exception as e:
        raise ValueError(f"{name}: cannot be converted to an array of shape ({length},): {e}") from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ValueError(f"{name}: expected real numbers, got an array of dtype {arr.dtype}")
    if arr.shape != (length,):
        raise ValueError(f"{name}: expected shape ({length},), got {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64)


# Up to this many elements, the outputs of one call share one allocation (cheaper for small
# batches); larger outputs get their own arrays, so that keeping one does not keep the others.
_SHARED_BLOCK = 4096


def outputs(n, widths):
    """Allocate float64 output arrays: width None gives shape (n,), an int w gives (n, w). Every
    array is C-contiguous and writable, as the library's output arguments require."""
    shapes = [(n,) if w is None else (n, w) for w in widths]
    sizes = [n if w is None else n * w for w in widths]
    if sum(sizes) > _SHARED_BLOCK:
        return [np.empty(shape) for shape in shapes]
    block = np.empty(sum(sizes))
    arrays, offset = [], 0
    for shape, size in zip(shapes, sizes):
        arrays.append(block[offset : offset + size].reshape(shape))
        offset += size
    return arrays
