"""The report's faceted figures: which axis goes where, panels, legends, captions.

Roles: ``hue`` is compared within every panel; ``x`` and ``y`` are the heatmap
axes; ``col`` is one more facet. The line plots and box plots facet by the first
two of (col, x, y); the heatmaps put ``x``/``y`` inside a panel, one panel per
hue level and one row per ``col`` level. Axes left over are pooled, and each
caption says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nncore import ConfigError
from sweeps.results.files import make_dir, write_with
from sweeps.results.read import ResultsDir, read_curves
from sweeps.stats import levels as lv
from sweeps.stats.survival import time_to_event

from . import plots as rp
from . import style as st

__all__ = [
    "DPI", "MAX_PANELS", "Plot", "Roles", "epochs_figure", "loss_figure", "pooled_note", "roles",
    "save", "survival_figure",
]  # fmt: skip

MAX_PANELS = 20  # facets per figure (5 to a row): an image stays under MAX_PX a side
MAX_PX = 2000
DPI = 110


@dataclass(frozen=True)
class Roles:
    """Which axis plays which part in the figures (None: nobody)."""

    axes: tuple[str, ...]
    hue: str | None
    x: str | None
    y: str | None
    col: str | None

    @property
    def facets(self) -> tuple[str | None, str | None]:
        """The column and row facets of the line and box plots."""
        f = [a for a in dict.fromkeys([self.col, self.x, self.y]) if a and a != self.hue]
        return (*f, None, None)[:2]  # type: ignore[return-value]

    def pooled(self, used: tuple[str | None, ...]) -> list[str]:
        return [a for a in self.axes if a not in used]


def roles(
    axes: list[str], *, x=None, y=None, hue=None, col=None, continuous: tuple[str, ...] = ()
) -> Roles:
    """Fill in missing roles from the axes: hue = activation (else the first axis),
    x/y = lr and init_scale (else the next axes), col = the next one left. Only
    categorical axes fill a role: a given role on a ``continuous`` axis is refused."""
    given = {k: v for k, v in (("hue", hue), ("x", x), ("y", y), ("col", col)) if v}
    seen: dict[str, str] = {}
    for k, v in given.items():
        if v in seen:
            free = [a for a in axes if a not in given.values()]
            raise ConfigError(
                f"{k}={v!r} is already the {seen[v]}; give each role its own "
                f"axis, e.g. one of {free}"
            )
        seen[v] = k
        if v in continuous:
            raise _continuous_role(k, v, [a for a in axes if a not in continuous])
    free = [a for a in axes if a not in seen and a not in continuous]

    def take(prefer: str | None) -> str | None:
        pick = prefer if prefer in free else (free[0] if free else None)
        if pick:
            free.remove(pick)
        return pick

    hue = hue or take("activation")
    x = x or take("lr")
    y = y or take("init_scale")
    col = col or take(None)
    return Roles(tuple(axes), hue, x, y, col)


def _continuous_role(field: str, axis: str, categorical: list[str]) -> ConfigError:
    allowed = f"one of {categorical}" if categorical else "none (every axis is continuous)"
    return ConfigError(
        f"{field}={axis!r} is a continuous axis (sampled, or numeric with many levels), drawn "
        f"in figures of its own; allowed: a categorical axis, {allowed}"
    )


@dataclass(frozen=True)
class Plot:
    """A saved figure and the words that go with it in the report."""

    name: str
    title: str
    caption: str
    path: Path


def _panels(runs: pd.DataFrame, f0: str | None, f1: str | None):
    """``(nrows, ncols, [(row, col, title, rows)])``; a single facet wraps at 5 columns."""
    c_levels, r_levels = lv.levels(runs, f0)[:MAX_PANELS], lv.levels(runs, f1)
    out = []
    if f0 is not None and f1 is not None:
        for i, rv in enumerate(r_levels):
            for j, cv in enumerate(c_levels):
                sub = lv.select(lv.select(runs, f1, rv), f0, cv)
                title = f"{f0}={lv.level_label(cv)}, {f1}={lv.level_label(rv)}"
                out.append((i, j, title, sub))
        return len(r_levels), len(c_levels), out
    ncols = min(len(c_levels), 5)
    for k, cv in enumerate(c_levels):
        title = f"{f0}={lv.level_label(cv)}" if f0 else ""
        out.append((k // ncols, k % ncols, title, lv.select(runs, f0, cv)))
    return -(-len(c_levels) // ncols), ncols, out


def _facet_axes(res: ResultsDir, r: Roles) -> tuple[str | None, str | None, str]:
    """The two facets, dropping the row facet when the grid would be unreadable."""
    f0, f1 = r.facets
    note = ""
    n = len(lv.levels(res.runs, f0)) * len(lv.levels(res.runs, f1))
    if f1 is not None and n > MAX_PANELS:
        note = f" The {f1} facet was pooled: {n} panels would be unreadable."
        f1 = None
    n = len(lv.levels(res.runs, f0))
    if n > MAX_PANELS:
        note += f" Only the first {MAX_PANELS} of {n} levels of {f0} are drawn (one panel each)."
    return f0, f1, note


def _figure(nrows: int, ncols: int, panel=(2.9, 2.3), legend_w: float = 1.6):
    fig = Figure(
        figsize=(ncols * panel[0] + legend_w, nrows * panel[1] + 0.9),
        layout="constrained",
        dpi=DPI,
    )
    axs = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    return fig, axs


def _finish(
    fig: Figure,
    axs,
    used: set,
    palette: dict,
    r: Roles,
    title: str,
    xlabel: str,
    ylabel: str,
    styles: list | None = None,
) -> None:
    """Hide unused panels, one label per figure side, legend outside the panels."""
    for ax in axs.flat:
        if ax not in used:
            ax.set_visible(False)
        ax.set(xlabel="", ylabel="")
        ax.title.set_fontsize(9)
    fig.supxlabel(xlabel, fontsize=10)
    fig.supylabel(ylabel, fontsize=10)
    # Left-aligned, so that a narrow figure's title never runs into the legend on the right.
    fig.suptitle(title, fontsize=12, x=0.02, ha="left")
    if r.hue is not None:
        styles = styles or [("-", None)]
        handles = [
            Line2D([], [], color=c, lw=2.5, label=k, ls=styles[i % len(styles)][0],
                   marker=styles[i % len(styles)][1])
            for i, (k, c) in enumerate(palette.items())
        ]  # fmt: skip
        fig.legend(
            handles=handles, title=st.axis_label(r.hue), loc="outside right upper", frameon=False
        )


def save(fig: Figure, res: ResultsDir, name: str) -> Path:
    """Save ``plots/NAME.png``, at a lower resolution if a side would exceed MAX_PX pixels
    (the figures cap their panels first, so this is only a last bound)."""
    path = res.path / "plots" / f"{name}.png"
    make_dir(path.parent, root=res.path)
    dpi = min(DPI, (MAX_PX - 2) / max(fig.get_size_inches()))
    write_with(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"), root=res.path)
    return path


def pooled_note(r: Roles, used: tuple) -> str:
    pooled = r.pooled(used)
    return f" Pooled over {', '.join(pooled)}." if pooled else ""


def _hue_note(r: Roles) -> str:
    return f" One colour per {st.axis_label(r.hue)}." if r.hue else ""


def survival_figure(res: ResultsDir, r: Roles, palette: dict) -> Plot:
    f0, f1, note = _facet_axes(res, r)
    nrows, ncols, panels = _panels(res.runs, f0, f1)
    fig, axs = _figure(nrows, ncols)
    used = set()
    for i, j, title, sub in panels:
        if len(sub):
            ax = axs[i, j]
            rp.survival_plot(sub, max_epochs=res.max_epochs, hue=r.hue, palette=palette, ax=ax)
            ax.set_title(title)
            used.add(ax)
    _finish(
        fig,
        axs,
        used,
        palette,
        r,
        "Runs not yet at the threshold",
        st.EPOCH_LABEL,
        "runs not yet at threshold",
        styles=rp.SURVIVAL_STYLES,
    )
    caption = (
        "Share of runs that have not yet met the stop criterion after each epoch "
        "(Kaplan–Meier estimate; shaded: 95% pointwise band, exponential Greenwood). Runs "
        "that did not converge, whether censored or diverged, stay in the curve until the "
        f"budget of {res.max_epochs:,} epochs, so a curve ending above 0% shows the share "
        "that never converged. Each level has its own line style and end marker, drawn over "
        "the one before, so curves that coincide stay visible."
        + _hue_note(r)
        + note
        + pooled_note(r, (r.hue, f0, f1))
    )
    return Plot("survival", "Time to threshold", caption, save(fig, res, "survival"))


def loss_figure(res: ResultsDir, r: Roles, palette: dict) -> tuple[Plot | None, str]:
    """The loss-curve figure, or ``(None, why)`` when there is nothing finite to draw."""
    path = res.path / "curves.csv.gz"
    if not path.is_file():
        return None, "No curves.csv.gz in this directory: loss curves left out."
    epochs, loss = read_curves(path, res.runs["run_id"])
    if not np.isfinite(loss).any():
        return None, "No run has a finite loss (all diverged or no curves): loss curves left out."
    runs = res.runs.reset_index(drop=True)
    f0, f1, note = _facet_axes(res, r)
    nrows, ncols, panels = _panels(runs, f0, f1)
    fig, axs = _figure(nrows, ncols)
    used = set()
    for i, j, title, sub in panels:
        if len(sub):
            ax = axs[i, j]
            idx = sub.index.to_numpy()
            ax.set_title(title)
            used.add(ax)
            if not np.isfinite(loss[idx]).any():  # say so rather than leave the panel empty
                ax.text(
                    0.5,
                    0.5,
                    "every run here diverged:\nno finite loss",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                    fontsize=9,
                    color="0.3",
                )
                continue
            rp.loss_curve_plot(
                sub.reset_index(drop=True), epochs, loss[idx], hue=r.hue, palette=palette, ax=ax
            )
    _finish(
        fig, axs, used, palette, r, "Training loss", st.EPOCH_LABEL, "training loss (log scale)"
    )
    caption = _loss_caption(r) + note + pooled_note(r, (r.hue, f0, f1))
    return Plot("loss_curves", "Loss curves", caption, save(fig, res, "loss_curves")), ""


def _loss_caption(r: Roles) -> str:
    return (
        "Median training loss (line) and interquartile range (band) at log-spaced epochs. "
        "Every run counts at every epoch: a run that stopped early (converged or diverged) "
        "keeps its last loss from then on; a diverged run's loss is infinite, so the band "
        "leaves the top of the panel when more than a quarter diverged." + _hue_note(r)
    )


def epochs_figure(res: ResultsDir, r: Roles, palette: dict) -> Plot:
    f0, f1, note = _facet_axes(res, r)
    nrows, ncols, panels = _panels(res.runs, f1, None)
    n_boxes = len(lv.levels(res.runs, f0)) * len(lv.levels(res.runs, r.hue))
    fig, axs = _figure(nrows, ncols, panel=(max(2.6, 0.45 * n_boxes + 1.0), 2.8))
    used = set()
    for i, j, title, sub in panels:
        if len(sub):
            ax = axs[i, j]
            rp.epochs_plot(sub, max_epochs=res.max_epochs, x=f0, hue=r.hue, palette=palette, ax=ax)
            ax.set_title(title)
            ax.tick_params(axis="x", labelbottom=True)
            used.add(ax)
    # The panels share y: one range for all, set after every panel has drawn.
    time, _ = time_to_event(res.runs, res.max_epochs)
    low = max(1.0, float(np.nanmin(time)))
    axs[0, 0].set_ylim(low / 1.5, res.max_epochs * 1.6)
    st.epoch_ticks(axs[0, 0], "y", span=res.max_epochs / low)
    _finish(
        fig,
        axs,
        used,
        palette,
        r,
        "Epochs to threshold",
        st.axis_label(f0) if f0 else "",
        "epochs to threshold (log scale)",
    )
    _marker_legend(fig, r)
    caption = (
        "Epochs each run needed to meet the stop criterion. Dots: converged runs; crosses: "
        f"runs that never did (censored or diverged), drawn at the budget of "
        f"{res.max_epochs:,} epochs (dotted line). The boxes count those runs at the budget, "
        "so a box that reaches the line means at least a quarter of its runs never got "
        "there; a median at the line means the median is more than the budget. At most 150 "
        "dots and 150 crosses are drawn per box (a random sample); the boxes use every run."
        + _hue_note(r)
        + note
        + pooled_note(r, (r.hue, f0, f1))
    )
    return Plot("epochs", "Epochs to threshold", caption, save(fig, res, "epochs"))


def _marker_legend(fig: Figure, r: Roles) -> None:
    marks = [
        Line2D([], [], ls="", marker="o", color="0.3", ms=4, label="converged"),
        Line2D([], [], ls="", marker="X", color="0.3", ms=5, label="never reached\n(at cap)"),
    ]
    fig.legend(handles=marks, loc="outside right lower", frameon=False, title="runs")
