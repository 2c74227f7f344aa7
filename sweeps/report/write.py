"""``write_report``: a results directory's summary.csv, plots/ and report.html.

The single plot functions live in :mod:`sweeps.report.plots`; the faceted figures
that use them in :mod:`sweeps.report.figures`, :mod:`sweeps.report.heatmaps` and
:mod:`sweeps.report.diagnostics`; the page in :mod:`sweeps.report.html`.
"""

from __future__ import annotations

import os
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

__all__ = ["write_report"]


def write_report(
    results_dir: str | os.PathLike,
    *,
    x: str | None = None,
    y: str | None = None,
    hue: str | None = None,
    col: str | None = None,
) -> Path:
    """Write ``summary.csv``, ``plots/*.png`` and a self-contained ``report.html``.

    ``x``/``y`` are the heatmap axes, ``hue`` the compared levels, ``col`` one more
    facet; each defaults from the sweep's own axes (see :func:`sweeps.report.figures.roles`).
    Returns the path of ``report.html``.

    Example
    -------
    >>> from sweeps.report.write import write_report
    >>> write_report("results/or-sigmoid-vs-tanh", hue="activation")  # doctest: +SKIP
    PosixPath('results/or-sigmoid-vs-tanh/report.html')
    """
    res = load(results_dir)
    for field, value in (("x", x), ("y", y), ("hue", hue), ("col", col)):
        res.check_axis(field, value)
    categorical, continuous = split_axes(res)
    roles = figures.roles(res.axes, x=x, y=y, hue=hue, col=col, continuous=tuple(continuous))
    summary = ranked(summarize(res.runs, res.axes, res.max_epochs))
    write_csv_atomic(summary, res.path / "summary.csv")
    plots, notes = _draw_all(res, roles, continuous)
    _remove_stale(res.path / "plots", {p.path for p in plots})
    text = headline(res.runs, categorical, res.max_epochs, roles.hue)
    return html.write_html(res, summary, plots, notes, text)


def _draw_all(res, roles, continuous: list[str]) -> tuple[list, list[str]]:
    """Draw every figure into ``plots/``; return them and notes on any left out."""
    palette = palette_for(res.runs, roles.hue)
    heatmaps, why = heatmap_figures(res, roles)
    plots = [figures.survival_figure(res, roles, palette), *heatmaps]
    if why and continuous and not heatmaps:  # say where the continuous axes went
        why += f" {', '.join(continuous)}: continuous, drawn in figures of their own below."
    notes = [why] if why else []
    if continuous:
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
    loss, why = figures.loss_figure(res, roles, palette)
    plots += [loss] if loss else []
    notes += [why] if why else []
    plots.append(figures.epochs_figure(res, roles, palette))
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
