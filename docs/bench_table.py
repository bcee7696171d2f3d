#!/usr/bin/env python3
"""Write docs/benchmarks.md from `go test -bench` output and docs/upstream_benchmarks.json.

Usage:
    go test ./flowcore -run '^$' -bench 'LogDensity|Sample|TrainStep' -cpu 1,2 -benchtime 1s > go_bench.txt
    python3 docs/bench_table.py go_bench.txt > docs/benchmarks.md

Both measurements must come from one run on the same machine (docs/run_benchmarks.sh does both).
"""
import json
import re
import sys
from pathlib import Path

LINE = re.compile(r"^Benchmark(LogDensity|Sample|TrainStep)/(\S+?)_(\S+?)/batch=(\d+)(?:-(\d+))?\s+\d+\s+([\d.]+) ns/op")
KIND = {"LogDensity": "eval", "Sample": "sample", "TrainStep": "train"}


def parse_go(path):
    out = {}
    for line in Path(path).read_text().splitlines():
        m = LINE.match(line)
        if m:
            bench, pdf, flow, batch, cpu, ns = m.groups()
            out[(KIND[bench], pdf, flow, int(batch), int(cpu or 1))] = float(ns) * 1e-9
    return out


def parse_upstream(path):
    data = json.loads(Path(path).read_text())
    out = {}
    for r in data["results"]:
        out[(r["kind"], r["pdf_defs"], r["flow_defs"], r["batch"], r["threads"])] = r["sec_per_call"]
    return data, out


def main():
    go = parse_go(sys.argv[1])
    meta, up = parse_upstream(Path(__file__).with_name("upstream_benchmarks.json"))
    print("# Benchmarks: gojammy vs jammy_flows\n")
    print(f"Machine: {meta['machine']['cpu_model']} ({meta['machine']['nproc']} cores), torch "
          f"{meta['machine']['torch_version']}, float64, default-initialized unconditional models.")
    print("Both columns come from one run of `docs/run_benchmarks.sh` on the same machine (gojammy first, then "
          "jammy_flows); gojammy via `go test -bench` (threads = `-cpu`; raw output in docs/go_benchmarks.txt), "
          "jammy_flows via `docs/bench_upstream.py` (`torch.set_num_threads`; docs/upstream_benchmarks.md keeps "
          "the best of its passes). Ratio = gojammy speed / jammy_flows speed.\n")
    summary = Path(__file__).with_name("benchmarks_summary.md")
    if summary.exists():
        print(summary.read_text())
    for kind, title, unit in [("eval", "Log-density evaluation", "events/s"), ("sample", "Sampling", "events/s"),
                              ("train", "Training step (gradient + Adam)", "ms/step")]:
        print(f"## {title} ({unit})\n")
        print("| pdf | flow | threads | batch | gojammy | jammy_flows | ratio |")
        print("|---|---|---|---|---|---|---|")
        for key in sorted(k for k in go if k[0] == kind):
            _, pdf, flow, batch, thr = key
            g = go[key]
            u = up.get(key)
            if kind == "train":
                gs, us = f"{g * 1e3:.3g}", f"{u * 1e3:.3g}" if u else "–"
            else:
                gs, us = f"{batch / g:.3g}", f"{batch / u:.3g}" if u else "–"
            ratio = f"{u / g:.1f}x" if u else "–"
            print(f"| {pdf} | {flow} | {thr} | {batch} | {gs} | {us} | {ratio} |")
        print()


if __name__ == "__main__":
    main()
