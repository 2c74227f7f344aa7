"""Does noise fail ``nnsweep check``? Re-run a spec with fresh seed lists and count passes.

Trial k runs the spec with the seeds ``k*S .. k*S + S - 1`` (S = the baseline's seed
count; trial 0 would be the baseline itself, so trials start at 1) and checks it
against the baseline at the default thresholds. Unchanged code should pass at least
19 of 20 trials (issue 6, acceptance 2).

Usage (from the repository root; about 5 s per trial for the ``ci`` spec on 2 cores)::

    OPENBLAS_NUM_THREADS=1 python docs/ci_noise.py ci results/baselines/ci.csv --trials 20
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from sweeps.config.load import load_spec
from sweeps.config.spec import SweepSpec
from sweeps.execute.runner import run
from sweeps.regress.baseline import read_baseline
from sweeps.regress.check import Thresholds, check
from sweeps.results.read import load


def trial(spec: SweepSpec, k: int, baseline, jobs: int | None, th: Thresholds):
    """Run trial ``k`` (fresh seeds) and check it; return the CheckResult."""
    n = len(spec.seeds)
    d = spec.to_dict()
    d["seeds"] = list(range(k * n, (k + 1) * n))
    shifted = SweepSpec.from_dict(d)
    with tempfile.TemporaryDirectory() as tmp:
        run(shifted, Path(tmp) / "r", jobs)
        return check(baseline, load(Path(tmp) / "r"), th)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("spec")
    p.add_argument("baseline", type=Path)
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("-j", "--jobs", type=int, default=None)
    args = p.parse_args()
    spec, baseline, th = load_spec(args.spec), read_baseline(args.baseline), Thresholds()
    passed = 0
    for k in range(1, args.trials + 1):
        result = trial(spec, k, baseline, args.jobs, th)
        t = result.table
        worst = {c: t[c].min() for c in ("success_p_holm", "epochs_p_holm", "diverged_p_holm")}
        passed += not result.failed
        print(
            f"trial {k:2d} seeds {k * len(spec.seeds)}..: "
            f"{'FAIL' if result.failed else 'PASS'}  largest ratio "
            f"{t['median_ratio'].max():.2f}  smallest p: "
            + ", ".join(f"{c.split('_')[0]} {v:.2g}" for c, v in worst.items())
        )
    print(f"passed {passed} of {args.trials} trials")


if __name__ == "__main__":
    main()
