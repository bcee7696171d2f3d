"""Concurrent calls from Python threads give the same numbers as serial calls."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import gojammy
from models import make, points


def test_concurrent_evaluation_equals_serial():
    pdf = make(("e2+i1_-1.0_2.0", "gg+r", {}))
    rng = np.random.default_rng(0)
    batches = [points(pdf, int(n), rng) for n in rng.integers(1, 700, size=24)]
    serial = [pdf(x) for x in batches]
    serial_grad = [pdf.log_pdf_and_grad(x) for x in batches[:6]]
    serial_samples = [pdf.sample(samplesize=300, seed=s) for s in range(6)]
    with ThreadPoolExecutor(max_workers=8) as ex:
        par = list(ex.map(pdf, batches))
        par_grad = list(ex.map(pdf.log_pdf_and_grad, batches[:6]))
        par_samples = list(ex.map(lambda s: pdf.sample(samplesize=300, seed=s), range(6)))
    for got, want in zip(par + par_grad + par_samples, serial + serial_grad + serial_samples):
        for a, b in zip(got, want):
            assert np.array_equal(a, b, equal_nan=True)


def test_threads_setting_does_not_change_results():
    pdf = make(("e2", "gg", {}))
    x = points(pdf, 3000, np.random.default_rng(1))
    try:
        gojammy.set_threads(1)
        one = pdf.log_pdf_and_grad(x)
        gojammy.set_threads(2)
        two = pdf.log_pdf_and_grad(x)
    finally:
        gojammy.set_threads(0)
    for a, b in zip(one, two):
        assert np.array_equal(a, b)


def test_calls_run_in_parallel_without_the_gil():
    # while one thread is inside a long library call, another Python thread keeps running
    pdf = make(("e2", "gggg", {}))
    x = points(pdf, 200000, np.random.default_rng(2))
    done = threading.Event()
    ticks = []

    def ticker():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        pdf(x)
    finally:
        done.set()
        t.join()
    assert len(ticks) > 3


def test_close_while_other_threads_evaluate():
    pdf = make(("e2", "gg", {}))
    x = points(pdf, 2000, np.random.default_rng(3))
    errors, results = [], []

    def work():
        for _ in range(20):
            try:
                results.append(pdf(x)[0])
            except gojammy.GojammyError as e:
                errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    pdf.close()
    for t in threads:
        t.join()
    ref = results[0] if results else None
    assert all(np.array_equal(r, ref) for r in results)
    assert all("closed" in str(e) or "handle" in str(e) for e in errors)
