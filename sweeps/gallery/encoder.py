"""Gallery entry encoder-8-3-8: the n-m-n encoders under the 40-20-40 rule.

The optimisers share one learning-rate grid; each is read at its own best rate
(highest success rate, then the lowest restricted mean time to threshold).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sweeps.results.read import ResultsDir
from sweeps.stats.levels import levels
from sweeps.stats.survival import summarize

from . import kit
from .kit import OPT_NAMES

__all__ = ["page"]


def _arch(task: str, hidden: str) -> str:
    """``("encoder8", "3")`` -> ``"8-3-8"``."""
    n = "".join(c for c in task if c.isdigit())
    return f"{n}-{hidden.replace('x', '-')}-{n}"


def page(res: ResultsDir, img: Path) -> kit.Page:
    """The encoder-8-3-8 page: each optimiser at its best rate, on every encoder."""
    m = res.max_epochs
    runs = res.runs.assign(
        arch=[_arch(t, h) for t, h in zip(res.runs["task"], res.runs["hidden"], strict=True)]
    )
    s = summarize(runs, ["arch", "optimizer", "lr"], m)
    top = kit.best(s, "lr", ["arch", "optimizer"])
    archs = levels(s, "arch")
    main = "8-3-8" if "8-3-8" in archs else archs[0]
    rows = top[top["arch"] == main].set_index("optimizer")
    fast = rows.sort_values("km_median").index[0] if rows["km_median"].notna().any() else None
    bp = [
        o for o in ("gd", "momentum") if o in rows.index and np.isfinite(rows.loc[o, "km_median"])
    ]
    bp_best = min(bp, key=lambda o: rows.loc[o, "km_median"]) if bp else None
    robust = " ".join(_robust(s, a) for a in ("8-3-8", "10-5-10") if a in archs)
    figures = [_encoder_figure(s, img, m, "km_median"), _encoder_figure(s, img, m, "success_rate")]
    headline = (
        f"On the {main} encoder under the 40-20-40 rule, each optimiser at its best rate: "
        + "; ".join(
            f"{OPT_NAMES.get(o, o)} (lr {r['lr']:g}) median {kit.median(r, m)}, "
            f"{kit.rate(r)} converged"
            for o, r in rows.iterrows()
        )
        + "."
    )
    speedup = (
        f"{OPT_NAMES.get(fast, fast)} needs "
        f"{kit.ratio(rows.loc[bp_best, 'km_median'], rows.loc[fast, 'km_median'])} fewer epochs "
        f"(median) than the best backprop variant, {OPT_NAMES.get(bp_best, bp_best)}"
        if fast and bp_best
        else "no comparison: a median was not reached"
    )
    comparison = [
        (
            "Adaptive step sizes vs standard backprop",
            'Fahlman: Quickprop (not in nnsweep) learns these benchmarks "faster than '
            'standard backprop by an order of magnitude or more" (abstract)',
            f"{main}: {speedup}",
        ),
        (
            "Rprop's speed",
            "Riedmiller & Braun: Rprop needs fewer epochs than backprop and its "
            "adaptive rivals on these tasks (paraphrased; their tables are not quoted here)",
            _by_opt(top, "rprop", m),
        ),
        (
            "Rprop's robustness to its one parameter (Δ0)",
            "Riedmiller & Braun: good results over a wide range of Δ0 (paraphrased)",
            robust,
        ),
    ]
    tables = [("Each optimiser at its best learning rate", _encoder_table(top, m))]
    discussion = (
        "Three differences matter most. *Error scale*: the classic papers sum the squared "
        "error over patterns and outputs, nnsweep's mse averages it (÷64 for 8-3-8, ÷100 for "
        "10-5-10), so plain GD's best rates here (around 100) correspond to classic η near 1; "
        "Rprop and Adam do not care about the scale. *The algorithms*: nnsweep's Rprop is "
        "iRprop− (no weight backtracking), a later variant of Riedmiller & Braun's; it has no "
        'Quickprop, and does not add Fahlman\'s 0.1 "sigmoid-prime offset" that keeps '
        "saturated output units learning. *Statistics*: papers of the period report mean "
        "epochs over their trials; nnsweep reports Kaplan–Meier medians in which runs that "
        "never met the criterion count as censored at the budget, and shows the failure rate "
        "beside it. Here Rprop is the fastest when it works but is the optimiser that most "
        "often stalls on the 3-unit bottleneck (see the table), so its median and its "
        "success rate have to be read together. Initial weights are uniform on ±1; the "
        "papers' exact ranges may differ."
    )
    return kit.Page(headline, figures, comparison, discussion, tables)


def _by_opt(top: pd.DataFrame, opt: str, m: int) -> str:
    parts = [
        f"{r['arch']}: {kit.median(r, m)}, {kit.rate(r)}"
        for _, r in top[top["optimizer"] == opt].iterrows()
        if r["arch"] in ("8-3-8", "10-5-10")
    ]
    return "; ".join(parts) if parts else "not run"


def _robust(s: pd.DataFrame, arch: str) -> str:
    """For each optimiser on ``arch``: the rates where at least 90% of runs converged."""
    parts = []
    for opt in levels(s, "optimizer"):
        rows = s[(s["arch"] == arch) & (s["optimizer"] == opt)]
        good = rows[rows["success_rate"] >= 0.9]["lr"]
        span = f"{len(good)} of {len(rows)} rates" + (
            f" ({good.min():g}–{good.max():g})" if len(good) else ""
        )
        parts.append(f"{OPT_NAMES.get(opt, opt)}: {span}")
    return f"{arch}, rates where ≥ 90% of runs converged: " + "; ".join(parts) + "."


def _encoder_table(top: pd.DataFrame, m: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "encoder": top["arch"],
            "optimiser": top["optimizer"].map(lambda o: OPT_NAMES.get(o, o)),
            "best lr": top["lr"].map(lambda v: f"{v:g}"),
            "converged": [kit.rate(r) for _, r in top.iterrows()],
            "median epochs": [kit.median(r, m) for _, r in top.iterrows()],
        }
    )


def _encoder_figure(s: pd.DataFrame, img: Path, m: int, value: str) -> tuple[str, str]:
    archs = levels(s, "arch")
    fig = kit.figure(len(archs), panel=(3.0, 2.9), legend_w=1.6)
    axs = fig.subplots(1, len(archs), sharey=True, squeeze=False)[0]
    labels = {o: OPT_NAMES.get(o, o) for o in levels(s, "optimizer")}
    for ax, arch in zip(axs, archs, strict=True):
        rows = s[s["arch"] == arch]
        if value == "km_median":
            kit.median_panel(ax, rows, "lr", "optimizer", m, log_x=True, labels=labels,
                             low=kit.epoch_floor(s))  # fmt: skip
        else:
            kit.rate_panel(ax, rows, "lr", "optimizer", log_x=True, labels=labels)
        ax.set_title(arch, fontsize=10)
        ax.set_xlabel("learning rate (Rprop: Δ0), log")
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    kit.legend(fig, axs[0], "optimiser")
    if value == "km_median":
        axs[0].set_ylabel("median epochs to 40-20-40\n(log scale, 95% CI)")
        title, name = "Encoders: epochs to the 40-20-40 criterion", "encoder-epochs"
        caption = (
            "Kaplan–Meier median epochs until every output is in the correct outer 40% of its "
            "range, against the learning rate, one panel per encoder. " + kit.budget_note(m)
        )
    else:
        axs[0].set_ylabel("runs that met 40-20-40")
        title, name = "Encoders: share of runs that met the criterion", "encoder-success"
        caption = (
            f"Share of runs that met the 40-20-40 criterion within {m:,} epochs (95% Wilson "
            "interval), against the learning rate: the range of rates each optimiser tolerates."
        )
    fig.suptitle(title, x=0.02, ha="left")
    return kit.save(fig, img, name), caption
