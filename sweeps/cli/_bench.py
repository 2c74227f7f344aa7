"""nnsweep bench: the trainer's speed against a per-network loop; a sweep end to end."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import EXIT_OK, EXIT_REGRESSION, positive_int


def _bench(args: argparse.Namespace) -> int:
    import json

    from sweeps.bench.trainer import format_table, run_bench

    baseline = _bench_baseline(args) if args.baseline else None  # bad input fails first
    result = run_bench(quick=args.quick)
    if args.sweep:  # the trainer's cases, then the sweep: --save and --baseline see both
        _bench_sweep(args, result)
    elif not args.json:
        print(format_table(result))
    if args.json:
        print(json.dumps(result, indent=2))
    if args.save:
        from sweeps.regress.baseline import save_json

        print(f"bench baseline: {save_json(result, args.save)}", file=sys.stderr)
    return _bench_verdict(result, baseline, args) if baseline else EXIT_OK


def _bench_sweep(args: argparse.Namespace, result: dict) -> None:
    """Add the end-to-end sweep's figures to ``result`` (and print them, without --json)."""
    from sweeps.bench.sweep import format_sweep_table, run_sweep_bench
    from sweeps.bench.trainer import format_table

    sweep = run_sweep_bench(runs=args.runs, repeat=args.repeat)
    result["sweep"] = sweep
    if not args.json:
        print(format_table(result) + "\n")
        print(format_sweep_table(sweep, result["cases"][0]))


def _bench_baseline(args: argparse.Namespace) -> dict:
    from nncore.rules import check_number
    from sweeps.regress.baseline import read_bench_baseline

    check_number("max_drop", args.max_drop, low=0, high=1, low_open=True)
    return read_bench_baseline(args.baseline)


def _bench_verdict(result: dict, baseline: dict, args: argparse.Namespace) -> int:
    from sweeps.regress.bench import compare_bench
    from sweeps.regress.table import format_bench

    table = compare_bench(result, baseline, args.max_drop)
    stream = sys.stderr if args.json else sys.stdout  # with --json, stdout is the JSON alone
    print(f"\npopulation/loop ratios against {args.baseline}:", file=stream)
    print(format_bench(table, args.max_drop), file=stream)
    return EXIT_REGRESSION if (table["verdict"] == "FAIL").any() else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``nnsweep`` parser."""
    bn = sub.add_parser("bench", help="network-epochs/s: population trainer vs per-network loop")
    bn.add_argument("--json", action="store_true", help="print machine-readable JSON")
    bn.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test, not a timing")
    bn.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="compare the population/loop ratios with this bench JSON; exit 1 "
        "when one fell by more than --max-drop",
    )
    bn.add_argument(
        "--max-drop",
        type=float,
        default=0.35,
        help="largest allowed fall of a ratio, a fraction (default 0.35)",
    )
    bn.add_argument("--save", type=Path, default=None, help="also write the JSON to this file")
    bn.add_argument(
        "--sweep",
        action="store_true",
        help="also time a whole sweep end to end with -j 1 and -j 2 (about 5 minutes)",
    )
    bn.add_argument(
        "--runs",
        type=positive_int,
        default=20_000,
        help="runs in the --sweep benchmark (default 20000)",
    )
    bn.add_argument(
        "--repeat",
        type=positive_int,
        default=5,
        help="sweeps per worker count in --sweep, alternating; the best is reported (default 5)",
    )
    bn.set_defaults(func=_bench)
