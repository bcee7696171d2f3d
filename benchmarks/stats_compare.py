#!/usr/bin/env python3
"""Time gojammy's statistics against jammy_flows' (entropy, marginal entropies, marginal_moments)
on the same models and print a markdown table for docs/benchmarks.md.

Usage (from the repository root, after `make lib`; on a quiet machine, as benchmarks/run.sh):

    PYTHONPATH=/tmp/jf /usr/bin/python3 benchmarks/stats_compare.py            # jammy_flows v1.1.0
    PYTHONPATH=/tmp/jf /usr/bin/python3 benchmarks/stats_compare.py --quick    # smoke test

Both libraries hold the same parameters (jammy_flows' default initialization, flattened in
gojammy's order by models.JammyFlows) and compute the same estimator at the same sample size;
the table shows both values (they agree within the Monte-Carlo error) and the seconds per call
(timing.measure: the median of repeats).
"""

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "python"))

import models  # noqa: E402
import timing  # noqa: E402
from compare import Config  # noqa: E402

# (config, statistic, samplesize): "entropy" is the total entropy, "marginal" the entropy of the
# last sub-manifold's marginal (samplesize^2 evaluations), "moments" marginal_moments.
CASES = [
    (Config("e2", "gggg"), "entropy", 10_000),
    (Config("s2", "f"), "entropy", 10_000),
    (Config("e1+e1", "g+g"), "marginal", 300),
    (Config("e2", "gggg"), "moments", 10_000),
    (Config("s2", "f"), "moments", 10_000),
]


def calls(gj, jf, torch, statistic, samplesize):
    """(gojammy call, jammy_flows call), each returning the headline value."""
    last = len(gj.pdf.pdf_defs_list) - 1
    if statistic == "entropy":
        return (lambda: gj.pdf.entropy(samplesize=samplesize)["total"][0],
                lambda: float(jf.pdf.entropy(samplesize=samplesize)["total"][0]))
    if statistic == "marginal":
        return (lambda: gj.pdf.entropy(sub_manifolds=[last], samplesize=samplesize)[last][0],
                lambda: float(jf.pdf.entropy(sub_manifolds=[last], samplesize=samplesize)[last][0]))

    def jf_moments():
        with torch.no_grad():
            return float(jf.pdf.marginal_moments(samplesize=samplesize)["approx_entropy_0"][0])

    return (lambda: gj.pdf.marginal_moments(samplesize=samplesize)["approx_entropy_0"][0], jf_moments)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sample sizes and short timing (a smoke test)")
    args = parser.parse_args()
    imported = models.import_jammy_flows()
    if imported is None:
        sys.exit("stats_compare: jammy_flows is not importable (set PYTHONPATH to a jammy_flows tree)")
    jammy_flows, torch, commit = imported
    import gojammy

    policy = timing.QUICK if args.quick else timing.FULL
    print(f"jammy_flows {commit[:7]}, gojammy {gojammy.__version__}, {gojammy.info()['threads']} threads\n")
    print("| model | statistic | samplesize | gojammy value | jammy_flows value | gojammy s | jammy_flows s | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for config, statistic, samplesize in CASES:
        if args.quick:
            samplesize = min(samplesize, 50)
        jf = models.JammyFlows(jammy_flows, torch, config)
        gj = models.Gojammy(gojammy, config, jf.params)
        go_call, jf_call = calls(gj, jf, torch, statistic, samplesize)
        values = go_call(), jf_call()
        t_go = timing.measure(go_call, policy)["sec_per_call"]
        t_jf = timing.measure(jf_call, policy)["sec_per_call"]
        print(f"| {config.pdf_defs} {config.flow_defs} | {statistic} | {samplesize} | {values[0]:.4f} | {values[1]:.4f} "
              f"| {t_go:.3g} | {t_jf:.3g} | {t_jf / t_go:.1f} |")


if __name__ == "__main__":
    main()
