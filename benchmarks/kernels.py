"""Reference kernels: numpy's matrix product (OpenBLAS) on the seed example's MLP shapes, gojammy's
own GEMM from ``go test ./simd -bench Dgemm``, and numpy's exp/log throughput.

Also controls OpenBLAS's thread count: numpy and (Debian's) torch share one OpenBLAS, whose threads
torch.set_num_threads does not limit, so a one-thread comparison must set it too.
"""

import ctypes
import re
import subprocess

import numpy as np

from timing import measure

# The seed example "e4+s2+e4", "gggg+n+gggg" conditions s2 on e4 through an MLP 4 -> 128 -> 1281 and
# the second e4 on e4+s2 (7 embedding coordinates) through 7 -> 128 -> 548. simd/gemm_bench_test.go
# lists its products at batch 10,000 (and 256 for training): forward layers, torch's x·Wᵀ and the
# backward products; numpy runs the same list (read from that file) plus the 548-wide layer.
GEMM_BENCH_SOURCE = "simd/gemm_bench_test.go"
_SHAPE_ROW = re.compile(r'\{"([^"]+)",\s*(true|false),\s*(true|false),\s*(\d+),\s*(\d+),\s*(\d+)\}')
EXTRA_SHAPES = [("10000x128*128x548", False, False, 10000, 548, 128)]  # name, transA, transB, m, n, k

GO_GEMM_COMMAND = ["go", "test", "./simd", "-run", "^$", "-bench", "Dgemm", "-benchtime", "0.3s"]
_GO_LINE = re.compile(r"^BenchmarkDgemm/(\S+?)/(\S+?)(?:-\d+)?\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) GFLOP/s")


def _loaded_openblas():
    """The OpenBLAS library this process has loaded (numpy's), or None."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "openblas" in line and "/" in line}
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_set_num_threads"):
            return lib
    return None


class BlasThreads:
    """Sets OpenBLAS's thread count (a no-op if numpy does not use OpenBLAS)."""

    def __init__(self):
        self.lib = _loaded_openblas()

    @property
    def available(self):
        return self.lib is not None

    def set(self, n):
        if self.lib is not None:
            self.lib.openblas_set_num_threads(n)


def gemm_shapes(repo):
    """(name, transA, transB, m, n, k) of the Go GEMM benchmark, plus EXTRA_SHAPES."""
    rows = _SHAPE_ROW.findall((repo / GEMM_BENCH_SOURCE).read_text())
    return [(name, ta == "true", tb == "true", int(m), int(n), int(k)) for name, ta, tb, m, n, k in rows] + EXTRA_SHAPES


def numpy_gemm(shapes, threads, blas, policy):
    """GFLOP/s of numpy's C = op(A)·op(B) (alpha 1, beta 0, as the Go benchmark) per shape and
    thread count."""
    out = []
    for name, ta, tb, m, n, k in shapes:
        opa = np.full((k, m), 0.5).T if ta else np.full((m, k), 0.5)
        opb = np.full((n, k), 0.5).T if tb else np.full((k, n), 0.5)
        c = np.zeros((m, n))
        for t in threads:
            blas.set(t)
            r = measure(lambda: np.matmul(opa, opb, out=c), policy)
            out.append({"shape": name, "threads": t, "gflops": 2.0 * m * n * k / r["sec_per_call"] / 1e9})
    return out


def go_gemm(repo):
    """gojammy's GEMM kernels (one thread) and gonum's, parsed from ``go test -bench Dgemm``:
    a list of {"kernel", "shape", "gflops"}."""
    text = subprocess.run(GO_GEMM_COMMAND, cwd=repo, capture_output=True, text=True, check=True).stdout
    return [{"kernel": m.group(1), "shape": m.group(2), "gflops": float(m.group(3))}
            for m in map(_GO_LINE.match, text.splitlines()) if m]


def transcendental_rate(policy):
    """Calls per second of numpy's exp and log on 100,000 float64 values (one thread)."""
    x = np.linspace(0.1, 10.0, 100_000)
    out = np.empty_like(x)
    return {fn.__name__: x.size / measure(lambda fn=fn: fn(x, out=out), policy)["sec_per_call"]
            for fn in (np.exp, np.log)}
