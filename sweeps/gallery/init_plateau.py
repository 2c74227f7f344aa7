"""Gallery entry init-plateau: XOR from small and large initial weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns

from sweeps.report.style import epoch_ticks
from sweeps.results.read import ResultsDir, read_curves
from sweeps.stats.levels import levels
from sweeps.stats.survival import summarize

from . import kit
from .kit import constant_output_loss

__all__ = ["page"]


def page(res: ResultsDir, img: Path) -> kit.Page:
    """The init-plateau page: success, plateaus and failures against the init scale."""
    m = res.max_epochs
    s = summarize(res.runs, ["hidden", "init_scale"], m)
    flat = constant_output_loss(str(res.runs["task"].iloc[0]))
    runs = res.runs.assign(
        on_plateau=np.isclose(res.runs["final_loss"], flat, rtol=0.01)
        & (res.runs["status"] != "converged")
    )
    share = runs.groupby(["hidden", "init_scale"], sort=False)["on_plateau"].mean()
    failed = runs[runs["status"] != "converged"]
    stuck = failed.groupby(["hidden", "init_scale"], sort=False)["final_loss"].median()
    ends = _end_gradients(res)
    runs = runs.assign(end_grad=runs["run_id"].map(ends))
    moving = runs[(runs["status"] != "converged") & ~runs["on_plateau"]]
    grad = moving.groupby(["hidden", "init_scale"], sort=False)["end_grad"].median()
    keys = list(zip(s["hidden"], s["init_scale"], strict=True))
    s = s.assign(
        on_plateau=[share.get(k, np.nan) for k in keys],
        failed_loss=[stuck.get(k, np.nan) for k in keys],
        end_grad=[grad.get(k, np.nan) for k in keys],
    )
    arch = levels(s, "hidden")[0]
    rows = s[s["hidden"] == arch].sort_values("init_scale")
    small, large = rows.iloc[0], rows.iloc[-1]
    peak = rows.sort_values(["success_rate", "rmst"], ascending=[False, True]).iloc[0]
    spread = _spread(rows, m)
    other = moving[moving["hidden"] == arch]["end_grad"].dropna()
    figures = [_plateau_rates(s, img), _plateau_curves(res, img)]
    headline = (
        f"XOR 2-{arch.replace('x', '-')}-1 from uniform(±{small['init_scale']:g}): "
        f"{kit.rate(small)} reached the threshold in {m:,} epochs, and "
        f"{100 * small['on_plateau']:.0f}% ended where they started, on the plateau at loss "
        f"{flat:.3f} (every output 0.5). The best scale, ±{peak['init_scale']:g}, "
        f"converged in {kit.rate(peak)}; from ±{large['init_scale']:g}, {kit.rate(large)}."
    )
    comparison = [
        (
            "Initial weight scale and convergence time",
            "The magnitude of the initial weights strongly affects how variable the "
            "convergence time is; back-propagation is extremely sensitive to the initial "
            "weights (paraphrased)",
            f"Kaplan–Meier quartiles of epochs to threshold (censoring-aware: runs that never "
            f"converged count to the budget) and success, 2-{arch.replace('x', '-')}-1: {spread}",
        ),
        (
            "Small initial weights",
            "Not a claim of the paper",
            f"±{small['init_scale']:g}: {kit.rate(small)}; "
            f"{100 * small['on_plateau']:.0f}% still at loss {flat:.3f} at the budget",
        ),
        (
            "Large initial weights",
            "Part of the same sensitivity: from larger weight vectors the outcome varies "
            "more (paraphrased; the paper gives maps and samples, no rate quoted here)",
            f"±{peak['init_scale']:g}: {kit.rate(peak)}; ±{large['init_scale']:g}: "
            f"{kit.rate(large)}",
        ),
    ]
    tables = [("Every cell", _plateau_table(s, m))]
    discussion = (
        "Kolen & Pollack sampled initial weights over growing ranges and also mapped, "
        "deterministically, which starting points converge; their figures show how sensitive "
        "the outcome is, not one number per range, so the comparison is with the direction "
        "of their claim. nnsweep draws every weight (and no bias: biases start at 0) uniformly "
        "on ±scale, trains with full-batch gradient descent at lr 2 (the classic summed-error "
        "η 0.5) and counts a run as converged when every output is within 0.1 of its "
        "target; their learning rule, momentum and criterion may differ. The plateau at "
        "small scales is the symmetric start: with tiny weights every hidden unit computes "
        "nearly the same thing, every output is near 0.5, and the gradient that would tell "
        "the units apart is itself tiny; the runs sit at the loss of answering 0.5 everywhere "
        "until the budget ends. At large scales the runs that fail end at a different loss "
        "(the table's last columns): not the flat start. The final loss alone cannot say "
        "whether that is a local minimum, so the page measures the gradient norm (all "
        "layers, full training set) at the last logged epoch: "
        + _stationary(other)
        + " A small gradient is a stationary point: a local minimum or a saddle, which this "
        "measurement does not separate."
    )
    return kit.Page(headline, figures, comparison, discussion, tables)


def _spread(rows: pd.DataFrame, m: int) -> str:
    """Per init scale, KM quartiles (q1–q3, "> budget" when not reached) and success."""
    parts = []
    for _, r in rows.iterrows():
        q1, q3 = (f"{v:,.0f}" if np.isfinite(v) else f"> {m:,}" for v in (r["km_q1"], r["km_q3"]))
        parts.append(f"±{r['init_scale']:g}: {q1}–{q3} ({kit.rate_short(r)} converged)")
    return "; ".join(parts)


def _end_gradients(res: ResultsDir) -> pd.Series:
    """Per run, the weight-gradient norm over all layers at its last logged epoch
    (NaN for every run when the sweep ran without diagnostics)."""
    path = res.path / "diagnostics.csv.gz"
    if not path.is_file():
        return pd.Series(dtype=float)
    d = pd.read_csv(path)
    d = d[d["metric"] == "grad_norm"]
    last = d[d["epoch"] == d.groupby("run_id")["epoch"].transform("max")]
    return last.groupby("run_id")["value"].apply(lambda v: float(np.sqrt(np.sum(v**2))))


def _stationary(grads: pd.Series) -> str:
    if grads.empty:
        return "no failed run off the plateau had its gradient recorded."
    small = int((grads < 1e-3).sum())
    return (
        f"for the {len(grads)} failed runs of the first network off the plateau, median "
        f"{np.median(grads):.2g} (range {grads.min():.2g}–{grads.max():.2g}); {small} of them "
        "below 1e-3."
    )


def _plateau_table(s: pd.DataFrame, m: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hidden": s["hidden"],
            "init ±": s["init_scale"].map(lambda v: f"{v:g}"),
            "converged": [kit.rate(r) for _, r in s.iterrows()],
            "median epochs": [kit.median(r, m) for _, r in s.iterrows()],
            "on the plateau at the end": s["on_plateau"].map(lambda v: f"{100 * v:.0f}%"),
            "median final loss of the failed runs": s["failed_loss"].map(
                lambda v: kit.num(v, ".4f") if np.isfinite(v) else "no failures"
            ),
            "KM quartiles of epochs": [
                " – ".join(
                    f"{v:,.0f}" if np.isfinite(v) else f"> {m:,}" for v in (r["km_q1"], r["km_q3"])
                )
                for _, r in s.iterrows()
            ],
            "gradient norm at the end (failed, off the plateau)": s["end_grad"].map(
                lambda v: f"{v:.2g}" if np.isfinite(v) else "–"
            ),
        }
    )


def _plateau_rates(s: pd.DataFrame, img: Path) -> tuple[str, str]:
    fig = kit.figure(1, panel=(4.6, 3.2), legend_w=1.6)
    ax = fig.subplots()
    labels = {h: f"2-{h.replace('x', '-')}-1" for h in levels(s, "hidden")}
    kit.rate_panel(ax, s, "init_scale", "hidden", log_x=True, labels=labels)
    ax.set(xlabel="initial weight scale: uniform(±scale), log scale",
           ylabel="runs that reached the threshold")  # fmt: skip
    kit.legend(fig, ax, "network")
    fig.suptitle("XOR: success against initial weight scale", x=0.02, ha="left")
    caption = (
        "Share of runs that met the criterion within the budget, with its 95% Wilson "
        "interval, against the range of the initial weights (log scale)."
    )
    return kit.save(fig, img, "init-plateau-success"), caption


def _plateau_curves(res: ResultsDir, img: Path) -> tuple[str, str]:
    runs = res.runs.reset_index(drop=True)
    epochs, loss = read_curves(res.path / "curves.csv.gz", runs["run_id"])
    archs, scales = levels(runs, "hidden"), levels(runs, "init_scale")
    colours = dict(zip(scales, sns.color_palette("viridis_r", len(scales)), strict=True))
    fig = kit.figure(len(archs), panel=(3.4, 3.0), legend_w=1.5)
    axs = fig.subplots(1, len(archs), sharey=True, squeeze=False)[0]
    for ax, arch in zip(axs, archs, strict=True):
        for scale in scales:
            rows = ((runs["hidden"] == arch) & (runs["init_scale"] == scale)).to_numpy()
            if rows.any():
                # Quantiles without interpolation, so a diverged run's inf stays inf.
                mid = np.nanquantile(loss[rows], 0.5, axis=0, method="inverted_cdf")
                ax.plot(epochs, mid, color=colours[scale], lw=1.8, label=f"{scale:g}")
        ax.set(xscale="log", yscale="log", xlabel="epoch (log scale)")
        epoch_ticks(ax)
        ax.set_title(f"2-{arch.replace('x', '-')}-1", fontsize=10)
        ax.grid(alpha=0.25, lw=0.6)
    axs[0].set_ylabel("median training loss (log scale)")
    kit.legend(fig, axs[0], "init ±scale")
    fig.suptitle("XOR: median loss curves by initial weight scale", x=0.02, ha="left")
    caption = (
        "Median training loss against epoch, one line per initial weight scale; a run that "
        "stopped keeps its last loss. Small scales stay flat at the loss of answering 0.5 "
        "everywhere for the whole budget; where a median line drops, at least half the runs "
        "of that scale had left the plateau by then."
    )
    return kit.save(fig, img, "init-plateau-loss"), caption
