"""gojammy on a Dask cluster (``dask.distributed``): evaluation and sampling over chunked dask
arrays, and data-parallel training whose gradient reduction happens in Dask.

    import gojammy.dask as gjd
    log_pdf = gjd.log_pdf(pdf, x)                      # x: dask array (n, dim), chunked by rows
    samples = gjd.sample(pdf, 10**7, chunk=10**6, seed=1)
    history = gjd.fit(pdf, x, steps=200, learning_rate=1e-2, client=client)

Models travel to the workers pickled (a few hundred kB for typical flows; they are sent once per
call). Start worker processes with Dask's default ``spawn`` method: a ``fork``ed child of a
process that has used the library cannot run it (the Go runtime does not survive fork).
Dask is imported only by this module; ``import gojammy`` never needs it.
"""

import numpy as np

import dask
import dask.array as da

from ._checks import positive_int, positive_number, seed_for
from ._pdf import pdf as _pdf

__all__ = ["log_pdf", "sample", "fit"]

# _META tells dask the block type of a log-density array, so that it never calls a worker
# function to guess it.
_META = np.empty((0,), dtype=np.float64)


def _rows(x, dim, name):
    """x as a dask array of float64 rows of width dim, chunked by rows only."""
    x = da.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"{name}: expected a dask array of shape (n, {dim}), got {x.shape}")
    if len(x.chunks[1]) != 1:
        x = x.rechunk({1: -1})
    return x


def _dim(pdf):
    """The width of a point in the PDF's default coordinates."""
    return pdf._coords("default")[1]


def _model(pdf):
    if not isinstance(pdf, _pdf):
        raise TypeError(f"pdf: expected a gojammy.pdf, got {type(pdf).__name__}")
    return pdf


def log_pdf(pdf, x, conditional_input=None):
    """log p of the rows of x (a dask array (n, dim) in the PDF's default coordinates, chunked
    by rows; conditional_input a dask array (n, cond_dim) chunked like it, for a conditional
    PDF): a lazy dask array (n,). Each chunk is evaluated by the model on a worker; the numbers
    equal an in-process evaluation bit for bit."""
    pdf = _model(pdf)
    x = _rows(x, _dim(pdf), "x")
    model = dask.delayed(pdf, traverse=False)
    if conditional_input is None:
        return x.map_blocks(_log_pdf_block, model, None, drop_axis=1, dtype=np.float64, meta=_META)
    c = _rows(conditional_input, pdf._cond_dim, "conditional_input").rechunk({0: x.chunks[0]})
    return da.map_blocks(_log_pdf_block, x, model, c, drop_axis=1, dtype=np.float64, meta=_META)


def _log_pdf_block(x, model, cond):
    return model(x, cond)[0]


def sample(pdf, n, chunk=100_000, seed=None):
    """n samples of an unconditional PDF as a lazy dask array (n, dim) in chunks of ``chunk``
    rows; chunk k is drawn with the seed seed + k (seed=None draws one from numpy's global
    generator), so the samples do not depend on the cluster."""
    pdf = _model(pdf)
    if pdf._cond_dim:
        raise ValueError("pdf: sample draws from an unconditional PDF; map log_pdf-style over conditional inputs instead")
    n, chunk, seed = positive_int(n, "n", allow_zero=True), positive_int(chunk, "chunk"), seed_for(seed)
    model = dask.delayed(pdf, traverse=False)
    sizes = [min(chunk, n - lo) for lo in range(0, n, chunk)]
    dim = _dim(pdf)
    parts = [
        da.from_delayed(dask.delayed(_sample_block)(model, size, seed + k), shape=(size, dim), dtype=np.float64)
        for k, size in enumerate(sizes)
    ]
    return da.concatenate(parts, axis=0) if parts else da.zeros((0, dim), chunks=(1, dim))


def _sample_block(model, size, seed):
    return model.sample(samplesize=size, seed=seed % 2**64)[0]


def fit(pdf, x, steps=100, learning_rate=1e-2, conditional_input=None, client=None, betas=(0.9, 0.999), eps=1e-8):
    """Data-parallel full-batch training: every step each chunk of x computes the gradient of its
    summed log-likelihood on a worker (``log_pdf_vjp``), Dask sums the chunks' gradients and
    losses, and Adam updates the parameters here, which travel to the workers with the next step.
    The loss is the mean negative log-likelihood over all rows. Returns {"loss": [loss per
    step]} and leaves the trained parameters in pdf. client: a dask.distributed Client (None: the
    default scheduler)."""
    pdf = _model(pdf)
    steps, learning_rate = positive_int(steps, "steps"), positive_number(learning_rate, "learning_rate")
    x = _rows(x, _dim(pdf), "x")
    chunks = x.to_delayed().ravel()
    conds = [None] * len(chunks)
    if conditional_input is not None:
        conds = list(_rows(conditional_input, pdf._cond_dim, "conditional_input").rechunk({0: x.chunks[0]}).to_delayed().ravel())
    if client is not None:
        chunks = client.persist(list(chunks))
        conds = client.persist(conds) if conditional_input is not None else conds
    n = x.shape[0]
    theta = pdf.get_parameters()
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    history = []
    for step in range(1, steps + 1):
        pdf.set_parameters(theta)
        model = dask.delayed(pdf.to_bytes(), traverse=False)
        parts = [dask.delayed(_gradient_block)(model, c, cond) for c, cond in zip(chunks, conds)]
        total = dask.delayed(_sum_parts)(parts)
        loss_sum, grad_sum = (client.compute(total).result() if client is not None else total.compute())
        loss, grad = -loss_sum / n, -grad_sum / n
        m = betas[0] * m + (1 - betas[0]) * grad
        v = betas[1] * v + (1 - betas[1]) * grad * grad
        m_hat, v_hat = m / (1 - betas[0] ** step), v / (1 - betas[1] ** step)
        theta = theta - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
        history.append(float(loss))
    pdf.set_parameters(theta)
    return {"loss": history}


def _gradient_block(model_bytes, x, cond):
    """(sum of log p, gradient of the sum with respect to the parameters) of one chunk."""
    from ._pdf import from_bytes

    model = from_bytes(model_bytes)
    log_pdf, grads = model.log_pdf_vjp(x, conditional_input=cond)
    finite = np.isfinite(log_pdf)
    return float(log_pdf[finite].sum()), grads["parameters"]


def _sum_parts(parts):
    """The sums of the chunks' losses and gradients, in chunk order."""
    loss, grad = 0.0, None
    for part_loss, part_grad in parts:
        loss += part_loss
        grad = part_grad.copy() if grad is None else grad + part_grad
    return loss, grad
