"""The ``nnsweep`` command: the only module that prints or picks exit codes.

Exit codes: 0 success, 1 a check found a regression, 2 bad input (one line on
stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nncore import ConfigError

EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input found by the CLI itself; printed as one line, exit code 2."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every other bad input
        raise UsageError(f"{self.prog}: {message}")


def _demo(args: argparse.Namespace) -> int:
    from .demo import plot_demo, run_demo

    res = run_demo(args.gate, args.activation, args.lr, args.init_scale, args.max_epochs)
    rec = res.record
    fmt = {"float_kind": lambda v: f"{v:8.5f}"}
    print(f"{args.gate.upper()} gate, 2-{6}-1 network, {args.activation} hidden, sigmoid output")
    print(f"init normal(σ={args.init_scale}), plain gradient descent, lr={args.lr}\n")
    print("input:\n", np.array2string(res.X, formatter=fmt), "\n")
    print("expected output:\n", np.array2string(res.Y, formatter=fmt), "\n")
    print("prior to training:\n", np.array2string(res.before, formatter=fmt), "\n")
    print("post training:\n", np.array2string(res.after, formatter=fmt), "\n")
    if rec.status == "converged":
        print(f"every output within 0.1 of its target after {rec.epochs_to_threshold:,} epochs")
    else:
        print(f"{rec.status} after {rec.epochs_run:,} epochs (max error {rec.max_error:.3f})")
    out = plot_demo(res, f"{args.gate.upper()} gate, {args.activation} hidden units", args.plot)
    print(f"loss plot: {out}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from .runner import run
    from .spec import load_spec

    spec = load_spec(args.spec)
    out = args.out or Path("results") / spec.name
    bar = None

    def progress(p) -> None:
        nonlocal bar
        if args.quiet:
            return
        if bar is None:  # drawn on the first report, after every check has passed
            from tqdm import tqdm

            bar = tqdm(
                total=p.total, initial=p.done, unit="run", desc=spec.name, dynamic_ncols=True
            )
        bar.n = p.done
        bar.set_postfix(converged=p.converged, diverged=p.diverged, refresh=False)
        bar.refresh()

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
        )
    except KeyboardInterrupt:
        print(
            f"interrupted: finished chunks are kept in {out}; run the same command to resume",
            file=sys.stderr,
        )
        return 130
    finally:
        if bar is not None:
            bar.close()
    counts = runs["status"].value_counts()
    if not args.quiet:
        print(
            f"{len(runs):,} runs: {counts.get('converged', 0):,} converged, "
            f"{counts.get('censored', 0):,} censored, {counts.get('diverged', 0):,} diverged"
        )
        print(f"results: {out / 'runs.csv'}")
    if not args.no_report:
        _report_after_run(out, args.quiet)
    return EXIT_OK


def _report_after_run(out: Path, quiet: bool) -> None:
    from .report import write_report

    html = write_report(out)
    if not quiet:
        print(f"report: {html}")


def _list(args: argparse.Namespace) -> int:
    from .spec import bundled_specs, load_spec

    specs = {name: load_spec(name) for name in bundled_specs()}
    width = max(len(n) for n in specs)
    for name, spec in specs.items():
        print(f"{name:<{width}}  {spec.n_runs:>7,} runs  {spec.description}")
    return EXIT_OK


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, for display."""
    return value.item() if isinstance(value, np.generic) else value


def _show(args: argparse.Namespace) -> int:
    from .estimate import estimate
    from .grid import chunks, expand
    from .spec import load_spec

    spec = load_spec(args.spec)
    grid = expand(spec)
    print(f"{spec.name}: {spec.description}")
    print(f"seeds: {len(spec.seeds)}   max_epochs: {spec.max_epochs:,}   stop: {dict(spec.stop)}")
    for name in spec.axes:
        values = list(dict.fromkeys(grid[name].dropna().tolist()))
        shown = ", ".join(map(str, values[:8])) + (" ..." if len(values) > 8 else "")
        print(f"  axis {name:<18} {len(values):>4} values: {shown}")
    fixed = [n for n in spec.params if n not in spec.axes and grid[n].notna().any()]
    print("  fixed " + ", ".join(f"{n}={_plain(grid[n].iloc[0])!r}" for n in fixed))
    plan = chunks(grid, spec.chunk_size)
    est = estimate(spec, grid, jobs=args.jobs)
    print(f"runs: {len(grid):,}   populations: {est['populations']}   chunks: {len(plan)}")
    print(
        f"cost: at most {est['network_epochs']:,} network-epochs; "
        f"predicted wall time at most {est['seconds']:.0f} s with {est['jobs']} jobs "
        f"(calibrated at {est['rate']:,.0f} network-epochs/s per job; runs that "
        "converge early cost less)"
    )
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from .report import write_report

    html = write_report(args.dir, x=args.x, y=args.y, hue=args.hue, col=args.col)
    print(f"report: {html}")
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from ._resultsdir import load
    from .compare import compare, format_table
    from .results import write_csv_atomic

    res = load(args.dir)
    table = compare(res.runs, args.by, res.axes, res.max_epochs)
    out = res.path / f"compare_{args.by}.csv"
    write_csv_atomic(table, out)
    print(format_table(table, args.by, res.axes, res.max_epochs))
    print(f"\ntable: {out}")
    return EXIT_OK


def _gallery(args: argparse.Namespace) -> int:
    from .gallery import complete, entry_spec, run_entry, write_page

    spec = entry_spec(args.name, args.reduced)  # an unknown name fails before any work
    out = args.out or Path("results") / (args.name + "-reduced" * args.reduced)
    docs = args.docs or (out / "gallery" if args.reduced else Path("docs/gallery"))
    bar = None

    def progress(p) -> None:
        nonlocal bar
        if bar is None and not args.quiet:
            from tqdm import tqdm

            bar = tqdm(total=p.total, initial=p.done, unit="run", desc=spec.name)
        if bar is not None:
            bar.n = p.done
            bar.refresh()

    if not args.quiet and complete(out, spec):
        print(f"{out} already holds every run of {spec.name}: writing the page only")
    try:
        res = run_entry(args.name, out, args.jobs, reduced=args.reduced, on_progress=progress)
    finally:
        if bar is not None:
            bar.close()
    page = write_page(res, docs)
    if not args.quiet:
        print(f"results: {out}\npage: {page}")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from .explain import explain

    print(explain(args.dir, args.run_id))
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    import json

    from .bench import format_table, run_bench

    baseline = _bench_baseline(args) if args.baseline else None  # bad input fails first
    if args.sweep:
        return _bench_sweep(args)
    result = run_bench(quick=args.quick)
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    if args.save:
        from .baseline import save_json

        print(f"bench baseline: {save_json(result, args.save)}", file=sys.stderr)
    return _bench_verdict(result, baseline, args) if baseline else EXIT_OK


def _bench_sweep(args: argparse.Namespace) -> int:
    import json

    from .bench import run_bench
    from .sweepbench import format_sweep_table, run_sweep_bench

    pop = run_bench(quick=args.quick)["cases"][0]["population_rate"]
    result = run_sweep_bench(runs=args.runs)
    result["population_rate"] = pop
    print(json.dumps(result, indent=2) if args.json else format_sweep_table(result, pop))
    return EXIT_OK


def _bench_baseline(args: argparse.Namespace) -> dict:
    from nncore._checks import check_number

    from .baseline import read_bench_baseline

    check_number("max_drop", args.max_drop, low=0, high=1, low_open=True)
    return read_bench_baseline(args.baseline)


def _bench_verdict(result: dict, baseline: dict, args: argparse.Namespace) -> int:
    from ._checkreport import format_bench
    from .regress import compare_bench

    table = compare_bench(result, baseline, args.max_drop)
    stream = sys.stderr if args.json else sys.stdout  # with --json, stdout is the JSON alone
    print(f"\npopulation/loop ratios against {args.baseline}:", file=stream)
    print(format_bench(table, args.max_drop), file=stream)
    return EXIT_REGRESSION if (table["verdict"] == "FAIL").any() else EXIT_OK


def _record_baseline(args: argparse.Namespace) -> int:
    from .baseline import csv_path, record, results_for, side_file
    from .spec import load_spec

    spec = load_spec(args.spec)
    out = csv_path(args.out)
    base = record(results_for(spec, args.results, args.jobs), out)
    counts = base.runs["status"].value_counts()
    print(
        f"baseline of {spec.name}: {len(base.runs):,} runs ({counts.get('converged', 0):,} "
        f"converged, {counts.get('diverged', 0):,} diverged), spec_hash {spec.spec_hash[:12]}"
    )
    print(f"written: {out} and {side_file(out)}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    import time

    from ._checkreport import format_check, write_check
    from .baseline import canonical, check_comparable, read_baseline, results_for
    from .regress import Thresholds, check
    from .spec import load_spec

    spec = load_spec(args.spec)
    thresholds = Thresholds(args.alpha, args.tolerance, args.success_tolerance)
    base = read_baseline(args.baseline)
    check_comparable(base, canonical(spec), spec.spec_hash)  # before any training
    start = time.perf_counter()
    res = results_for(spec, args.results, args.jobs)
    took = f"ran in {time.perf_counter() - start:.1f} s"
    took = f"read from {args.results}" if args.results else took
    result = check(base, res, thresholds)
    csv, doc = write_check(result, base, res, args.out or Path(f"results/checks/{spec.name}.csv"))
    commit = (base.meta.get("git_commit") or "unknown")[:10]
    print(
        f"check {spec.name}: {result.n_now:,} runs ({took}) against {args.baseline} "
        f"(recorded {base.meta.get('recorded', '?')[:10]}, commit {commit})"
    )
    print("\n".join(result.notes) + "\n")
    print(format_check(result))
    print(f"report: {csv} and {doc}")
    return EXIT_REGRESSION if result.failed else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nnsweep", description="Train many small NumPy MLPs; measure convergence.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    d = sub.add_parser("demo", help="the seed's OR-gate question, done right")
    d.add_argument("--gate", default="or", choices=["and", "or", "nand", "nor", "xor", "xnor"])
    d.add_argument("--activation", default="tanh")
    d.add_argument("--lr", type=float, default=0.5)
    d.add_argument("--init-scale", type=float, default=0.01)
    d.add_argument("--max-epochs", type=int, default=100_000)
    d.add_argument("--plot", type=Path, default=Path("results/demo/loss.png"))
    d.set_defaults(func=_demo)

    r = sub.add_parser("run", help="run (or resume) a sweep: a spec file or a bundled name")
    r.add_argument("spec", help="path to a TOML spec, or a bundled spec name (nnsweep list)")
    r.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        help="worker processes (default: all cores)",
    )
    r.add_argument("-o", "--out", type=Path, default=None, help="results directory")
    r.add_argument("--fresh", action="store_true", help="discard earlier results in --out")
    r.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    r.add_argument("--no-report", action="store_true", help="skip the report at the end")
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
    r.set_defaults(func=_run)

    ls = sub.add_parser("list", help="the bundled specs")
    ls.set_defaults(func=_list)

    sh = sub.add_parser("show", help="the expanded grid of a spec and its cost")
    sh.add_argument("spec")
    sh.add_argument("-j", "--jobs", type=_positive_int, default=None)
    sh.set_defaults(func=_show)

    rep = sub.add_parser("report", help="summary.csv, plots and report.html of a results dir")
    rep.add_argument("dir", type=Path, help="a results directory (written by nnsweep run)")
    rep.add_argument("--x", help="heatmap x axis (default: lr, else the next axis)")
    rep.add_argument("--y", help="heatmap y axis (default: init_scale, else the next axis)")
    rep.add_argument("--hue", help="the axis compared by colour (default: activation)")
    rep.add_argument("--col", help="one more facet axis (default: the next axis left)")
    rep.set_defaults(func=_report)

    cmp = sub.add_parser("compare", help="pairwise differences between the levels of an axis")
    cmp.add_argument("dir", type=Path, help="a results directory (written by nnsweep run)")
    cmp.add_argument("--by", required=True, help="the axis whose levels are compared")
    cmp.set_defaults(func=_compare)

    gl = sub.add_parser("gallery", help="run a gallery entry and write its page")
    gl.add_argument("name", help="a gallery entry (a bundled spec name, e.g. two-spirals)")
    gl.add_argument("-j", "--jobs", type=_positive_int, default=None, help="worker processes")
    gl.add_argument("-o", "--out", type=Path, default=None, help="results directory")
    gl.add_argument(
        "--docs",
        type=Path,
        default=None,
        help="where the page goes (default docs/gallery; with --reduced, OUT/gallery)",
    )
    gl.add_argument(
        "--reduced",
        action="store_true",
        help="3 seeds, 200 epochs, 2 levels per axis: a smoke test",
    )
    gl.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    gl.set_defaults(func=_gallery)

    ex = sub.add_parser("explain", help="one run's story in plain words (why it was slow)")
    ex.add_argument("dir", type=Path, help="a results directory (written by nnsweep run)")
    ex.add_argument("run_id", help="a run id from runs.csv, or a unique prefix of one")
    ex.set_defaults(func=_explain)

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
        help="also time a whole sweep end to end with -j 1 and -j 2 (minutes)",
    )
    bn.add_argument(
        "--runs",
        type=_positive_int,
        default=20_000,
        help="runs in the --sweep benchmark (default 20000)",
    )
    bn.set_defaults(func=_bench)

    bl = sub.add_parser("baseline", help="record a regression baseline of a spec (a CSV + JSON)")
    bl.add_argument("spec", help="path to a TOML spec, or a bundled spec name")
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
    bl.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        help="worker processes (default: all cores)",
    )
    bl.set_defaults(func=_record_baseline)

    ck = sub.add_parser(
        "check",
        help="run a spec and compare it with its baseline, cell by cell; exit 1 on a regression",
    )
    ck.add_argument("spec", help="path to a TOML spec, or a bundled spec name")
    ck.add_argument(
        "--baseline", type=Path, required=True, help="a baseline CSV written by 'nnsweep baseline'"
    )
    ck.add_argument(
        "--results",
        type=Path,
        default=None,
        help="compare this finished results directory instead of running afresh",
    )
    ck.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        help="worker processes (default: all cores)",
    )
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
        "-o",
        "--out",
        type=Path,
        default=None,
        help="report path: NAME.csv and NAME.json (default results/checks/SPEC)",
    )
    ck.set_defaults(func=_check)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``nnsweep`` with ``argv`` (default: sys.argv[1:]); return the exit code."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except (ConfigError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
