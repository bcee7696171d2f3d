"""Vector-Jacobian products of ``gojammy.pdf``: the gradients of any scalar built from log_pdf
and from samples, for differentiable expectations and for other autodiff systems (gojammy.torch)."""

import numpy as np

from . import _heads
from ._arrays import as_rows, as_vector, outputs
from ._checks import coords_for, seed_for
from ._lib import check, lib


class GradientsMixin:
    """The vector-Jacobian methods of ``gojammy.pdf`` (it supplies ``handle``, ``_coords``,
    ``_cond_rows``, ``_sample_rows``, ``_n_params``, ``_cond_dim``, ``_n_amort``, ``_takes_amortization``,
    ``conditional_input_dim`` and ``total_base_dim``)."""

    def log_pdf_vjp(
        self,
        x,
        d_log_pdf=None,
        conditional_input=None,
        force_embedding_coordinates=False,
        force_intrinsic_coordinates=False,
        amortization_parameters=None,
    ):
        """The backward step of ``pdf(x)``: returns (log_pdf (n,), gradients), gradients being
        the gradients of sum(d_log_pdf * log_pdf) -- d_log_pdf (n,) is the gradient of a loss
        with respect to log_pdf, None means ones -- as a dict with "parameters"
        (count_parameters(),), "x" (n, dim), "conditional_input" (as given: an array, or a list
        with None entries; None for an unconditional PDF) and "amortization_parameters" ((n,
        total_number_amortizable_params) for an amortize_everything PDF, else None). Rows with a
        non-finite log_pdf do not contribute (their gradient rows are 0, or NaN for rows with
        NaN)."""
        coords, dim = self._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
        h = self.handle
        x = as_rows(x, "x", dim)
        n = x.shape[0]
        cond = self._cond_rows(conditional_input, n)
        amort = _heads.amortization_rows(self, amortization_parameters, n)
        weights = None if d_log_pdf is None else as_vector(d_log_pdf, "d_log_pdf", n)
        grad_params = np.zeros(self._n_params)
        log_pdf, grad_x, grad_cond, grad_amort = outputs(n, (None, dim, self._cond_dim, self._amort_width()))
        if n:
            check(
                lib().gj_pdf_log_density_vjp(
                    h, x, n, x.size, *_optional(cond), *_optional(amort), coords,
                    *_optional(weights), log_pdf, grad_params, self._n_params, grad_x, grad_x.size,
                    *_optional(grad_cond if cond is not None else None), *_optional(grad_amort if amort is not None else None),
                )
            )
        grads = {
            "parameters": grad_params,
            "x": grad_x,
            "conditional_input": self._cond_like(grad_cond, conditional_input, cond),
            "amortization_parameters": grad_amort if amort is not None else None,
        }
        return log_pdf, grads

    def sample_vjp(
        self,
        d_samples=None,
        d_log_pdf=None,
        conditional_input=None,
        samplesize=1,
        seed=None,
        force_embedding_coordinates=False,
        force_intrinsic_coordinates=False,
        amortization_parameters=None,
    ):
        """The backward step of ``sample``: draws as ``sample(conditional_input, samplesize,
        seed)`` does (the same seed gives the same samples; seed=None draws one from numpy's
        global generator) and returns (samples (N, dim), log_pdf (N,), gradients). gradients are
        the reparameterization gradients of sum(d_samples * samples) + sum(d_log_pdf * log_pdf)
        -- the gradients of a loss with respect to samples and log_pdf; None means zero -- as a
        dict with "parameters", "conditional_input" (as given), "amortization_parameters" (for an
        amortize_everything PDF, which draws one sample per row of them; else None) and "base"
        (N, total_base_dim), through every root finder of the sampling direction by the
        implicit-function rule."""
        coords, dim = self._coords(coords_for(force_embedding_coordinates, force_intrinsic_coordinates))
        h = self.handle
        cond, amort, n = self._sample_rows(conditional_input, amortization_parameters, samplesize)
        d_x = None if d_samples is None else as_rows(d_samples, "d_samples", dim)
        if d_x is not None and d_x.shape[0] != n:
            raise ValueError(f"d_samples: has {d_x.shape[0]} rows, the call draws {n} samples")
        d_l = None if d_log_pdf is None else as_vector(d_log_pdf, "d_log_pdf", n)
        seed = seed_for(seed)
        grad_params = np.zeros(self._n_params)
        samples, log_pdf, grad_cond, grad_amort, grad_base = outputs(
            n, (dim, None, self._cond_dim, self._amort_width(), self.total_base_dim)
        )
        if n:
            check(
                lib().gj_pdf_sample_vjp(
                    h, n, *_optional(cond), *_optional(amort), seed, coords, *_optional(d_x), *_optional(d_l),
                    samples, samples.size, log_pdf, grad_params, self._n_params,
                    *_optional(grad_cond if cond is not None else None), *_optional(grad_amort if amort is not None else None),
                    grad_base, grad_base.size,
                )
            )
        grads = {
            "parameters": grad_params,
            "conditional_input": self._cond_like(grad_cond, conditional_input, cond),
            "amortization_parameters": grad_amort if amort is not None else None,
            "base": grad_base,
        }
        return samples, log_pdf, grads

    def _amort_width(self):
        """The width of the amortization rows (0 for a PDF that takes none)."""
        return self._n_amort if self._takes_amortization else 0

    def _cond_like(self, grad, conditional_input, cond):
        """The gradient with respect to the conditional input in the form it was given: None for
        an unconditional PDF, a list (None entries kept) for a list, one array otherwise (summed
        over the sub-manifolds when one array conditioned all of them)."""
        if cond is None:
            return None
        dims = self.conditional_input_dim if isinstance(self.conditional_input_dim, list) else None
        if dims is None:
            return grad
        parts, offset = [], 0
        for d in dims:
            if d is None:
                parts.append(None)
                continue
            parts.append(grad[:, offset : offset + d])
            offset += d
        if isinstance(conditional_input, (list, tuple)):
            return parts
        return np.sum([p for p in parts if p is not None], axis=0)


def _optional(array):
    """An optional array argument of the C API: (array, its size), or (None, 0)."""
    return (None, 0) if array is None else (array, array.size)
