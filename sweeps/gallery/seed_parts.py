"""The seed-or-gate page's two user-trainer parts: the seed's bugs, and the answer's setting.

Both run ``examples/seed/one_bug_at_a_time.py``, the question's own network with each
of its bugs on a switch. ``bugs`` (spec ``seed-or-gate-bugs``) fixes them in every
combination and spends the question's budget, lr × epochs = 5, and 200 times it;
``answer`` (spec ``seed-or-gate-answer``) trains the accepted answer's tanh/tanh network
for 100,000 epochs over a learning-rate grid and finds the rate that reproduces the
answer's four outputs (chosen on the first half of the seeds, shown on the second).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sweeps.results.read import ResultsDir
from sweeps.stats.levels import levels
from sweeps.stats.survival import summarize

from . import fair, kit

__all__ = ["ANSWER_OUT", "BugsResult", "SEED_BUDGET", "SEED_OUT", "AnswerResult", "answer", "bugs"]

OUTS = ["out_00", "out_01", "out_10", "out_11"]
SEED_OUT = (0.696, 0.755, 0.754, 0.794)  # the question's outputs after its training
ANSWER_OUT = (0.0, 0.973, 0.973, 0.983)  # the accepted answer's, after 100,000 epochs
SEED_BUDGET = 5.0  # the question's lr x epochs: 1e-6 x 5,000,000
BUG_NAMES = {
    "bias": {"per-sample": "per-sample bias (untrained)", "trained": "bias trained"},
    "output_error": {"signed-sum": "signed-sum error", "per-sample": "per-sample error"},
    "chain": {"missing": "chain-rule factor missing", "full": "full chain rule"},
}


def outputs(values: np.ndarray | pd.Series | tuple) -> str:
    """``"0.696, 0.755, 0.754, 0.794"``."""
    return ", ".join(f"{v:.3f}" for v in values)


@dataclass
class BugsResult:
    """What the bugs part measured (see :func:`bugs`)."""

    table: pd.DataFrame  # one row per combination of fixes, for the page
    as_written: np.ndarray  # the four outputs of the question's network after its budget
    step_gap: float  # the largest output difference between the two step sizes
    small_lr: float
    fixed_budget: float  # lr x epochs the fully corrected network needed (KM median)
    fixed_budget_ci: tuple[float, float]
    learners: list[str]  # the combinations that learned within 200x the budget
    figure: tuple[str, str]
    alone: dict[str, pd.Series]  # per bug: the otherwise corrected network's row

    def alone_text(self) -> str:
        """Each bug left alone in an otherwise corrected network: does it still learn?"""
        said = []
        for bug, row in self.alone.items():
            what = BUG_NAMES[bug][row[bug]]
            said.append(f"{what}: {kit.rate(row['cell'])} learn, lr × epochs "
                        f"{_budget_text(row, self.long_budget)}")  # fmt: skip
        return "; ".join(said)

    long_budget: float = 0.0


def _combo(row: pd.Series) -> str:
    return ", ".join(BUG_NAMES[k][row[k]] for k in BUG_NAMES)


def _n_fixed(row: pd.Series) -> int:
    defaults = (("bias", "per-sample"), ("output_error", "signed-sum"), ("chain", "missing"))
    return sum(row[k] != default for k, default in defaults)


def bugs(res: ResultsDir, img: Path) -> BugsResult:
    """Every combination of the seed's bugs: outputs after its budget, and what learns."""
    runs = res.runs
    keys = list(BUG_NAMES)
    budgets = levels(runs, "budget")
    short, long_ = budgets[0], budgets[-1]
    small, large = levels(runs, "lr")[0], levels(runs, "lr")[-1]
    at = runs[runs["budget"] == short]
    out_small = at[at["lr"] == small].groupby(keys)[OUTS].median()
    out_large = at[at["lr"] == large].groupby(keys)[OUTS].median()
    step_gap = float(np.max(np.abs(out_small.to_numpy() - out_large.to_numpy())))
    rows = []
    for key, outs in out_small.iterrows():
        where = dict(zip(keys, key, strict=True))
        long_runs = runs[(runs["budget"] == long_) & (runs["lr"] == small)]
        for k, v in where.items():
            long_runs = long_runs[long_runs[k] == v]
        cap = int(np.ceil(long_ / small - 1e-9))
        cell = summarize(long_runs, [], cap).iloc[0]
        budget = cell["km_median"] * small
        rows.append({**where, "outs": outs.to_numpy(), "cell": cell, "budget": budget,
                     "budget_lo": cell["km_median_lo"] * small,
                     "budget_hi": cell["km_median_hi"] * small,
                     "max_error": float(long_runs["max_error"].median())})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["fixed"] = frame.apply(_n_fixed, axis=1)
    frame = frame.sort_values("fixed", kind="stable").reset_index(drop=True)
    seed_row = frame[frame["fixed"] == 0].iloc[0]
    full = frame[frame["fixed"] == 3].iloc[0]
    learners = [_combo(r) for _, r in frame.iterrows() if r["cell"]["success_rate"] > 0.5]
    table = pd.DataFrame(
        {
            "Bias": frame["bias"],
            "Output error": frame["output_error"],
            "Chain rule": frame["chain"],
            f"Outputs after lr × epochs = {short:g} (median of {int(at['seed'].nunique())} "
            "seeds)": [outputs(o) for o in frame["outs"]],
            f"Learned within lr × epochs = {long_:g}": [kit.rate(r) for r in frame["cell"]],
            "lr × epochs to learn (KM median, 95% CI)": [
                _budget_text(r, long_) for _, r in frame.iterrows()
            ],
            "Median max error at the end": [f"{v:.3f}" for v in frame["max_error"]],
        }
    )
    figure = _bugs_figure(frame, img, short)
    alone = {}
    for bug, default in (("bias", "per-sample"), ("output_error", "signed-sum"),
                         ("chain", "missing")):  # fmt: skip
        hit = frame[(frame["fixed"] == 2) & (frame[bug] == default)]
        if len(hit):
            alone[bug] = hit.iloc[0]
    return BugsResult(
        table, np.asarray(seed_row["outs"]), step_gap, small, float(full["budget"]),
        (float(full["budget_lo"]), float(full["budget_hi"])), learners, figure, alone, long_,
    )  # fmt: skip


def _budget_text(row: pd.Series, cap: float) -> str:
    if not np.isfinite(row["budget"]):
        return f"> {cap:,.0f}"
    hi = f"{row['budget_hi']:,.0f}" if np.isfinite(row["budget_hi"]) else f"> {cap:,.0f}"
    return f"{row['budget']:,.0f} ({kit.num(row['budget_lo'])}–{hi})"


def _bugs_figure(frame: pd.DataFrame, img: Path, budget: float) -> tuple[str, str]:
    fig = kit.figure(1, panel=(6.4, 3.6), legend_w=1.6)
    ax = fig.subplots()
    labels = ["0,0 (target 0)", "0,1 (target 1)", "1,0 (target 1)", "1,1 (target 1)"]
    markers = ["o", "s", "D", "^"]
    names = ["the question's reported outputs"] + [
        f"{r['fixed']} fixed: " + "/".join(_short(r)) for _, r in frame.iterrows()
    ]
    values = [np.asarray(SEED_OUT)] + list(frame["outs"])
    for k in range(4):
        ax.scatter([v[k] for v in values], range(len(values)), marker=markers[k],
                   color=kit.COLOURS[k], label=labels[k], zorder=3)  # fmt: skip
    ax.set_yticks(range(len(values)), names, fontsize=8)
    ax.invert_yaxis()
    ax.axvspan(0.6, 0.85, color="0.9", zorder=0)
    ax.set_xlabel(f"output after lr × epochs = {budget:g} (the question's 1e-6 × 5,000,000)")
    ax.grid(alpha=0.25, lw=0.6)
    kit.legend(fig, ax, "input")
    fig.suptitle("The question's network, its bugs fixed in every combination", x=0.02, ha="left")
    caption = (
        "The four outputs after the question's budget, for every combination of its three "
        "code bugs fixed or not (bias/error/chain; median over the seeds), and the outputs "
        "the question reported (top row). Shaded: 0.6–0.85. At this budget every "
        "combination still sits near 0.7–0.75 on all four inputs: the crawl is the budget's."
    )
    return kit.save(fig, img, "seed-or-gate-bugs"), caption


def _short(row: pd.Series) -> list[str]:
    return [
        "bias" if row["bias"] == "trained" else "no bias",
        "per-sample error" if row["output_error"] == "per-sample" else "signed sum",
        "chain" if row["chain"] == "full" else "no chain",
    ]


@dataclass
class AnswerResult:
    """What the answer part measured (see :func:`answer`)."""

    table: pd.DataFrame
    best: str  # the variant that matches the answer best (on the reporting seeds)
    best_lr: float
    best_outs: np.ndarray
    best_gap: np.ndarray  # |measured - answer| per output
    edge: str  # the bracketing sentence
    seeds: tuple[str, str]
    converged: int  # runs that met the (strict) stop rule before 100,000 epochs
    corrected_gap: float = float("nan")  # the corrected update's largest difference


def answer(res: ResultsDir) -> AnswerResult:
    """The answer's tanh/tanh network per update variant, at the rate that matches it."""
    runs = res.runs.assign(gap=_gap(res.runs))
    keys = ["output_error", "chain"]
    pick, report = fair.halves(runs)
    chosen = pick.groupby([*keys, "lr"])["gap"].mean().reset_index()
    chosen = chosen.loc[chosen.groupby(keys)["gap"].idxmin()].reset_index(drop=True)
    grid = levels(runs, "lr")
    chosen["at_edge"] = chosen["lr"].isin([grid[0], grid[-1]])
    rows = []
    for _, c in chosen.iterrows():
        r = report[(report["output_error"] == c["output_error"]) & (report["chain"] == c["chain"])
                   & (report["lr"] == c["lr"])]  # fmt: skip
        outs = r[OUTS].median().to_numpy()
        gap = np.abs(outs - np.asarray(ANSWER_OUT))
        rows.append({**c[keys].to_dict(), "lr": c["lr"], "outs": outs, "gap": gap,
                     "at_edge": c["at_edge"]})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["worst"] = [float(g.max()) for g in frame["gap"]]
    top = frame.loc[frame["worst"].idxmin()]
    table = pd.DataFrame(
        {
            "Output error": frame["output_error"],
            "Chain rule": frame["chain"],
            "Best-matching lr (" + fair.seed_ranges(runs)[0] + ")": [
                f"{v:g}" + (" (grid edge)" if e else "")
                for v, e in zip(frame["lr"], frame["at_edge"], strict=True)
            ],
            "Outputs after 100,000 epochs (" + fair.seed_ranges(runs)[1] + ")": [
                outputs(o) for o in frame["outs"]
            ],
            "Largest difference from 0, 0.973, 0.973, 0.983": [f"{w:.3f}" for w in frame["worst"]],
        }
    )
    return AnswerResult(
        table, _variant(top["output_error"], top["chain"]), float(top["lr"]),
        top["outs"], top["gap"], fair.edge_note(chosen, "lr"), fair.seed_ranges(runs),
        int((runs["status"] == "converged").sum()),
        _worst_of(frame, "per-sample", "full"),
    )  # fmt: skip


def _worst_of(frame: pd.DataFrame, error: str, chain: str) -> float:
    hit = frame[(frame["output_error"] == error) & (frame["chain"] == chain)]
    return float(hit["worst"].min()) if len(hit) else float("nan")


def _variant(error: str, chain: str) -> str:
    if (error, chain) == ("signed-sum", "missing"):
        return "question's own update, unchanged (signed-sum error, chain-rule factor missing)"
    if (error, chain) == ("per-sample", "full"):
        return "corrected update (per-sample error, full chain rule)"
    return f"update with a {error} error and the chain rule {chain}"


def _gap(runs: pd.DataFrame) -> np.ndarray:
    """Per run, the largest |output - the answer's output| over the four inputs."""
    return np.max(np.abs(runs[OUTS].to_numpy(dtype=float) - np.asarray(ANSWER_OUT)), axis=1)
