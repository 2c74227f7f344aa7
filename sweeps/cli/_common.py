"""What every subcommand shares: exit codes and argument types."""

from __future__ import annotations

import argparse

EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT = 0, 1, 2


def start_workers(args: argparse.Namespace) -> None:
    """Begin starting the local workers a command will train with, before its heavy
    imports (see :mod:`sweeps.execute.workers`): run, baseline and check."""
    if getattr(args, "backend", "loky") != "loky" or getattr(args, "results", None):
        return  # Dask has its own; --results reads finished runs and trains nothing
    import os

    from sweeps.execute.workers import start

    # Never more workers than chunks: a bound cheap to know before the grid.
    jobs = args.jobs or os.cpu_count() or 1
    try:
        from sweeps.config.grid import n_runs
        from sweeps.config.load import load_spec

        spec = load_spec(args.spec, args.overrides)
        jobs = min(jobs, -(-n_runs(spec) // spec.chunk_size))
    except Exception:  # the command itself reports a bad spec, in one line
        return
    start(jobs)


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return value


def minutes(text: str) -> float:
    """An argparse type: a number of minutes > 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes > 0")
    return value


def add_format(parser: argparse.ArgumentParser) -> None:
    """The ``--format`` option: Parquet copies of the tables beside the CSV files."""
    parser.add_argument(
        "--format", choices=("csv", "parquet"), default="csv",
        help="csv (default), or parquet: also runs.parquet and summary.parquet (needs pyarrow)",
    )  # fmt: skip


def check_format(fmt: str) -> None:
    """Refuse ``--format parquet`` at once, in one line, when pyarrow is not installed."""
    from sweeps.results.parquet import require

    require(fmt)


def spec_label(spec: object) -> str:
    """A spec's name, with the overrides it was made with: ``quick (lr=0.5 seeds=5)``."""
    overrides = getattr(spec, "overrides", ())
    return spec.name + (f" ({' '.join(overrides)})" if overrides else "")  # type: ignore[attr-defined]


def add_spec(parser: argparse.ArgumentParser) -> None:
    """The SPEC argument and the ``KEY=VALUE`` overrides after it (see
    :mod:`sweeps.config.overrides`); overrides may also follow the options."""
    parser.add_argument("spec", help="path to a TOML spec, or a bundled spec name (nnsweep list)")
    parser.add_argument(
        "overrides", nargs="*", default=[], metavar="KEY=VALUE",
        help="change the spec: lr=0.1,0.5 (a comma makes an axis), seeds=5, "
        "stop.max_error_below=0.05, sample.n=64, ...",
    )  # fmt: skip


def add_jobs(parser: argparse.ArgumentParser) -> None:
    """The ``-j/--jobs`` option every command that trains shares."""
    parser.add_argument(
        "-j", "--jobs", type=positive_int, default=None,
        help="worker processes (default: all cores)",
    )  # fmt: skip
