"""Measure numpy's (OpenBLAS) single-thread matmul on BenchmarkDgemm's shapes, in GFLOP/s.

Run: OPENBLAS_NUM_THREADS=1 python3 simd/testdata/numpy_gemm.py
Numbers are indicative on a shared machine. C = A·B is overwritten, as BenchmarkDgemm does
(alpha = 1, beta = 0); the best of five runs is reported.
"""
import time

import numpy as np

SHAPES = [  # name, transA, transB, m, n, k (as in gemm_bench_test.go)
    ("10000x128*128x1281", False, False, 10000, 1281, 128),
    ("10000x7*7x128", False, False, 10000, 128, 7),
    ("10000x4*4x128", False, False, 10000, 128, 4),
    ("10000x128*128x128", False, False, 10000, 128, 128),
    ("256x128*128x1281", False, False, 256, 1281, 128),
    ("10000x128*(1281x128)T", False, True, 10000, 1281, 128),
    ("(10000x128)T*10000x1281", True, False, 128, 1281, 10000),
    ("10000x1281*1281x128", False, False, 10000, 128, 1281),
]

for name, ta, tb, m, n, k in SHAPES:
    a = np.full((k, m) if ta else (m, k), 0.5)
    b = np.full((n, k) if tb else (k, n), 0.5)
    c = np.zeros((m, n))
    opa, opb = (a.T if ta else a), (b.T if tb else b)
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        np.matmul(opa, opb, out=c)
        best = min(best, time.perf_counter() - t)
    print(f"numpy/{name}\t{2 * m * n * k / best / 1e9:.2f} GFLOP/s")
