"""What ``nnsweep run`` and ``report`` show while they work: the bar, the report steps.

The bar advances per run that ends (:mod:`sweeps.execute.live`), with the seconds
left by the cost model in place of tqdm's own guess; the report prints one line per
step it writes; ``--report-every`` writes the report of the runs finished so far
while a sweep trains.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["Bar", "Refresher", "report"]

# tqdm's bar with the ETA from the cost model (postfix "left=") instead of its own.
BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]"


class Bar:
    """A tqdm bar drawn from :class:`sweeps.execute.live.Progress` reports; the values
    it showed are kept in ``shown`` (each distinct value once, in order)."""

    def __init__(self, desc: str, quiet: bool = False) -> None:
        self.desc, self.quiet = desc, quiet
        self.bar: Any = None
        self.shown: list[int] = []

    def __call__(self, p: Any) -> None:
        if not self.shown or self.shown[-1] != p.done:
            self.shown.append(p.done)
        if self.quiet:
            return
        if self.bar is None:  # drawn on the first report, after every check has passed
            from tqdm import tqdm

            self.bar = tqdm(
                total=p.total, initial=p.done, unit="run", desc=self.desc,
                dynamic_ncols=True, bar_format=BAR_FORMAT,
            )  # fmt: skip
        self.bar.n = p.done
        extra = {"failed": p.failed} if p.failed else {}
        left = {"left": _seconds(p.eta_s)} if p.eta_s is not None and p.done < p.total else {}
        self.bar.set_postfix(
            converged=p.converged, diverged=p.diverged, **extra, **left, refresh=False
        )
        self.bar.refresh()

    def write(self, line: str) -> None:
        """Print ``line`` above the bar (or plainly when there is none)."""
        if self.bar is not None:
            self.bar.write(line)
        else:
            print(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _seconds(s: float) -> str:
    s = max(0, round(s))
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def now() -> float:
    """The time the refreshes are measured by (replaced in the tests)."""
    return time.monotonic()


class Refresher:
    """Called with each progress report; rewrites the report when ``every_s`` seconds
    have passed since the last one (by ``clock``, :func:`now` by default), as a chunk
    ends."""

    def __init__(
        self,
        every_s: float,
        write: Callable[[], None],
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.every_s, self.write = every_s, write
        self.clock = clock or now
        self.last = self.clock()
        self.count = 0

    def __call__(self, p: Any) -> None:
        # Only as a chunk ends (the main thread), never from the bar's thread: a report
        # there would hold the bar still, and matplotlib draws in one thread at a time.
        if threading.current_thread() is not threading.main_thread():
            return
        if p.done >= p.total or self.clock() - self.last < self.every_s:
            return  # the report after the sweep covers the end
        self.write()
        self.count += 1
        self.last = self.clock()


def report(
    results_dir: Path,
    *,
    fmt: str = "csv",
    quiet: bool = False,
    steps: bool | None = None,
    echo: Callable[[str], None] | None = None,
    runs_written: bool = False,
    tell: Callable[[str], None] | None = None,
    announce: bool = True,
    **roles: str | None,
) -> Path:
    """Write the report of ``results_dir`` (partial while the sweep has not finished);
    with ``fmt="parquet"`` also the tables as Parquet (runs.parquet too, unless
    ``runs_written``).

    ``steps``: tell ``echo`` (default: print on stderr) what is being written, one line
    per step; by default only at a terminal, so that the output of a script or a failure
    stays the one line it is. ``tell`` (default: print on stderr) gets the line saying
    the report is partial and one per damaged chunk left out. ``announce``: print the
    page's path at the end (the caller prints it itself when it has more to say first).
    """
    from sweeps.report.write import write_report

    show = (not quiet and sys.stderr.isatty()) if steps is None else steps
    say = echo or (lambda line: print(line, file=sys.stderr))

    def step(line: str) -> None:
        if show:
            say(f"report: {line}")

    def notice(line: str) -> None:  # "partial: N of M runs ...", damaged chunks
        print(line, file=sys.stderr)

    html = write_report(results_dir, on_step=step, on_notice=tell or notice, **roles)
    if fmt == "parquet":
        _parquet(Path(results_dir), step, runs_written)
    if announce and not quiet:
        print(f"report: {html}")
    return html


def _parquet(path: Path, step: Callable[[str], None], runs_written: bool) -> None:
    """summary.parquet, and runs.parquet once the sweep has finished (the runs of an
    unfinished sweep are never written as its runs table)."""
    import pandas as pd

    from sweeps.results.parquet import write_parquet
    from sweeps.results.partial import is_unfinished
    from sweeps.results.read import load

    step("writing summary.parquet")
    write_parquet(pd.read_csv(path / "summary.csv"), path / "summary.parquet")
    if not runs_written and not is_unfinished(path):
        step("writing runs.parquet")
        write_parquet(load(path).runs, path / "runs.parquet")
