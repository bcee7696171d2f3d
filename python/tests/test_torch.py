"""The PyTorch bridge (gojammy.torch): gradients through log_pdf and samples equal the library's
vector-Jacobian products (themselves checked against finite differences in test_vjp.py), the
module behaves as an nn.Module (parameters, state_dict, optimizers), an encoder trains end to
end through the flow, and two-process DistributedDataParallel matches one process."""

import math
import os
import socket

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import gojammy  # noqa: E402
import gojammy.torch as gjt  # noqa: E402

MODELS = [
    ("e2+i1", "gg+r", {}),
    ("s2", "f", {}),
    ("e2", "gg", {"conditional_input_dim": 2, "amortization_mlp_dims": "8"}),
    ("e1+s2", "g+f", {"conditional_input_dim": [2, None], "amortization_mlp_dims": "8"}),
]


def conditional(flow, n, rng, requires_grad=False):
    dims = flow.conditional_input_dim
    if dims is None:
        return None

    def tensor(d):
        return torch.tensor(rng.normal(size=(n, d)), requires_grad=requires_grad)

    if isinstance(dims, list):
        return [None if d is None else tensor(d) for d in dims]
    return tensor(dims)


def numpy_cond(cond):
    if cond is None:
        return None
    if isinstance(cond, list):
        return [None if c is None else c.detach().numpy() for c in cond]
    return cond.detach().numpy()


def cond_tensors(cond):
    if cond is None:
        return []
    return [c for c in cond if c is not None] if isinstance(cond, list) else [cond]


@pytest.mark.parametrize("m", MODELS, ids=lambda m: f"{m[0]}:{m[1]}")
def test_log_pdf_gradients_are_the_vjp(m):
    rng = np.random.default_rng(1)
    flow = gjt.pdf(m[0], m[1], seed=3, **m[2])
    n = 5
    cond = conditional(flow, n, rng, requires_grad=True)
    x = flow.sample(conditional_input=cond, samplesize=n, seed=2)[0].clone().requires_grad_(True)
    log_pdf, base_log_pdf, base = flow(x, cond)
    assert log_pdf.dtype == torch.float64 and log_pdf.requires_grad and not base.requires_grad
    w = torch.tensor(rng.normal(size=n))
    (w * log_pdf).sum().backward()
    ref_log_pdf, grads = flow.to_numpy_pdf().log_pdf_vjp(x.detach().numpy(), d_log_pdf=w.numpy(), conditional_input=numpy_cond(cond))
    np.testing.assert_array_equal(log_pdf.detach().numpy(), ref_log_pdf)
    np.testing.assert_array_equal(flow.params.grad.numpy(), grads["parameters"])
    np.testing.assert_array_equal(x.grad.numpy(), grads["x"])
    ref = grads["conditional_input"]
    for c, g in zip(cond_tensors(cond), cond_tensors(ref if isinstance(ref, list) else ([ref] if ref is not None else []))):
        np.testing.assert_array_equal(c.grad.numpy(), g)


@pytest.mark.parametrize("m", MODELS, ids=lambda m: f"{m[0]}:{m[1]}")
def test_sample_gradients_are_the_vjp(m):
    rng = np.random.default_rng(2)
    flow = gjt.pdf(m[0], m[1], seed=4, **m[2])
    n = 4
    cond = conditional(flow, n, rng, requires_grad=True)
    samples, base, log_pdf, base_log_pdf = flow.sample(conditional_input=cond, samplesize=n, seed=9, allow_gradients=True)
    assert samples.requires_grad and log_pdf.requires_grad and not base.requires_grad
    a, b = torch.tensor(rng.normal(size=tuple(samples.shape))), torch.tensor(rng.normal(size=n))
    ((a * samples).sum() + (b * log_pdf).sum()).backward()
    ref = flow.to_numpy_pdf().sample_vjp(d_samples=a.numpy(), d_log_pdf=b.numpy(), conditional_input=numpy_cond(cond), samplesize=n, seed=9)
    np.testing.assert_array_equal(samples.detach().numpy(), ref[0])
    np.testing.assert_array_equal(flow.params.grad.numpy(), ref[2]["parameters"])
    # without allow_gradients: the same draws, no graph
    plain = flow.sample(conditional_input=cond, samplesize=n, seed=9)
    assert not plain[0].requires_grad
    np.testing.assert_array_equal(plain[0].numpy(), samples.detach().numpy())


def test_module_behaviour():
    flow = gjt.pdf("e2", "gg", seed=5)
    assert [p.numel() for p in flow.parameters()] == [flow.count_parameters()]
    assert flow.pdf_defs == "e2" and flow.total_target_dim_intrinsic == 2
    x = torch.tensor(np.random.default_rng(0).normal(size=(6, 2)))
    before = flow(x)[0].detach().clone()
    optimizer = torch.optim.Adam(flow.parameters(), lr=0.05)
    loss = -flow(x)[0].mean()
    loss.backward()
    optimizer.step()
    after = flow(x)[0].detach()
    assert not torch.equal(before, after)
    np.testing.assert_array_equal(after.numpy(), flow.to_numpy_pdf()(x.numpy())[0])
    state = {k: v.clone() for k, v in flow.state_dict().items()}
    other = gjt.pdf("e2", "gg", seed=6)
    other.load_state_dict(state)
    np.testing.assert_array_equal(other(x)[0].detach().numpy(), after.numpy())
    assert flow.double() is flow
    wrapped = gjt.wrap(gojammy.pdf("e2", "gg", seed=5))
    np.testing.assert_array_equal(wrapped(x)[0].detach().numpy(), before.numpy())
    with pytest.raises(ValueError, match="amortization_parameters"):
        flow(x, None, np.ones((6, 3)))
    with pytest.raises(TypeError, match="gojammy.pdf"):
        gjt.wrap(flow)


def true_conditional(d, rng=None):
    """x | d ~ N(mu(d), sigma(d)): mean and width of the encoder test's data."""
    mu = np.sin(2 * d[:, 0]) + 0.5 * d[:, 1]
    sigma = 0.2 + 0.3 * np.abs(d[:, 0])
    return mu, sigma


def test_encoder_trains_through_the_flow():
    """A two-layer encoder and a conditional flow trained together with Adam: the held-out
    log-likelihood approaches the true conditional density's."""
    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    n_train, n_test = 6000, 2000
    d = rng.uniform(-1, 1, size=(n_train + n_test, 2))
    mu, sigma = true_conditional(d)
    x = (mu + sigma * rng.normal(size=len(d)))[:, None]
    d_t, x_t = torch.tensor(d), torch.tensor(x)
    encoder = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 4)).double()
    flow = gjt.pdf("e1", "gg", conditional_input_dim=4, amortization_mlp_dims="32", seed=1)
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(flow.parameters()), lr=1e-2)
    for step in range(600):
        idx = torch.as_tensor(rng.integers(0, n_train, 256))
        loss = -flow(x_t[idx], conditional_input=encoder(d_t[idx]))[0].mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        held_out = flow(x_t[n_train:], conditional_input=encoder(d_t[n_train:]))[0].mean().item()
    truth = np.mean(-0.5 * ((x[n_train:, 0] - mu[n_train:]) / sigma[n_train:]) ** 2 - np.log(sigma[n_train:]) - 0.5 * math.log(2 * math.pi))
    assert held_out > truth - 0.05, (held_out, truth)


def _ddp_worker(rank, world, port, path, data):
    """One rank of the DistributedDataParallel test: trains on its half of every batch."""
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    torch.distributed.init_process_group("gloo", rank=rank, world_size=world)
    flow = gjt.pdf("e2", "gg", seed=11)
    model = torch.nn.parallel.DistributedDataParallel(flow)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.tensor(data)
    half = len(x) // world
    for _ in range(5):
        loss = -model(x[rank * half : (rank + 1) * half])[0].mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if rank == 0:
        np.save(path, flow.params.detach().numpy())
    torch.distributed.destroy_process_group()


def test_distributed_data_parallel_matches_one_process(tmp_path):
    data = np.random.default_rng(3).normal(size=(400, 2))
    path = str(tmp_path / "ddp.npy")
    with socket.socket() as sock:  # a free port for the process group
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    torch.multiprocessing.spawn(_ddp_worker, args=(2, port, path, data), nprocs=2, join=True)
    flow = gjt.pdf("e2", "gg", seed=11)
    optimizer = torch.optim.Adam(flow.parameters(), lr=1e-2)
    x = torch.tensor(data)
    for _ in range(5):
        loss = -flow(x)[0].mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose(np.load(path), flow.params.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_amortization_parameters_get_gradients():
    """amortize_everything: per-event amortization parameters (e.g. predicted by an encoder) get
    the gradients of the library's vector-Jacobian products."""
    flow = gjt.pdf("e1+s2", "g+f", amortize_everything=True, amortization_mlp_use_custom_mode=True, seed=2)
    row = flow.init_params(seed=3)
    rng = np.random.default_rng(4)
    amort = torch.tensor(np.tile(row, (4, 1)) + 0.05 * rng.normal(size=(4, row.size)), requires_grad=True)
    samples, _, log_pdf, _ = flow.sample(amortization_parameters=amort, seed=5, allow_gradients=True)
    (samples.sum() + log_pdf.sum()).backward()
    ref = flow.to_numpy_pdf().sample_vjp(d_samples=np.ones(tuple(samples.shape)), d_log_pdf=np.ones(4),
                                         amortization_parameters=amort.detach().numpy(), seed=5)
    np.testing.assert_array_equal(amort.grad.numpy(), ref[2]["amortization_parameters"])
    amort.grad = None
    x = samples.detach()
    lp = flow(x, amortization_parameters=amort)[0]
    lp.sum().backward()
    _, grads = flow.to_numpy_pdf().log_pdf_vjp(x.numpy(), amortization_parameters=amort.detach().numpy())
    np.testing.assert_array_equal(amort.grad.numpy(), grads["amortization_parameters"])
