"""nnsweep baseline and check: the CI regression gate."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import EXIT_OK, EXIT_REGRESSION, add_jobs, add_spec, spec_label, start_workers


def _record_baseline(args: argparse.Namespace) -> int:
    from sweeps.config.load import load_spec
    from sweeps.regress.baseline import csv_path, record, results_for, side_file

    spec = load_spec(args.spec, args.overrides)
    out = csv_path(args.out)
    base = record(results_for(spec, args.results, args.jobs), out)
    counts = base.runs["status"].value_counts()
    print(
        f"baseline of {spec_label(spec)}: {len(base.runs):,} runs ({counts.get('converged', 0):,} "
        f"converged, {counts.get('diverged', 0):,} diverged), spec_hash {spec.spec_hash[:12]}"
    )
    print(f"written: {out} and {side_file(out)}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    import time

    from sweeps.config.load import load_spec
    from sweeps.regress.baseline import canonical, check_comparable, read_baseline, results_for
    from sweeps.regress.check import Thresholds, check
    from sweeps.regress.numerics import tolerance
    from sweeps.regress.table import format_check, write_check

    spec = load_spec(args.spec, args.overrides)
    thresholds = Thresholds(args.alpha, args.tolerance, args.success_tolerance)
    base = read_baseline(args.baseline)
    check_comparable(base, canonical(spec), spec.spec_hash)  # before any training
    start = time.perf_counter()
    res = results_for(spec, args.results, args.jobs)
    took = f"ran in {time.perf_counter() - start:.1f} s"
    took = f"read from {args.results}" if args.results else took
    rtol, across = tolerance(base.meta, str(res.manifest.get("engine") or "numpy"))
    result = check(base, res, thresholds, rtol)
    out = args.out or Path(f"results/checks/{spec.dirname}.csv")
    csv, doc = write_check(result, base, res, out)
    commit = (base.meta.get("git_commit") or "unknown")[:10]
    print(
        f"check {spec_label(spec)}: {result.n_now:,} runs ({took}) against {args.baseline} "
        f"(recorded {base.meta.get('recorded', '?')[:10]}, commit {commit})"
    )
    print("\n".join([*([across] if across else []), *result.notes]) + "\n")
    print(format_check(result))
    print(f"report: {csv} and {doc}")
    if not args.exact:
        return EXIT_REGRESSION if result.failed else EXIT_OK
    from sweeps.regress.exact import exact_failures

    failures = exact_failures(result.match)
    for line in failures:
        print(f"exact: {line}")
    verdict = "FAIL" if failures else "PASS"
    bits = result.match.last_bits
    print(
        f"exact {verdict}: {result.match.differing if failures else 0:,} runs differ"
        + (f" ({bits:,} more in their last bits only)" if bits else "")
        if result.match.paired
        else f"exact {verdict}: the runs do not pair up"
    )
    return EXIT_REGRESSION if failures or result.failed else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``nnsweep`` parser."""
    bl = sub.add_parser("baseline", help="record a regression baseline of a spec (a CSV + JSON)")
    add_spec(bl)
    bl.add_argument(
        "-o",
        "--out",
        type=Path,
        required=True,
        help="baseline CSV, e.g. results/baselines/NAME.csv (NAME.json beside it)",
    )
    bl.add_argument(
        "--results",
        type=Path,
        default=None,
        help="record this finished results directory of the spec instead of running it afresh",
    )
    add_jobs(bl)
    bl.set_defaults(func=_record_baseline, prepare=start_workers)

    ck = sub.add_parser(
        "check",
        help="run a spec and compare it with its baseline, cell by cell; exit 1 on a regression",
    )
    add_spec(ck)
    ck.add_argument(
        "--baseline", type=Path, required=True, help="a baseline CSV written by 'nnsweep baseline'"
    )
    ck.add_argument(
        "--results",
        type=Path,
        default=None,
        help="compare this finished results directory instead of running afresh",
    )
    add_jobs(ck)
    ck.add_argument(
        "--alpha",
        type=float,
        default=0.01,
        help="significance level, Holm-adjusted over cells (default 0.01)",
    )
    ck.add_argument(
        "--tolerance",
        type=float,
        default=1.10,
        help="largest allowed ratio of median epochs now / baseline (default 1.10)",
    )
    ck.add_argument(
        "--success-tolerance",
        type=float,
        default=0.10,
        help="largest allowed fall of a success rate, absolute (default 0.10)",
    )
    ck.add_argument(
        "--exact",
        action="store_true",
        help="also exit 1 when any run differs from the baseline at all, to the bit "
        "(for deterministic code checked against its own baseline)",
    )
    ck.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="report path: NAME.csv and NAME.json (default results/checks/SPEC, "
        "with overrides results/checks/SPEC.HASH)",
    )
    ck.set_defaults(func=_check, prepare=start_workers)
