"""Processes: in a fork()ed child of a process that used the library every call raises a clear
error instead of hanging (the Go runtime does not survive fork); spawn and forkserver pools work
with pickled models."""

import multiprocessing
import sys

import numpy as np
import pytest

import gojammy
from tests_helpers_fork import evaluate, try_in_child  # noqa: F401  (module-level workers)


@pytest.mark.skipif(sys.platform != "linux", reason="fork semantics tested on Linux")
def test_forked_child_gets_a_clear_error():
    pdf = gojammy.pdf("e2", "gg", seed=1)
    x = np.zeros((3, 2))
    pdf(x)  # the parent has used the library
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=try_in_child, args=(pdf, x, queue))
    child.start()
    message = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert "fork()ed child" in message and "spawn" in message, message
    np.testing.assert_array_equal(pdf(x)[0], pdf(x)[0])  # the parent is unaffected


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_spawn_and_forkserver_pools(method):
    pdf = gojammy.pdf("e2+s2", "gg+f", seed=2)
    x = pdf.sample(samplesize=400, seed=3)[0]
    chunks = np.array_split(x, 4)
    with multiprocessing.get_context(method).Pool(2) as pool:
        results = pool.starmap(evaluate, [(pdf, c) for c in chunks])
    np.testing.assert_array_equal(np.concatenate(results), pdf(x)[0])
