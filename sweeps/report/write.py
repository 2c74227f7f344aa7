"""``write_report``: a results directory's summary.csv, plots/ and report.html.

The single plot functions live in :mod:`sweeps.report.plots`; the faceted figures
that use them in :mod:`sweeps.report.figures`, :mod:`sweeps.report.heatmaps` and
:mod:`sweeps.report.diagnostics`; the page in :mod:`sweeps.report.html`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sweeps.results.read import load
from sweeps.results.schema import write_csv_atomic
from sweeps.stats.survival import summarize

from . import figures, html
from .continuous import continuous_figures
from .diagnostics import diagnostics_figure
from .headline import headline
from .heatmaps import heatmap_figures
from .kinds import split_axes
from .overview import pair_figure, parallel_figure
from .ranking import ranked
from .style import palette_for

__all__ = ["partial_label", "write_report"]


def write_report(
    results_dir: str | os.PathLike,
    *,
    x: str | None = None,
    y: str | None = None,
    hue: str | None = None,
    col: str | None = None,
    on_step: Callable[[str], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> Path:
    """Write ``summary.csv``, ``plots/*.png`` and a self-contained ``report.html``.

    ``x``/``y`` are the heatmap axes, ``hue`` the compared levels, ``col`` one more
    facet; each defaults from the sweep's own axes (see :func:`sweeps.report.figures.roles`).
    A sweep that has not finished is reported from the runs finished so far, marked
    "partial: N of M runs" (:func:`sweeps.results.read.load` with ``partial``); the
    sweep's own files are only read. ``on_step`` is told what is being written, one
    line per step; ``on_notice`` gets the line saying a report is partial and one line
    per damaged chunk left out of it. Returns the path of ``report.html``.

    Example
    -------
    >>> from sweeps.report.write import write_report
    >>> write_report("results/or-sigmoid-vs-tanh", hue="activation")  # doctest: +SKIP
    PosixPath('results/or-sigmoid-vs-tanh/report.html')
    """
    step = on_step or (lambda _line: None)
    notice = on_notice or (lambda _line: None)
    res = load(results_dir, partial=True)
    for line in res.skipped:
        notice(f"warning: {line}")
    if res.partial:
        notice(f"{partial_label(res)}: the sweep has not finished; reporting its finished chunks")
    for field, value in (("x", x), ("y", y), ("hue", hue), ("col", col)):
        res.check_axis(field, value)
    categorical, continuous = split_axes(res)
    roles = figures.roles(res.axes, x=x, y=y, hue=hue, col=col, continuous=tuple(continuous))
    step(f"writing summary.csv ({len(res.runs):,} runs)")
    summary = ranked(summarize(res.runs, res.axes, res.max_epochs))
    write_csv_atomic(summary, res.path / "summary.csv")
    plots, notes = _draw_all(res, roles, continuous, step)
    _remove_stale(res.path / "plots", {p.path for p in plots})
    text = headline(res.runs, categorical, res.max_epochs, roles.hue)
    if res.partial:
        text = f"{partial_label(res)}. {text}"
        notes = [_partial_note(res), *res.skipped, *notes]
    step("writing report.html")
    return html.write_html(res, summary, plots, notes, text)


def partial_label(res) -> str:
    """``partial: N of M runs`` for a report of the runs finished so far."""
    return f"partial: {len(res.runs):,} of {res.n_planned:,} runs"


def _partial_note(res) -> str:
    return (
        f"The sweep has not finished: this report shows the {len(res.runs):,} runs of its "
        f"finished chunks (of {res.n_planned:,}). Run the sweep's command again to resume "
        "it; its report at the end covers every run, with the loss curves, which are put "
        "together when the sweep ends."
    )


def _draw_all(
    res, roles, continuous: list[str], step: Callable[[str], None]
) -> tuple[list, list[str]]:
    """Draw every figure into ``plots/``; return them and notes on any left out."""
    palette = palette_for(res.runs, roles.hue)
    step("drawing survival curves and heatmaps")
    heatmaps, why = heatmap_figures(res, roles)
    plots = [figures.survival_figure(res, roles, palette), *heatmaps]
    if why and continuous and not heatmaps:  # say where the continuous axes went
        why += f" {', '.join(continuous)}: continuous, drawn in figures of their own below."
    notes = [why] if why else []
    if continuous:
        step(f"drawing the continuous axes ({', '.join(continuous)})")
        axis_plots, why = continuous_figures(res, roles, palette, continuous)
        plots += axis_plots
        notes += [why] if why else []
        if len(continuous) >= 2:
            pair, why = pair_figure(res, roles, continuous[0], continuous[1])
            plots.append(pair)
            notes += [why] if why else []
        parallel, why = parallel_figure(res, roles)
        plots.append(parallel)
        notes += [why] if why else []
    step("drawing loss curves")
    loss, why = figures.loss_figure(res, roles, palette)
    plots += [loss] if loss else []
    notes += [why] if why else []
    step("drawing epochs to threshold")
    plots.append(figures.epochs_figure(res, roles, palette))
    step("drawing diagnostics")
    diag, why = diagnostics_figure(res, roles, palette)  # when the sweep recorded them
    plots += [diag] if diag else []
    notes += [why] if why else []
    return plots, notes


def _remove_stale(folder: Path, drawn: set[Path]) -> None:
    """Remove the PNGs of figures an earlier report drew and this one did not (a heatmap
    of an axis now drawn as continuous), so that plots/ matches report.html."""
    for png in folder.glob("*.png"):
        if png not in drawn:
            png.unlink(missing_ok=True)
