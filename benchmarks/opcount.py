"""Count the arithmetic of one log-density evaluation by instrumenting jammy_flows' torch graph.

Every aten operator torch executes during ``pdf(x)`` (no gradient) passes through a
TorchDispatchMode and is classified:

- matrix products (mm, addmm, bmm, ...): 2·k flops per output element (k = contracted size);
- transcendental functions (exp, log, erfinv, tanh, atan2, non-integer pow, ...): one call per
  output element (softplus and logsumexp: an exp per input element plus a log per output one);
- reductions (sum, mean, norm, ...): one flop per input element;
- views, copies, concatenation, allocation and indexing: nothing;
- every other operator (add, mul, div, comparisons, clamp, where, sqrt, ...): one flop per output
  element.

Counts are divided by the batch size: operations on the parameters alone (once per call) are
spread over the batch, so use a large batch. This is the work of jammy_flows' algorithm;
gojammy computes the same functions and may skip some of this work, so the count is an estimate of
the work needed, not a measurement of gojammy.
"""

from torch.utils._python_dispatch import TorchDispatchMode

MATMUL = {"mm", "addmm", "bmm", "baddbmm", "mv", "addmv", "dot", "matmul"}
TRANSCENDENTAL = {
    "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sigmoid", "tanh", "sin", "cos", "tan",
    "asin", "acos", "atan", "atan2", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "erfc", "erfinv",
    "lgamma", "digamma", "special_i0e", "special_i1e", "i0", "special_ndtri", "special_log_ndtr", "logit",
}
TWO_STAGE = {"softplus", "logsumexp"}  # exp per input element, log per output element
REDUCTION = {"sum", "mean", "prod", "amax", "amin", "max", "min", "norm", "linalg_vector_norm", "cumsum",
             "cumprod", "std", "var", "all", "any", "argmax", "argmin"}
NO_ARITHMETIC = {  # names without a trailing "_" (in-place variants count like the others)
    "view", "_unsafe_view", "_reshape_alias", "reshape", "unsqueeze", "squeeze", "permute", "transpose", "t",
    "expand", "slice", "select", "as_strided", "alias", "detach", "lift_fresh", "clone", "copy", "_to_copy",
    "contiguous", "cat", "stack", "repeat", "index", "index_select", "gather", "scatter", "index_put",
    "masked_fill", "zeros", "ones", "zeros_like", "ones_like", "empty", "empty_like", "full", "full_like",
    "new_zeros", "new_ones", "new_empty", "fill", "zero", "eye", "arange", "linspace", "_local_scalar_dense",
    "split", "split_with_sizes", "unbind", "chunk", "flip", "roll", "diag_embed", "diagonal", "tril", "triu",
    "unfold", "narrow", "set", "resize", "bernoulli", "normal", "uniform",
}


def _numel(t):
    return t.numel() if hasattr(t, "numel") else 0


def _first_output(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def _pow_is_transcendental(args):
    exponent = args[1] if len(args) > 1 else None
    return not (isinstance(exponent, (int, float)) and float(exponent).is_integer())


class OpCounter(TorchDispatchMode):
    """Totals of flops, GEMM flops and transcendental calls over the operators it sees."""

    def __init__(self):
        super().__init__()
        self.flops = 0.0
        self.gemm_flops = 0.0
        self.transcendentals = 0.0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        self._count(func.overloadpacket.__name__.rstrip("_"), args, _numel(_first_output(out)))
        return out

    def _count(self, name, args, n_out):
        tensors = [a for a in args if hasattr(a, "shape")]
        if name in MATMUL:
            k = tensors[-2].shape[-1] if len(tensors) >= 2 else 1
            self.gemm_flops += 2.0 * n_out * k
            self.flops += 2.0 * n_out * k
        elif name in TWO_STAGE:
            self.transcendentals += _numel(tensors[0]) + n_out
            self.flops += _numel(tensors[0])
        elif name in TRANSCENDENTAL or (name == "pow" and _pow_is_transcendental(args)):
            self.transcendentals += n_out
        elif name in REDUCTION:
            self.flops += _numel(tensors[0]) if tensors else n_out
        elif name not in NO_ARITHMETIC:
            self.flops += n_out


def count_per_event(evaluate, batch):
    """Run evaluate() (one log-density call on batch points) under the counter; per-event totals."""
    with OpCounter() as c:
        evaluate()
    return {
        "batch": batch,
        "flops": c.flops / batch,
        "gemm_flops": c.gemm_flops / batch,
        "transcendentals": c.transcendentals / batch,
    }
