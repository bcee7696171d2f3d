"""gojammy.dask on a real dask.distributed LocalCluster with two worker processes: evaluation
and sampling over chunked dask arrays equal the in-process results exactly, and data-parallel
training (gradients reduced in Dask) follows one-process full-batch training."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
import gojammy  # noqa: E402
import gojammy.dask as gjd  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


@pytest.mark.filterwarnings("ignore:Sending large graph")
def test_evaluation_over_partitions_equals_in_process(client):
    pdf = gojammy.pdf("e2", "gggg", seed=1)
    x = np.random.default_rng(0).normal(size=(1_000_000, 2))
    lazy = gjd.log_pdf(pdf, da.from_array(x, chunks=(250_000, 2)))
    assert lazy.npartitions == 4
    np.testing.assert_array_equal(client.compute(lazy).result(), pdf(x)[0])


def test_conditional_evaluation_and_sampling(client):
    pdf = gojammy.pdf("e1+s2", "g+f", conditional_input_dim=2, seed=2)
    c = np.random.default_rng(1).normal(size=(3000, 2))
    x = pdf.sample(conditional_input=c, seed=3)[0]
    lazy = gjd.log_pdf(pdf, da.from_array(x, chunks=(1000, 3)), conditional_input=da.from_array(c, chunks=(700, 2)))
    np.testing.assert_array_equal(client.compute(lazy).result(), pdf(x, c)[0])
    plain = gojammy.pdf("s2", "f", seed=4)
    drawn = client.compute(gjd.sample(plain, 2500, chunk=1000, seed=9)).result()
    expected = np.concatenate([plain.sample(samplesize=s, seed=9 + k)[0] for k, s in enumerate([1000, 1000, 500])])
    np.testing.assert_array_equal(drawn, expected)


def adam_full_batch(pdf, x, steps, lr, betas=(0.9, 0.999), eps=1e-8):
    """One-process full-batch Adam on the mean negative log-likelihood (the reference)."""
    theta = pdf.get_parameters()
    m, v, losses = np.zeros_like(theta), np.zeros_like(theta), []
    for step in range(1, steps + 1):
        pdf.set_parameters(theta)
        log_pdf, grads = pdf.log_pdf_vjp(x)
        loss, grad = -log_pdf.mean(), -grads["parameters"] / len(x)
        m = betas[0] * m + (1 - betas[0]) * grad
        v = betas[1] * v + (1 - betas[1]) * grad * grad
        theta = theta - lr * (m / (1 - betas[0] ** step)) / (np.sqrt(v / (1 - betas[1] ** step)) + eps)
        losses.append(loss)
    pdf.set_parameters(theta)
    return losses


def test_data_parallel_training_matches_one_process(client):
    x = np.random.default_rng(5).normal(size=(4000, 2)) * [1.0, 0.3]
    a, b = gojammy.pdf("e2", "gg", seed=6), gojammy.pdf("e2", "gg", seed=6)
    history = gjd.fit(a, da.from_array(x, chunks=(1000, 2)), steps=8, learning_rate=2e-2, client=client)
    reference = adam_full_batch(b, x, 8, 2e-2)
    np.testing.assert_allclose(history["loss"], reference, rtol=1e-9)
    np.testing.assert_allclose(a.get_parameters(), b.get_parameters(), rtol=1e-9, atol=1e-12)
    assert history["loss"][-1] < history["loss"][0]


def test_argument_errors():
    pdf = gojammy.pdf("e2", "gg", seed=1)
    with pytest.raises(ValueError, match="x"):
        gjd.log_pdf(pdf, da.zeros((10, 3), chunks=(5, 3)))
    with pytest.raises(TypeError, match="pdf"):
        gjd.log_pdf("not a pdf", da.zeros((10, 2), chunks=(5, 2)))
    with pytest.raises(ValueError, match="unconditional"):
        gjd.sample(gojammy.pdf("e2", "gg", conditional_input_dim=1), 10)
