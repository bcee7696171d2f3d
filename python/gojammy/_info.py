"""Library-wide functions: info() and set_threads()."""

import json

from . import _lib
from ._version import __version__


def info():
    """Versions, CPU features, the kernel implementation in use and the number of threads.

    Returns the library's description (version, abi_version, go_version, os, arch, cpu,
    cpu_features, x86_level, kernel_implementation, kernels -- the implementation each kernel
    family runs, e.g. {"gemm": "avx2", "vecmath": "avx2", "mixture": "avx2", "rqspline": "avx2"} --,
    kernel_requested, kernel_note, kernel_available, threads, num_cpu) plus the Python
    package's version and the path of the loaded library.
    """
    status, text = _lib.read_string(_lib.lib().gj_info, size=4096)
    _lib.check(status)
    out = json.loads(text)
    out["python_package_version"] = __version__
    out["library_path"] = _lib.loaded_path()
    return out


def set_threads(n):
    """Set the number of worker threads the library uses for large batches (0: one per CPU)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n: expected an int >= 0, got {n!r}")
    _lib.check(_lib.lib().gj_set_threads(n))
