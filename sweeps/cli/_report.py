"""nnsweep report, compare and explain: read a finished results directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import EXIT_OK, add_format, check_format, positive_int


def _report(args: argparse.Namespace) -> int:
    from ._live import report

    check_format(args.format)
    html = report(args.dir, fmt=args.format, announce=False, x=args.x, y=args.y, hue=args.hue,
                  col=args.col)  # fmt: skip
    if args.top:
        import pandas as pd

        from sweeps.report.ranking import format_ranking
        from sweeps.results.read import load

        res = load(args.dir, partial=True)
        summary = pd.read_csv(html.parent / "summary.csv", keep_default_na=False,
                              na_values=[""])  # fmt: skip
        print(format_ranking(summary, res.axes, res.max_epochs, args.top))
    print(f"report: {html}")
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from sweeps.results.read import load
    from sweeps.results.schema import write_csv_atomic
    from sweeps.stats.compare import compare, format_table

    res = load(args.dir)
    table = compare(res.runs, args.by, res.axes, res.max_epochs)
    out = res.path / f"compare_{args.by}.csv"
    write_csv_atomic(table, out)
    print(format_table(table, args.by, res.axes, res.max_epochs))
    print(f"\ntable: {out}")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from sweeps.report.explain import explain

    print(explain(args.dir, args.run_id))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``nnsweep`` parser."""
    rep = sub.add_parser("report", help="summary.csv, plots and report.html of a results dir")
    rep.add_argument("dir", type=Path, help="a results directory (written by nnsweep run)")
    rep.add_argument("--x", help="heatmap x axis (default: lr, else the next axis)")
    rep.add_argument("--y", help="heatmap y axis (default: init_scale, else the next axis)")
    rep.add_argument("--hue", help="the axis compared by colour (default: activation)")
    rep.add_argument("--col", help="one more facet axis (default: the next axis left)")
    add_format(rep)
    rep.add_argument(
        "--top",
        type=positive_int,
        metavar="N",
        help="also print the N best configurations (ranked) on the terminal",
    )
    rep.set_defaults(func=_report)

    cmp = sub.add_parser("compare", help="pairwise differences between the levels of an axis")
    cmp.add_argument("dir", type=Path, help="a results directory (written by nnsweep run)")
    cmp.add_argument("--by", required=True, help="the axis whose levels are compared")
    cmp.set_defaults(func=_compare)

    ex = sub.add_parser("explain", help="one run's story in plain words (why it was slow)")
    ex.add_argument("dir", type=Path, help="a results directory (written by nnsweep run)")
    ex.add_argument("run_id", help="a run id from runs.csv, or a unique prefix of one")
    ex.set_defaults(func=_explain)
