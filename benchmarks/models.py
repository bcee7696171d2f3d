"""The two libraries behind one interface: build a model, evaluate, sample, one training step.

Both sides work in float64 on the same points. jammy_flows is imported from sys.path (never
installed by this repository); its default-initialized parameters are written into the gojammy
model in gojammy's flat order, so both compute the same distribution.
"""

import copy
import itertools
import os
import subprocess

import numpy as np

LEARNING_RATE = 1e-3


def batches(x, cond, batch):
    """Endless (x, cond) mini-batches cycling through the rows of a pool (numpy or torch)."""
    n_batches = max(1, x.shape[0] // batch)
    for k in itertools.cycle(range(n_batches)):
        rows = slice(k * batch, (k + 1) * batch)
        yield x[rows], None if cond is None else cond[rows]


class Gojammy:
    """A gojammy.pdf; training step = ``fit`` on one batch for one epoch (one Adam step,
    with Adam's state created inside the call)."""

    name = "gojammy"

    def __init__(self, gojammy, config, params=None):
        self.lib = gojammy
        self.pdf = gojammy.pdf(config.pdf_defs, config.flow_defs, seed=0, **config.kwargs())
        if params is not None:
            self.pdf.set_parameters(params)

    def set_threads(self, n):
        self.lib.set_threads(n)

    def count(self):
        return int(self.pdf.count_parameters())

    def draw_pool(self, n, cond, seed):
        """n points sampled from the model (one per conditional row if conditional)."""
        return self.pdf.sample(conditional_input=cond, samplesize=n, seed=seed)[0]

    def log_pdf(self, x, cond):
        return self.pdf(x, conditional_input=cond)[0]

    def evaluate(self, x, cond):
        return lambda: self.pdf(x, conditional_input=cond)

    def sample(self, batch, cond):
        return lambda: self.pdf.sample(conditional_input=cond, samplesize=batch)

    def train_step(self, x, cond, batch):
        model = copy.deepcopy(self.pdf)
        data = batches(x, cond, batch)

        def step():
            xb, cb = next(data)
            model.fit(xb, conditional_input=cb, epochs=1, batch_size=batch, learning_rate=LEARNING_RATE,
                      seed=0, progress=False)

        return step


class JammyFlows:
    """A jammy_flows.pdf in float64; training step = zero_grad, forward, backward, Adam step."""

    name = "jammy_flows"

    def __init__(self, jammy_flows, torch, config):
        self.torch = torch
        torch.manual_seed(1)
        self.pdf = jammy_flows.pdf(config.pdf_defs, config.flow_defs, **config.kwargs())
        self.pdf.double()
        self.params = self._default_parameters()
        if self.params.size != self.count():
            raise RuntimeError(f"flattened {self.params.size} parameters, count_parameters() is {self.count()}")

    def _default_parameters(self):
        """The flat parameter vector in gojammy's order (see RUNNING_JAMMY_FLOWS.md): for an
        unconditional first sub-manifold each layer's block as ``layer.init_params`` reads it
        (re-applied so the model holds exactly those values); for every MLP (later
        sub-manifolds, or all of them when conditional) each Linear's weight (out x in,
        row-major), then its bias (an AmortizableMLP: its flat u_v_b_pars row)."""
        flat = []
        for k, layers in enumerate(self.pdf.layer_list):
            mlp = self.pdf.mlp_predictors[k] if k < len(self.pdf.mlp_predictors) else None
            if mlp is None:
                for layer in layers:
                    if layer.get_total_param_num() == 0:
                        continue
                    v = layer.get_desired_init_parameters().double().reshape(-1)
                    layer.init_params(v)
                    flat.append(v.detach().numpy())
                continue
            if hasattr(mlp, "u_v_b_pars"):  # AmortizableMLP: one flat parameter row
                flat.append(mlp.u_v_b_pars.detach().numpy().reshape(-1))
                continue
            for lin in (m for m in mlp.modules() if isinstance(m, self.torch.nn.Linear)):
                flat.append(lin.weight.detach().numpy().reshape(-1))
                flat.append(lin.bias.detach().numpy().reshape(-1))
        return np.concatenate(flat).copy() if flat else np.zeros(0)

    def set_threads(self, n):
        self.torch.set_num_threads(n)

    def count(self):
        return int(self.pdf.count_parameters())

    def _tensor(self, a):
        return None if a is None else self.torch.from_numpy(np.ascontiguousarray(a))

    def log_pdf(self, x, cond):
        with self.torch.no_grad():
            return self.pdf(self._tensor(x), conditional_input=self._tensor(cond))[0].numpy()

    def evaluate(self, x, cond):
        x, cond = self._tensor(x), self._tensor(cond)

        def call():
            with self.torch.no_grad():
                self.pdf(x, conditional_input=cond)

        return call

    def sample(self, batch, cond):
        cond = self._tensor(cond)
        return lambda: self.pdf.sample(conditional_input=cond, samplesize=batch)

    def train_step(self, x, cond, batch):
        model = copy.deepcopy(self.pdf)
        opt = self.torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        data = batches(self._tensor(x), self._tensor(cond), batch)

        def step():
            xb, cb = next(data)
            opt.zero_grad()
            loss = -model(xb, conditional_input=cb)[0].mean()
            loss.backward()
            opt.step()

        return step


def git_commit(path):
    """The commit of the git work tree containing path, or "unknown"."""
    try:
        return subprocess.check_output(["git", "-C", path, "rev-parse", "HEAD"], text=True,
                                       stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def import_jammy_flows():
    """(jammy_flows, torch, commit) in float64 mode, or None when jammy_flows is not importable."""
    try:
        import jammy_flows
        import torch
    except ImportError:
        return None
    torch.set_default_dtype(torch.float64)
    return jammy_flows, torch, git_commit(os.path.dirname(os.path.abspath(jammy_flows.__file__)))
