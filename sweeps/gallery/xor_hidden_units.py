"""Gallery entry xor-hidden-units: failures and epochs against hidden width."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sweeps.results.read import ResultsDir
from sweeps.stats.levels import levels
from sweeps.stats.survival import summarize

from . import kit
from .kit import constant_output_loss, median_of, row_of

__all__ = ["page"]


SOURCE_LRS = (1.0, 2.0)  # the chapter's eta 0.25 and 0.5 on nnsweep's mean-over-patterns mse
RHW_LR = 2.0  # eta 0.5, where the chapter says runs escape
LATE = 10_000  # the earlier budget of this page: a run "failed" if not converged by then


def chauvin(h: float) -> float:
    """Chauvin's fit of epochs to learn XOR against hidden units: 280 - 33 log2 H."""
    return 280.0 - 33.0 * np.log2(h)


def _failure_table(s: pd.DataFrame) -> pd.DataFrame:
    return s.assign(
        success_rate=1 - s["success_rate"], success_lo=1 - s["success_hi"],
        success_hi=1 - s["success_lo"],
    )  # fmt: skip


def page(res: ResultsDir, img: Path) -> kit.Page:
    """The xor-hidden-units page: failure rate and median epochs against width."""
    m = res.max_epochs
    every = res.runs.assign(width=res.runs["hidden"].map(_width))
    cut = min(LATE, m)
    short_cut = _shortcut_rows(every, m)
    plain = every["shortcut"] == False if "shortcut" in every else True  # noqa: E712
    runs = every[plain & (every["width"] >= 2)]  # one unit without shortcuts cannot do XOR
    s = summarize(runs, ["width", "lr"], m)
    widths = levels(s, "width")
    narrow, wide = widths[0], widths[-1]
    # The chapter's settings only: eta 0.25 and 0.5, lr 1 and 2 here (the mean-vs-sum factor 4).
    source = runs[runs["lr"].isin(SOURCE_LRS)]
    pooled = summarize(source.assign(narrow=source["width"] == narrow), ["narrow"], m)
    at_narrow, rest = row_of(pooled, narrow=True), row_of(pooled, narrow=False)
    lr = max(levels(s, "lr"))
    fast_n, fast_w = row_of(s, width=narrow, lr=lr), row_of(s, width=wide, lr=lr)
    failed = source[source["status"] != "converged"]
    done = source[source["status"] == "converged"]
    late = source[(source["status"] == "converged") & (source["epochs_to_threshold"] > cut)]
    by_cut = len(failed) + len(late)
    flat = constant_output_loss(str(runs["task"].iloc[0]))
    stuck = (
        f"median final loss of the {len(failed)} failed runs: "
        f"{failed['final_loss'].median():.4f}, median accuracy "
        f"{100 * failed['accuracy'].median():.0f}% (converged runs end at or below "
        f"{kit.num(done['final_loss'].max(), '.4f')}; answering 0.5 everywhere costs "
        f"{flat:.4f}); median longest plateau: {failed['plateau_epochs'].median():,.0f} epochs"
        if len(failed)
        else "no run failed"
    )
    figure = _xor_figure(s, img, m)
    nxt = widths[1] if len(widths) > 1 else wide
    headline = (
        f"With {narrow} hidden units, {kit.failure(at_narrow)} never reached the threshold "
        f"within {m:,} epochs (the chapter's η 0.25 and 0.5, lr 1 and 2 here); with {nxt} or "
        "more, "
        f"{kit.failure(rest) if rest is not None else 'n/a'}. The median time "
        f"{kit.trend(median_of(fast_n), median_of(fast_w))} with width, from "
        f"{kit.num(median_of(fast_n))} epochs at {narrow} units to "
        f"{kit.num(median_of(fast_w))} at {wide} (lr = {lr:g})."
    )
    rhw = row_of(s, width=narrow, lr=RHW_LR)
    fit = _chauvin_ratios(s, RHW_LR)
    comparison = [
        (
            f"Stuck runs at η 0.5 (lr {RHW_LR:g} here), 2-{narrow}-1",
            '2 runs stuck in "hundreds" (at most about 1%); at η ≥ 0.5 runs escape',
            (
                f"disagrees: {kit.failure(rhw)} failed, against at most about 1%"
                if rhw is not None and 1 - rhw["success_rate"] > 0.01
                else f"agrees: {kit.failure(rhw)}"
                if rhw is not None
                else "n/a"
            ),
        ),
        (
            "Epochs against hidden units (Chauvin's fit)",
            "280 − 33·log2 H epochs",
            fit,
        ),
        (
            "Failed runs: stuck, or slow?",
            '"Stuck": the error stops improving before the task is learned',
            f"of the {by_cut} runs (lr 1 and 2) not converged by {cut:,} epochs, {len(late)} "
            f"converged by {m:,}; {len(failed)} never did",
        ),
        *short_cut,
        (
            "Runs that get stuck",
            "Rare, and met only in networks with just enough units for the task; extra "
            "units give gradient descent a way around (paraphrased)",
            f"{narrow} units: {kit.failure(at_narrow)}; "
            f"more: {kit.failure(rest) if rest is not None else 'n/a'}",
        ),
        (
            "What a stuck run looks like",
            "A local minimum: the error stops falling before the task is learned (whether "
            "it is a minimum is not measured here: no gradient was recorded)",
            stuck,
        ),
        (
            "Epochs vs width",
            "Not given as a table in the chapter (see Chauvin's fit above)",
            f"lr = {lr:g}: {kit.median(fast_n, m)} at {narrow} units, "
            f"{kit.median(fast_w, m)} at {wide}",
        ),
    ]
    discussion = (
        "Rumelhart, Hinton & Williams describe their XOR runs one by one rather than as rates, "
        "so the comparison is with the direction of their claim, which nnsweep confirms: the "
        "failures are confined to the narrowest network. The runs differ from theirs in four "
        "ways. *Criterion*: nnsweep stops when every output is within 0.1 of its target; the "
        "chapter's stopping rule may differ. *Loss scaling*: nnsweep's mse averages the four "
        "patterns where the chapter summed them, so lr 1.0 and 2.0 here are their η 0.25 and "
        "0.5, and the brief's 0.25 and 0.5 are a quarter of those. *Updates*: full-batch "
        "gradient descent with momentum 0.9, one update per epoch. *Initial weights*: uniform "
        'on ±0.5, our reading of "small random weights". A run counted as failed here '
        f"is one that did not converge within the budget of {m:,} epochs; the table counts "
        f"how many of those not converged by {cut:,} epochs were only slow. The grid also "
        "runs every width with shortcut connections (inputs feeding the output too); only "
        "the one-unit network with them, the chapter's 2-1-1, is quoted."
    )
    return kit.Page(headline, [figure], comparison, discussion)


def _chauvin_ratios(s: pd.DataFrame, lr: float) -> str:
    """nnsweep's KM median over Chauvin's fit at each width, at ``lr``."""
    said = []
    for _, r in s[s["lr"] == lr].sort_values("width").iterrows():
        if r["width"] > 0 and np.isfinite(r["km_median"]):
            said.append(f"H {r['width']:.0f}: {r['km_median']:,.0f} vs {chauvin(r['width']):,.0f} "
                        f"({r['km_median'] / chauvin(r['width']):.2f}×)")  # fmt: skip
    if not said:
        return "n/a"
    return f"at lr {lr:g} (η 0.5), KM median against the fit: " + "; ".join(said)


def _shortcut_rows(runs: pd.DataFrame, m: int) -> list[tuple[str, str, str]]:
    """The chapter's 2-1-1 XOR: one hidden unit, the inputs also feeding the output."""
    if "shortcut" not in runs:
        return []
    one = runs[(runs["width"] == 1) & (runs["shortcut"] == True)]  # noqa: E712
    plain = runs[(runs["width"] == 1) & (runs["shortcut"] == False)]  # noqa: E712
    if one.empty:
        return []
    s = summarize(one, ["lr"], m)
    cells = "; ".join(f"lr {r['lr']:g}: {kit.rate_short(r)}, median {kit.median_short(r, m)}"
                      for _, r in s.iterrows())  # fmt: skip
    base = summarize(plain, [], m).iloc[0] if len(plain) else None
    return [(
        "One hidden unit with shortcut connections (2-1-1)",
        "Solves XOR: the inputs also feed the output unit directly",
        f"converged (Wilson 95% CI), median epochs: {cells}"
        + (f"; without shortcuts {kit.rate_short(base)}" if base is not None else ""),
    )]  # fmt: skip


def _width(hidden: str) -> int:
    return int(hidden) if hidden and "x" not in hidden else 0


def _xor_figure(s: pd.DataFrame, img: Path, m: int) -> tuple[str, str]:
    fig = kit.figure(2, panel=(3.6, 3.0), legend_w=1.6)
    left, right = fig.subplots(1, 2, squeeze=True)
    labels = {v: f"{v:g}" for v in levels(s, "lr")}
    kit.rate_panel(left, _failure_table(s), "width", "lr", log_x=True, zoom=True, labels=labels)
    left.set(xlabel="hidden units (log scale)", ylabel="runs that never reached the threshold")
    left.set_title("Failures", fontsize=10)
    kit.median_panel(right, s, "width", "lr", m, log_x=True, labels=labels)
    right.set(xlabel="hidden units (log scale)", ylabel="median epochs to threshold (log scale)")
    right.set_title("Epochs to threshold", fontsize=10)
    kit.legend(fig, left, "learning rate")
    fig.suptitle("XOR, sigmoid hidden units, GD + momentum 0.9", x=0.02, ha="left")
    caption = (
        "Left: share of runs that never met the criterion within the budget (95% Wilson "
        "interval). Right: Kaplan–Meier median epochs to threshold (95% interval). One line "
        "per learning rate; lr 1 and 2 equal the classic summed-error η 0.25 and 0.5. "
        + kit.budget_note(m)
    )
    return kit.save(fig, img, "xor-hidden-units"), caption
