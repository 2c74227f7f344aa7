"""nnsweep doctor: why does this configuration not train, and which change fixes it."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from ._common import EXIT_OK, add_jobs, add_spec, positive_int

DEFAULT_SEEDS = 20


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0")
    return value


def _doctor(args: argparse.Namespace) -> int:
    from sweeps.config.load import load_spec
    from sweeps.doctor.measure import Plan
    from sweeps.doctor.output import json_rows, text
    from sweeps.doctor.page import write_doctor_report, write_page
    from sweeps.doctor.search import diagnose

    jobs = args.jobs or os.cpu_count() or 1
    given = Plan(args.spec, tuple(args.overrides), Path("."), jobs, args.budget_s).spec()
    n_seeds = args.seeds or DEFAULT_SEEDS
    fixed = given.seeds == tuple(range(n_seeds)) or any(
        o.startswith("seeds=") for o in args.overrides
    )  # the spec's own seeds when they are the ones asked for (no NAME.HASH folder)
    overrides = (*(() if fixed else (f"seeds={n_seeds}",)), *args.overrides)
    name = load_spec(args.spec, overrides).dirname  # the user's overrides' hash, if any
    out = args.out or Path("results") / f"doctor-{name}"[:100]
    plan = Plan(
        args.spec,
        tuple(overrides),
        out,
        jobs,
        args.budget_s,
        on_notice=lambda line: print(f"warning: {line}", file=sys.stderr),
    )
    say = None if (args.json or args.quiet) else (lambda s: print(f"  {s}", file=sys.stderr))
    d = diagnose(plan, say)
    report = text(d)
    if d.original is not None:
        write_doctor_report(d, report, out)
        if args.page:
            seconds = time.monotonic() - plan.started
            write_page(d, report, args.page, _command(args), seconds)
    if args.json:
        print(json.dumps(json_rows(d), indent=1, allow_nan=False))
    else:
        print(report)
        if d.original is not None:
            print(f"results: {out} (report.html)")
    return EXIT_OK


def _command(args: argparse.Namespace) -> str:
    """The command that reproduces this diagnosis (the page shows it)."""
    parts = ["nnsweep doctor", str(args.spec), *args.overrides]
    if args.seeds:
        parts.append(f"--seeds {args.seeds}")
    if args.jobs:
        parts.append(f"-j {args.jobs}")
    return " ".join(parts + [f"--budget-s {args.budget_s:g}"])


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``nnsweep doctor``."""
    p = sub.add_parser(
        "doctor",
        help="why a configuration does not train: checks, then ranked changes with evidence",
    )
    add_spec(p)
    add_jobs(p)
    p.add_argument(
        "--budget-s",
        type=_positive_float,
        default=240.0,
        metavar="S",
        help="time for the changes, by the cost model (default 240 s)",
    )
    p.add_argument(
        "--seeds",
        type=positive_int,
        default=None,
        metavar="N",
        help="seeds per configuration (default 20; seeds=[...] picks them)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per candidate")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="results directory (default results/doctor-NAME)",
    )
    p.add_argument(
        "--page",
        type=Path,
        default=None,
        metavar="FILE.md",
        help="also write a gallery-style page (its images in img/ beside it)",
    )
    p.set_defaults(func=_doctor)
