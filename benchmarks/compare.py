#!/usr/bin/env python3
"""Benchmark gojammy against jammy_flows in one process and write docs/benchmarks.md.

Usage (from the repository root, after `make lib`; Debian's python3-torch for jammy_flows):

    /usr/bin/python3 benchmarks/compare.py --upstream-tree /tmp/jf --gemm   # jammy_flows v1.1.0
    /usr/bin/python3 benchmarks/compare.py --upstream-tree /tmp/jf_02       # the seed example
    /usr/bin/python3 benchmarks/compare.py --quick --only e2:gggg           # smoke test, seconds
    /usr/bin/python3 benchmarks/compare.py --render-only    # docs/benchmarks.md from results.json

benchmarks/run.sh runs the two full passes. /tmp/jf and /tmp/jf_02 are work trees of jammy_flows
at HEAD and at 02ed589 (RUNNING_JAMMY_FLOWS.md); the layer `n` of the seed example
"e4+s2+e4", "gggg+n+gggg" exists only at 02ed589. Each configuration names the jammy_flows tree it
needs, and a run measures only the configurations of the tree it imported, so the two passes
measure disjoint sets. Every run merges its entries into the results JSON (replacing older
entries with the same key) and re-renders the markdown from the whole JSON. Without an
importable jammy_flows every configuration runs on gojammy alone. gojammy is imported from the
repository's python/ and build/libgojammy.so unless PYTHONPATH / GOJAMMY_LIBRARY say otherwise.

Per configuration: build the jammy_flows model (float64, torch.manual_seed(1)), flatten its
default-initialized parameters in gojammy's order and load them into a gojammy.pdf; draw a pool of
points from the gojammy model (and standard-normal conditional inputs); compare both libraries'
log-densities on 1,000 of them (ratios are reported only if they agree to 1e-8); count the
arithmetic of one jammy_flows evaluation (opcount.py, for the roofline estimate); then for each
thread count, operation and batch size time gojammy and jammy_flows back to back (timing.py).
models.py says what one call of each operation is in each library; report.py renders the page.
--gemm adds numpy's matrix product on the seed example's MLP shapes (one thread and all threads)
and gojammy's own GEMM from `go test ./simd -bench Dgemm` (kernels.py).

A full run (both passes) is expected to take about 30 minutes on 2 cores: jammy_flows sampling at
batch 100,000 takes up to a minute per call, which is then timed once (timing.Policy).
"""

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

import kernels
import models
import report
import timing
from opcount import count_per_event

REPO = Path(__file__).resolve().parent.parent
SEED_TREE = "02ed589"
PARITY_POINTS = 1000
PARITY_TOLERANCE = 1e-8
OPCOUNT_BATCH = 1000


@dataclasses.dataclass(frozen=True)
class Config:
    pdf_defs: str
    flow_defs: str
    cond_dim: int = 0
    tree: str = "head"  # the jammy_flows tree it needs: "head" or SEED_TREE
    # a custom conditioning MLP (upstream's AmortizableMLP): its rank (int) or ranks (dash string;
    # "" = the default MLP), hidden widths and highway mode
    mlp_ranks: object = ""
    mlp_dims: str = "128"
    highway: int = 0
    # the largest |Δ log p| between the libraries at which the ratios are reported: c integrates
    # an ODE, and upstream's charts limit its accuracy to ~1e-5 (docs/differences.md)
    parity_tolerance: float = PARITY_TOLERANCE

    @property
    def key(self):
        key = f"{self.pdf_defs}:{self.flow_defs}" + (f":c{self.cond_dim}" if self.cond_dim else "")
        if self.mlp_ranks:
            key += f":mlp{self.mlp_dims}r{self.mlp_ranks}h{self.highway}"
        return key

    def kwargs(self):
        """The constructor keywords beyond the definitions, the same for both libraries."""
        kw = {"conditional_input_dim": self.cond_dim or None, "amortization_mlp_dims": self.mlp_dims}
        if self.mlp_ranks:
            kw.update(amortization_mlp_use_custom_mode=True, amortization_mlp_ranks=self.mlp_ranks,
                      amortization_mlp_highway_mode=self.highway)
        return kw


CONFIGS = [
    Config("e2", "gggg"), Config("e10", "gggg"), Config("e1", "g"), Config("i1", "r"),
    Config("s1", "o"), Config("s1", "m"), Config("s2", "f"), Config("s2", "v"),
    Config("e4+s2+e4", "gggg+f+gggg"), Config("e4+s2+e4", "gggg+n+gggg", tree=SEED_TREE),
    Config("e2", "gggg", cond_dim=8), Config("s2", "v", cond_dim=8),
    Config("e2", "gggg", cond_dim=8, mlp_ranks=10, mlp_dims="64-64", highway=2),
    Config("a2", "w"), Config("s2", "c", parity_tolerance=3e-5),
]
BATCHES = {"eval": (1, 100, 10_000, 100_000), "sample": (1, 100, 10_000, 100_000), "train": (1, 100, 256, 10_000)}
QUICK_BATCHES = (1, 100)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--upstream-tree", help="import jammy_flows from this directory (plus --stubs)")
    p.add_argument("--stubs", default=str(REPO.parent / "shared/reference/peer_stubs"),
                   help="stand-ins for jammy_flows' optional imports, added with --upstream-tree")
    p.add_argument("--torchdiffeq", help="a directory holding torchdiffeq (pip install --target DIR "
                   "torchdiffeq), searched before --stubs: jammy_flows' layer c (s2:c) needs it")
    p.add_argument("--quick", action="store_true", help="smoke test: batches 1 and 100, one thread, short timings")
    p.add_argument("--only", help="comma-separated configuration keys, e.g. e2:gggg,s2:v:c8")
    p.add_argument("--kinds", default="eval,sample,train", help="operations to time")
    p.add_argument("--batches", help="comma-separated batch sizes for every operation")
    p.add_argument("--threads", help="comma-separated thread counts (default: 1 and all CPUs)")
    p.add_argument("--gemm", action="store_true", help="also measure numpy's and gojammy's GEMM")
    p.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine")
    p.add_argument("--render-only", action="store_true", help="only re-render --md from --out")
    p.add_argument("--out", help="results JSON (default benchmarks/results.json; --quick: build/bench_quick.json)")
    p.add_argument("--md", help="markdown page (default docs/benchmarks.md; --quick: build/bench_quick.md)")
    args = p.parse_args()
    quick_dir = REPO / "build"
    args.out = Path(args.out or (quick_dir / "bench_quick.json" if args.quick else REPO / "benchmarks/results.json"))
    args.md = Path(args.md or (quick_dir / "bench_quick.md" if args.quick else REPO / "docs/benchmarks.md"))
    args.kinds = args.kinds.split(",")
    args.threads = _ints(args.threads) or ((1,) if args.quick else (1, os.cpu_count()))
    args.batches = {k: _ints(args.batches) or (QUICK_BATCHES if args.quick else BATCHES[k]) for k in args.kinds}
    args.only = set(args.only.split(",")) if args.only else None
    policy = timing.QUICK if args.quick else timing.FULL
    args.policy = dataclasses.replace(policy, quiet_wait=0.0) if args.no_wait else policy
    return args


def _ints(text):
    return tuple(int(v) for v in text.split(",")) if text else None


def import_libraries(args):
    """gojammy, and (jammy_flows, torch, commit) or None."""
    if args.upstream_tree:
        sys.path[:0] = [args.upstream_tree] + ([args.torchdiffeq] if args.torchdiffeq else []) + [args.stubs]
    library = REPO / "build/libgojammy.so"
    if "GOJAMMY_LIBRARY" not in os.environ and library.exists():
        os.environ["GOJAMMY_LIBRARY"] = str(library)
    try:
        import gojammy
    except ImportError:
        sys.path.append(str(REPO / "python"))
        import gojammy
    return gojammy, models.import_jammy_flows()


def select_configs(args, upstream):
    """The configurations this run measures: those of the imported jammy_flows tree (all of them
    without jammy_flows), restricted by --only."""
    unknown = (args.only or set()) - {c.key for c in CONFIGS}
    if unknown:
        sys.exit(f"unknown configurations {sorted(unknown)}; known: {[c.key for c in CONFIGS]}")
    tree = None if upstream is None else (SEED_TREE if upstream[2].startswith(SEED_TREE) else "head")
    chosen = []
    for c in CONFIGS:
        if args.only and c.key not in args.only:
            continue
        if tree is not None and c.tree != tree:
            print(f"skip {c.key}: needs the jammy_flows tree {c.tree}", file=sys.stderr)
            continue
        chosen.append(c)
    return chosen


def cpu_info():
    """CPU model, core count, clock and vector features from /proc/cpuinfo."""
    fields = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            name, _, value = line.partition(":")
            fields.setdefault(name.strip(), value.strip())
    flags = fields.get("flags", "").split()
    return {"cpu_model": fields.get("model name", platform.processor()), "cores": os.cpu_count(),
            "clock_mhz": float(fields.get("cpu MHz", "nan")), "avx2": "avx2" in flags, "fma": "fma" in flags,
            "platform": platform.platform()}


def versions(gojammy, upstream, blas):
    out = {"gojammy": gojammy.__version__, "gojammy_commit": models.git_commit(str(REPO)),
           "gojammy_kernels": gojammy.info()["kernel_implementation"], "numpy": np.__version__,
           "python": platform.python_version(), "openblas_thread_control": blas.available}
    if upstream is not None:
        out["torch"] = upstream[1].__version__
    return out


class Libraries:
    """The libraries of one configuration and the thread setting shared by them and OpenBLAS."""

    def __init__(self, gojammy, upstream, config, blas):
        self.blas = blas
        self.jf = None if upstream is None else models.JammyFlows(upstream[0], upstream[1], config)
        self.go = models.Gojammy(gojammy, config, None if self.jf is None else self.jf.params)
        self.all = [self.go] + ([self.jf] if self.jf else [])

    def set_threads(self, n):
        for lib in self.all:
            lib.set_threads(n)
        self.blas.set(n)


def parity(libs, x, cond):
    """max |Δ log p| between the libraries on the first PARITY_POINTS points (0 where both are
    the same infinity)."""
    rows = slice(0, PARITY_POINTS)
    c = None if cond is None else cond[rows]
    a, b = (lib.log_pdf(x[rows], c) for lib in (libs.go, libs.jf))
    diff = np.where(a == b, 0.0, np.abs(a - b))
    return float(np.max(np.nan_to_num(diff, nan=np.inf)))


def describe_config(config, libs, x, cond, commit):
    """The configuration's entry in the results JSON (parity and operation counts)."""
    info = {"pdf_defs": config.pdf_defs, "flow_defs": config.flow_defs, "conditional_input_dim": config.cond_dim,
            "count": libs.go.count(), "params_match": None}
    if libs.jf is None:
        return info
    diff = parity(libs, x, cond)
    n = min(OPCOUNT_BATCH, x.shape[0])
    ops = count_per_event(libs.jf.evaluate(x[:n], None if cond is None else cond[:n]), n)
    print(f"{config.key}: {info['count']} parameters, max |d log p| = {diff:.2e}", flush=True)
    return {**info, "jammy_flows_commit": commit, "max_abs_dlogp": diff, "params_match": diff <= config.parity_tolerance,
            "ops": ops}


def operation(lib, kind, x, cond, batch):
    """The call to time."""
    c = None if cond is None else cond[:batch]
    if kind == "eval":
        return lib.evaluate(np.ascontiguousarray(x[:batch]), c)
    if kind == "sample":
        return lib.sample(batch, c)
    return lib.train_step(x, cond, batch)


def time_entry(lib, kind, x, cond, batch, policy):
    try:
        return timing.measure(operation(lib, kind, x, cond, batch), policy)
    except Exception as e:  # noqa: BLE001 - a failing entry is recorded, the run goes on
        return {"error": repr(e)}


def run_config(config, libs, x, cond, args):
    """Time every (threads, kind, batch, library) entry of one configuration."""
    results = []
    for threads in args.threads:
        libs.set_threads(threads)
        timing.wait_quiet(args.policy)
        for kind in args.kinds:
            for batch in args.batches[kind]:
                for lib in libs.all:
                    r = time_entry(lib, kind, x, cond, batch, args.policy)
                    results.append({"config": config.key, "lib": lib.name, "threads": threads, "kind": kind,
                                    "batch": batch, **r})
                    speed = r.get("error") or f"{r['sec_per_call'] * 1e3:10.4g} ms/call"
                    print(f"{config.key:24s} {lib.name:11s} thr={threads} {kind:6s} B={batch:<7d} {speed}", flush=True)
    return results


def measure_config(config, gojammy, upstream, blas, args):
    libs = Libraries(gojammy, upstream, config, blas)
    libs.set_threads(os.cpu_count())
    pool = max(PARITY_POINTS, *(max(b) for b in args.batches.values()))
    rng = np.random.default_rng(3)
    cond = rng.standard_normal((pool, config.cond_dim)) if config.cond_dim else None
    x = libs.go.draw_pool(pool, cond, seed=3)
    info = describe_config(config, libs, x, cond, upstream and upstream[2])
    return info, run_config(config, libs, x, cond, args)


def load(path, machine):
    """The results JSON to merge into; a fresh one if missing or measured on another CPU."""
    if path.exists():
        data = json.loads(path.read_text())
        if data["machine"]["cpu_model"] == machine["cpu_model"] and data["machine"]["cores"] == machine["cores"]:
            return data
        print(f"{path}: measured on another machine, starting afresh", file=sys.stderr)
    return {"machine": machine, "runs": [], "configs": {}, "results": []}


def merge(data, run, configs, results):
    """Replace the configurations and entries measured again, keep the others; list only the
    runs that still own an entry."""
    for item in [*configs.values(), *results]:
        item["run"] = run
    key = ("config", "lib", "threads", "kind", "batch")
    fresh = {tuple(r[k] for k in key) for r in results}
    data["results"] = [r for r in data["results"] if tuple(r[k] for k in key) not in fresh] + results
    data["configs"].update(configs)
    order = [c.key for c in CONFIGS]
    data["configs"] = dict(sorted(data["configs"].items(), key=lambda kv: order.index(kv[0])))
    owners = {r["run"] for r in [*data["results"], *data["configs"].values()]} | {data["kernels_run"]}
    data["runs"] = [r for r in data["runs"] if r["date"] in owners]


def measure_kernels(data, run, blas, args):
    """numpy's exp/log rates, and with --gemm the GEMM references."""
    blas.set(1)
    data["kernels_run"] = run
    data["transcendental_rate"] = kernels.transcendental_rate(args.policy)
    if not args.gemm:
        return
    data["gemm"] = {"numpy": kernels.numpy_gemm(kernels.gemm_shapes(REPO), args.threads, blas, args.policy), "go": [],
                    "go_command": " ".join(kernels.GO_GEMM_COMMAND)}
    try:
        data["gemm"]["go"] = kernels.go_gemm(REPO)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"go GEMM benchmark failed: {e}", file=sys.stderr)


def main():
    args = parse_args()
    if args.render_only:
        save(json.loads(args.out.read_text()), args)
        return
    gojammy, upstream = import_libraries(args)
    blas = kernels.BlasThreads()
    configs = select_configs(args, upstream)
    machine = cpu_info()
    data = load(args.out, machine)
    data["machine"] = machine
    data["versions"] = versions(gojammy, upstream, blas)
    run = datetime.datetime.now().isoformat(timespec="seconds")
    data["runs"].append({"date": run, "quick": args.quick,
                         "command": " ".join(["python3"] + [shlex.quote(a) for a in sys.argv]),
                         "jammy_flows_commit": upstream[2] if upstream else None,
                         "configs": [c.key for c in configs]})
    measure_kernels(data, run, blas, args)
    merge(data, run, {}, [])
    save(data, args)
    for config in configs:
        info, results = measure_config(config, gojammy, upstream, blas, args)
        merge(data, run, {config.key: info}, results)
        save(data, args)


def save(data, args):
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    source = args.out.resolve().relative_to(REPO) if args.out.resolve().is_relative_to(REPO) else args.out
    args.md.write_text(report.render(data, source) + "\n")
    print(f"wrote {args.out} and {args.md}", flush=True)


if __name__ == "__main__":
    main()
