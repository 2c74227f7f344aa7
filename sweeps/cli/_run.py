"""nnsweep run, list and show: run a sweep; the bundled specs; a grid and its cost."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import EXIT_OK, add_format, add_jobs, add_spec, check_format, minutes, start_workers


def _run(args: argparse.Namespace) -> int:
    from sweeps.config.load import load_spec
    from sweeps.execute.runner import run
    from sweeps.execute.workers import stop

    from ._live import Bar, Refresher, report

    check_format(args.format)
    spec = load_spec(args.spec, args.overrides)
    out = args.out or Path("results") / spec.dirname
    if spec.overrides and not args.quiet:
        print(f"{spec.name} with {' '.join(spec.overrides)}: results in {out}")
    bar = Bar(spec.name, quiet=args.quiet)
    progress = bar
    if args.report_every and not args.no_report:
        refresh = Refresher(args.report_every * 60, lambda: _refresh(out, bar))
        progress = lambda p: (bar(p), refresh(p))  # noqa: E731

    try:
        runs = run(
            spec,
            out,
            args.jobs,
            fresh=args.fresh,
            on_progress=progress,
            backend=args.backend,
            scheduler=args.scheduler,
            diagnostics=args.diagnostics,
            on_notice=lambda line: print(f"warning: {line}", file=sys.stderr),
            connect_timeout=args.connect_timeout,
        )
    except KeyboardInterrupt:
        bar.close()  # before the message, so that the bar does not print after it
        print(
            f"interrupted: finished chunks are kept in {out}; run the same command to resume",
            file=sys.stderr,
        )
        return 130
    finally:
        bar.close()
        stop()  # idle now: the summary and report below need no workers
    counts = runs["status"].value_counts()
    if not args.quiet:
        print(
            f"{len(runs):,} runs: {counts.get('converged', 0):,} converged, "
            f"{counts.get('censored', 0):,} censored, {counts.get('diverged', 0):,} diverged"
            + (f", {counts['failed']:,} failed (runs.csv: error)" if "failed" in counts else "")
        )
        print(f"results: {out / 'runs.csv'}")
    if args.format == "parquet":
        from sweeps.results.parquet import write_parquet

        write_parquet(runs, out / "runs.parquet")
        if not args.quiet:
            print(f"results: {out / 'runs.parquet'}")
    if not args.no_report:
        report(out, fmt=args.format, quiet=args.quiet, runs_written=True)
    return EXIT_OK


def _refresh(out: Path, bar) -> None:
    """``--report-every``: the report of the runs finished so far, while the sweep trains."""
    from nncore import ConfigError

    from ._live import report

    told: list[str] = []
    try:
        html = report(out, quiet=True, tell=told.append)
    except ConfigError as e:  # e.g. no chunk finished yet: the next refresh may have one
        bar.write(f"report not refreshed: {e}")
        return
    bar.write(f"report refreshed: {html}")
    for line in told:  # above the bar, not through it
        bar.write(line)


def _list(args: argparse.Namespace) -> int:
    from sweeps.config.grid import n_runs
    from sweeps.config.load import bundled_specs, load_spec

    specs = {name: load_spec(name) for name in bundled_specs()}
    width = max(len(n) for n in specs)
    for name, spec in specs.items():
        print(f"{name:<{width}}  {n_runs(spec):>7,} runs  {spec.description}")
    return EXIT_OK


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, for display."""
    import numpy as np

    return value.item() if isinstance(value, np.generic) else value


SHOW_EXPANDED = 200_000  # above this, show counts the runs instead of building them


def _show(args: argparse.Namespace) -> int:
    from sweeps.config.grid import chunks, expand, n_runs
    from sweeps.config.load import load_spec
    from sweeps.execute.estimate import estimate

    spec = load_spec(args.spec, args.overrides)
    n = n_runs(spec)
    if n > SHOW_EXPANDED:
        return _show_counted(spec, n)
    grid = expand(spec)
    print(f"{spec.name}: {spec.description}")
    if spec.overrides:
        print(f"overrides: {' '.join(spec.overrides)}   results: results/{spec.dirname}")
    print(f"seeds: {len(spec.seeds)}   max_epochs: {spec.max_epochs:,}   stop: {dict(spec.stop)}")
    if spec.plugins:
        print("plugins: " + ", ".join(f"{p.name} (sha256 {p.sha256[:12]})" for p in spec.plugins))
    for name in spec.axes:
        values = list(dict.fromkeys(grid[name].dropna().tolist()))
        shown = ", ".join(map(str, values[:8])) + (" ..." if len(values) > 8 else "")
        print(f"  axis {name:<18} {len(values):>4} values: {shown}")
    fixed = [n for n in spec.params if n not in spec.axes and grid[n].notna().any()]
    print("  fixed " + ", ".join(f"{n}={_plain(grid[n].iloc[0])!r}" for n in fixed))
    plan = chunks(grid, spec.chunk_size)
    est = estimate(spec, grid, jobs=args.jobs)
    print(f"runs: {len(grid):,}   populations: {est['populations']}   chunks: {len(plan)}")
    if est["seconds"] is None:
        print(
            f"cost: at most {est['network_epochs']:,} epochs of trainer {spec.trainer} "
            f"(at most {spec.trainer_timeout_s:g} s per run); its speed is not measured here"
        )
        return EXIT_OK
    print(
        f"cost: at most {est['network_epochs']:,} network-epochs; "
        f"predicted wall time at most {est['seconds']:.0f} s with {est['jobs']} jobs "
        f"(calibrated at {est['rate']:,.0f} network-epochs/s per job; runs that "
        "converge early cost less)"
    )
    return EXIT_OK


def _show_counted(spec, n: int) -> int:
    """``show`` for a sweep too large to expand in a moment: the axes as the spec gives
    them, the run count and the budget, without building one row per run."""
    print(f"{spec.name}: {spec.description}")
    if spec.overrides:
        print(f"overrides: {' '.join(spec.overrides)}   results: results/{spec.dirname}")
    print(f"seeds: {len(spec.seeds)}   max_epochs: {spec.max_epochs:,}   stop: {dict(spec.stop)}")
    for name in spec.axes:
        values = spec.candidates(name)
        shown = ", ".join(map(str, values[:8])) + (" ..." if len(values) > 8 else "")
        count = f"{len(values):>4} values" if values else "sampled"
        print(f"  axis {name:<18} {count}: {shown or 'a numeric range'}")
    print(f"runs: {n:,} (counted, not expanded: more than {SHOW_EXPANDED:,})")
    print(
        f"cost: at most {n * spec.max_epochs:,} network-epochs; populations, chunks and "
        "wall time are worked out when the sweep runs"
    )
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``nnsweep`` parser."""
    r = sub.add_parser("run", help="run (or resume) a sweep: a spec file or a bundled name")
    add_spec(r)
    add_jobs(r)
    r.add_argument(
        "-o", "--out", type=Path, default=None,
        help="results directory (default results/NAME; with overrides results/NAME.HASH)",
    )  # fmt: skip
    r.add_argument("--fresh", action="store_true", help="discard earlier results in --out")
    r.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    r.add_argument("--no-report", action="store_true", help="skip the report at the end")
    r.add_argument(
        "--report-every", type=minutes, default=None, metavar="MINUTES",
        help="also write the report of the runs finished so far every MINUTES while it trains",
    )  # fmt: skip
    add_format(r)
    r.add_argument(
        "--diagnostics",
        action="store_true",
        help="also record per-layer diagnostics (diagnostics.csv.gz; see 'nnsweep explain')",
    )
    r.add_argument("--backend", default="loky", help="loky (local processes) or dask")
    r.add_argument(
        "--scheduler",
        default=None,
        help="with --backend dask: tcp://HOST:8786, or local:N to start N workers",
    )
    r.add_argument(
        "--connect-timeout", type=float, default=30.0, metavar="S",
        help="with a dask scheduler address: seconds to wait for it to answer (default 30)",
    )  # fmt: skip
    r.set_defaults(func=_run, prepare=start_workers)

    ls = sub.add_parser("list", help="the bundled specs")
    ls.set_defaults(func=_list)

    sh = sub.add_parser("show", help="the expanded grid of a spec and its cost")
    add_spec(sh)
    add_jobs(sh)
    sh.set_defaults(func=_show)
