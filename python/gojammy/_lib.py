"""Finding, loading and checking libgojammy, and turning its status codes into exceptions."""

import ctypes
import os
import threading

from . import _api
from ._errors import GojammyError, GojammyValueError
from ._version import __version__

LIBRARY_NAME = "libgojammy.so"
#: Environment variable naming a libgojammy.so to use instead of the packaged one.
LIBRARY_ENV = "GOJAMMY_LIBRARY"

_lock = threading.Lock()
_lib = None
_lib_path = None

#: The error of every call in a fork()ed child of a process that had loaded the library.
FORK_MESSAGE = (
    "gojammy cannot run in a fork()ed child of a process that used it (the Go runtime does not "
    "survive fork); use the spawn or forkserver start method (multiprocessing.get_context('spawn'))"
)
_forked = False


def _after_fork_in_child():
    """Mark the library unusable in a fork()ed child if the parent had loaded it (a child of a
    process that never used it loads its own copy)."""
    global _forked
    if _lib is not None:
        _forked = True


os.register_at_fork(after_in_child=_after_fork_in_child)


def forked():
    """Whether this process is a fork()ed child of one that had loaded the library."""
    return _forked

# Status codes that mean the caller passed something malformed: raised as ValueErrors too.
_VALUE_STATUSES = (_api.ERR_ARGUMENT, _api.ERR_DEFINITION, _api.ERR_NULL_POINTER)


def library_path():
    """The path of the library to load: $GOJAMMY_LIBRARY if set, else the packaged one."""
    override = os.environ.get(LIBRARY_ENV)
    if override:
        if not os.path.isfile(override):
            raise GojammyError(f"{LIBRARY_ENV}={override!r}: no such file")
        return os.path.abspath(override)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), LIBRARY_NAME)
    if not os.path.isfile(path):
        raise GojammyError(
            f"{LIBRARY_NAME} not found in {os.path.dirname(path)}: install gojammy with "
            f"'pip install .' (builds the library; needs Go and a C compiler), or set {LIBRARY_ENV} "
            f"to a built library ('make lib')"
        )
    return path


def read_string(fn, *args, size=256):
    """Call a gj_ function that writes a string into (buf, len), growing buf until it fits."""
    while True:
        buf = ctypes.create_string_buffer(size)
        status = fn(*args, buf, size)
        if status == _api.ERR_BUFFER_TOO_SMALL and size < (1 << 26):
            size *= 4
            continue
        return status, buf.value.decode("utf-8", errors="replace")


def _load():
    path = library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise GojammyError(f"cannot load {path}: {e}") from None
    try:
        _api.declare(lib)
    except AttributeError as e:
        raise GojammyError(f"{path} is not a compatible libgojammy (missing symbol: {e})") from None
    abi = lib.gj_abi_version()
    if abi != _api.ABI_VERSION:
        raise GojammyError(
            f"{path} has ABI version {abi}, this gojammy package needs {_api.ABI_VERSION}: rebuild the "
            f"library from the same source ('pip install .' or 'make lib')"
        )
    status, version = read_string(lib.gj_version)
    if status != _api.OK or version != __version__:
        raise GojammyError(
            f"{path} is libgojammy {version!r}, this gojammy package is {__version__!r}: rebuild the "
            f"library from the same source ('pip install .' or 'make lib')"
        )
    return lib, path


def lib():
    """The loaded, checked library (loaded once per process, on first use)."""
    global _lib, _lib_path
    if _forked:
        raise GojammyError(FORK_MESSAGE)
    if _lib is None:
        with _lock:
            if _lib is None:
                _lib, _lib_path = _load()
    return _lib


def loaded_path():
    """The path of the loaded library (loading it if needed)."""
    lib()
    return _lib_path


def last_error():
    """The library's message for the most recent failing call on this thread."""
    _, msg = read_string(lib().gj_last_error, size=1024)
    return msg


def error_for(status, context=None):
    """The exception for a failed call's status, with the library's message."""
    msg = last_error()
    if not msg:
        _, msg = read_string(lib().gj_status_string, status)
    if context:
        msg = f"{context}: {msg}"
    cls = GojammyValueError if status in _VALUE_STATUSES else GojammyError
    err = cls(msg)
    err.status = status
    return err


def check(status, context=None):
    """Raise the matching exception unless status is GJ_OK."""
    if status != _api.OK:
        raise error_for(status, context)
