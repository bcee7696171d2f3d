"""Library-wide functions: info(), set_threads() and the memory budget."""

import ctypes
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
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < 2**31:
        raise ValueError(f"n: expected an int in [0, 2**31), got {n!r}")
    _lib.check(_lib.lib().gj_set_threads(n))


def set_memory_budget(nbytes):
    """Set the memory budget in bytes (process-wide): creating or loading a model, or a call, that
    would need more memory fails with an error naming the argument before anything is allocated.
    0 restores the default (half the physical memory); otherwise at least 2**20."""
    if isinstance(nbytes, bool) or not isinstance(nbytes, int) or not (nbytes == 0 or 2**20 <= nbytes < 2**63):
        raise ValueError(f"nbytes: expected 0 or an int in [2**20, 2**63), got {nbytes!r}")
    _lib.check(_lib.lib().gj_set_memory_budget(nbytes))


def check_memory(name, count, width):
    """Raise ValueError naming ``name`` if ``count`` rows of ``width`` float64 values would exceed
    the memory budget (checked before numpy allocates them)."""
    if isinstance(count, int) and count * width * 8 > memory_budget():
        raise ValueError(
            f"{name}={count}: {count * width * 8 / 1e9:.3g} GB of results exceed the memory budget of "
            f"{memory_budget() / 1e9:.3g} GB (gojammy.set_memory_budget)"
        )


def memory_budget():
    """The memory budget in bytes (see set_memory_budget)."""
    out = ctypes.c_int64(0)
    _lib.check(_lib.lib().gj_memory_budget(ctypes.byref(out)))
    return out.value
