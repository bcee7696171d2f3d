"""gojammy flows as PyTorch modules: a drop-in ``torch.nn.Module`` replacement for
``jammy_flows.pdf`` whose log-densities and samples are tensors that carry gradients.

    import gojammy.torch
    flow = gojammy.torch.pdf("e1+s2", "gg+f", conditional_input_dim=4)
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(flow.parameters()), lr=1e-3)
    loss = -flow(x, conditional_input=encoder(d))[0].mean()
    loss.backward(); optimizer.step()

The module's only parameter is the flow's flat parameter vector (``flow.params``, float64, in
jammy_flows' order). Evaluation and sampling run in libgojammy; their backward steps are the
library's vector-Jacobian products, so gradients reach the parameters, the points and the
conditional inputs (and, through them, an encoder). PyTorch is imported only by this module;
``import gojammy`` never needs it.
"""

import numpy as np
import torch

from ._checks import require_default, seed_for
from ._pdf import from_bytes
from ._pdf import pdf as numpy_pdf

__all__ = ["pdf", "wrap"]


def _array(t):
    """A float64 numpy copy of a tensor (None stays None)."""
    if t is None:
        return None
    return t.detach().to("cpu", torch.float64).numpy().copy()


class _Conditional:
    """A conditional input as autograd sees it: its tensors in a flat tuple, and how to rebuild
    the argument (one tensor, or a list with None entries) from arrays."""

    def __init__(self, value):
        self.is_list = isinstance(value, (list, tuple))
        entries = list(value) if self.is_list else ([] if value is None else [value])
        self.present = [e is not None for e in entries]
        self.tensors = tuple(torch.as_tensor(e) for e in entries if e is not None)

    def arrays(self, tensors):
        """The numpy form of the argument, from the given tensors."""
        arrays = iter([_array(t) for t in tensors])
        if not self.is_list:
            return next(arrays, None)
        return [next(arrays) if p else None for p in self.present]

    def gradients(self, grad):
        """The gradients for the flat tensors from the library's gradient in argument form."""
        if grad is None:
            return tuple(None for _ in self.tensors)
        parts = grad if self.is_list else [grad]
        return tuple(torch.from_numpy(np.ascontiguousarray(g)) for g in parts if g is not None)


def _gradient(grad, like):
    """A library gradient as a tensor of like's dtype (None when like is None)."""
    if like is None or grad is None:
        return None
    return torch.from_numpy(np.ascontiguousarray(grad)).to(like.dtype)


class _LogPDF(torch.autograd.Function):
    """log p(x) with the library's vector-Jacobian product as backward step (base_log_pdf and
    base positions are returned without gradients)."""

    @staticmethod
    def forward(ctx, module, coords, cond, params, x, amort, *cond_tensors):
        flow = module._synced()
        x_np, cond_np = _array(x), cond.arrays(cond_tensors)
        log_pdf, base_log_pdf, base = flow(x_np, cond_np, _array(amort), *coords)
        ctx.module, ctx.coords, ctx.cond, ctx.has_amort = module, coords, cond, amort is not None
        ctx.save_for_backward(params, x, *([amort] if amort is not None else []), *cond_tensors)
        out = [torch.from_numpy(v) for v in (log_pdf, base_log_pdf, base)]
        ctx.mark_non_differentiable(out[1], out[2])
        return tuple(out)

    @staticmethod
    def backward(ctx, d_log_pdf, _d_base_log_pdf, _d_base):
        params, x, *rest = ctx.saved_tensors
        amort, cond_tensors = (rest[0], rest[1:]) if ctx.has_amort else (None, rest)
        flow = ctx.module._synced()
        emb, intr = ctx.coords
        _, grads = flow.log_pdf_vjp(
            _array(x), d_log_pdf=_array(d_log_pdf), conditional_input=ctx.cond.arrays(cond_tensors),
            force_embedding_coordinates=emb, force_intrinsic_coordinates=intr, amortization_parameters=_array(amort),
        )
        g_params = torch.from_numpy(grads["parameters"]).to(params.dtype)
        g_x = torch.from_numpy(grads["x"]).to(x.dtype)
        return (None, None, None, g_params, g_x, _gradient(grads["amortization_parameters"], amort)) + ctx.cond.gradients(
            grads["conditional_input"]
        )


class _Sample(torch.autograd.Function):
    """Seeded sampling with the library's vector-Jacobian product of sampling as backward step
    (reparameterization gradients; base points and base_log_pdf without gradients)."""

    @staticmethod
    def forward(ctx, module, coords, cond, samplesize, seed, params, amort, *cond_tensors):
        flow = module._synced()
        emb, intr = coords
        samples, base, log_pdf, base_log_pdf = flow.sample(
            cond.arrays(cond_tensors), samplesize, seed, amortization_parameters=_array(amort),
            force_embedding_coordinates=emb, force_intrinsic_coordinates=intr,
        )
        ctx.module, ctx.coords, ctx.cond, ctx.samplesize, ctx.seed = module, coords, cond, samplesize, seed
        ctx.has_amort = amort is not None
        ctx.save_for_backward(params, *([amort] if amort is not None else []), *cond_tensors)
        out = [torch.from_numpy(v) for v in (samples, base, log_pdf, base_log_pdf)]
        ctx.mark_non_differentiable(out[1], out[3])
        return tuple(out)

    @staticmethod
    def backward(ctx, d_samples, _d_base, d_log_pdf, _d_base_log_pdf):
        params, *rest = ctx.saved_tensors
        amort, cond_tensors = (rest[0], rest[1:]) if ctx.has_amort else (None, rest)
        flow = ctx.module._synced()
        emb, intr = ctx.coords
        _, _, grads = flow.sample_vjp(
            d_samples=_array(d_samples), d_log_pdf=_array(d_log_pdf), conditional_input=ctx.cond.arrays(cond_tensors),
            samplesize=ctx.samplesize, seed=ctx.seed, force_embedding_coordinates=emb, force_intrinsic_coordinates=intr,
            amortization_parameters=_array(amort),
        )
        g_params = torch.from_numpy(grads["parameters"]).to(params.dtype)
        return (None, None, None, None, None, g_params, _gradient(grads["amortization_parameters"], amort)) + ctx.cond.gradients(
            grads["conditional_input"]
        )


class pdf(torch.nn.Module):
    """A gojammy flow as a ``torch.nn.Module``: the constructor takes ``gojammy.pdf``'s (that is
    jammy_flows') arguments; ``forward``/``__call__`` and ``sample`` take upstream's arguments
    and return float64 tensors that carry gradients (``sample`` with ``allow_gradients=True``).
    Other attributes and methods (``count_parameters``, ``pdf_defs``, ``set_embedding_flags``,
    ...) are those of the wrapped ``gojammy.pdf``, always with the module's current
    parameters."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self._adopt(numpy_pdf(*args, **kwargs))

    def _adopt(self, flow):
        """Take flow (a gojammy.pdf) as the engine and its parameters as the module's."""
        object.__setattr__(self, "_flow", flow)
        self.params = torch.nn.Parameter(torch.from_numpy(flow.get_parameters().copy()))
        object.__setattr__(self, "_synced_state", None)

    def _synced(self):
        """The engine, with the module's current parameter values (copied into the library when
        the tensor changed: an optimizer step, load_state_dict, a dtype or device move)."""
        p = self.params
        state = (id(p), p._version, p.data_ptr(), p.dtype)
        if state != self._synced_state:
            self._flow.set_parameters(_array(p))
            object.__setattr__(self, "_synced_state", state)
        return self._flow

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name.startswith("_") or name == "params" or "_flow" not in self.__dict__:
                raise
            return getattr(self._synced(), name)

    def forward(
        self,
        x,
        conditional_input=None,
        amortization_parameters=None,
        force_embedding_coordinates=False,
        force_intrinsic_coordinates=False,
        only_last=False,
    ):
        """Log-density of the rows of x (jammy_flows' positional order): returns tensors
        (log_pdf (n,), base_log_pdf (n,), base_positions (n, total_base_dim)). log_pdf carries
        gradients with respect to the parameters, x, the conditional input and the
        amortization parameters (amortize_everything)."""
        require_default("only_last", only_last, False)
        cond = _Conditional(conditional_input)
        x = torch.as_tensor(x)
        if x.ndim == 1:
            x = x.unsqueeze(0)
        amort = None if amortization_parameters is None else torch.as_tensor(amortization_parameters)
        coords = (force_embedding_coordinates, force_intrinsic_coordinates)
        return _LogPDF.apply(self, coords, cond, self.params, x, amort, *cond.tensors)

    def sample(
        self,
        conditional_input=None,
        samplesize=1,
        seed=None,
        allow_gradients=False,
        amortization_parameters=None,
        force_embedding_coordinates=False,
        force_intrinsic_coordinates=False,
        failsafe_crosscheck_tolerance=None,
        dtype=None,
        device=None,
        only_last=False,
    ):
        """Draw samples as ``gojammy.pdf.sample``: returns tensors (samples, base_samples,
        log_pdf, base_log_pdf). With ``allow_gradients=True`` samples and log_pdf carry
        reparameterization gradients with respect to the parameters, the conditional input and
        the amortization parameters, so E_q[f(x)] estimated from them gets its total gradient."""
        require_default("failsafe_crosscheck_tolerance", failsafe_crosscheck_tolerance, None)
        require_default("only_last", only_last, False)
        if dtype is not None and dtype != torch.float64:
            raise NotImplementedError(f"dtype={dtype!r}: gojammy samples in float64 only")
        if device is not None and str(device) != "cpu":
            raise NotImplementedError(f"device={device!r}: gojammy runs on the CPU only")
        cond = _Conditional(conditional_input)
        coords = (force_embedding_coordinates, force_intrinsic_coordinates)
        amort = None if amortization_parameters is None else torch.as_tensor(amortization_parameters)
        args = (self, coords, cond, samplesize, seed_for(seed), self.params, amort) + cond.tensors
        if allow_gradients:
            return _Sample.apply(*args)
        with torch.no_grad():
            return _Sample.apply(*args)

    def init_params(self, *args, **kwargs):
        """``gojammy.pdf.init_params``, writing the new values into the module's parameter; returns
        what it returns (the initial amortization row of an amortize_everything PDF)."""
        flow = self._synced()
        result = flow.init_params(*args, **kwargs)
        with torch.no_grad():
            self.params.copy_(torch.from_numpy(flow.get_parameters()).to(self.params.dtype))
        self._synced()
        return result

    def to_numpy_pdf(self):
        """An independent ``gojammy.pdf`` with the module's current parameters."""
        return from_bytes(self._synced().to_bytes())


def wrap(flow):
    """A ``gojammy.torch.pdf`` module around an existing ``gojammy.pdf`` (which it then drives:
    the module's parameter values are written into it)."""
    if not isinstance(flow, numpy_pdf):
        raise TypeError(f"wrap: expected a gojammy.pdf, got {type(flow).__name__}")
    module = pdf.__new__(pdf)
    torch.nn.Module.__init__(module)
    module._adopt(flow)
    return module

