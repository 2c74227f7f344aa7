"""Gallery entry encoder-8-3-8: the n-m-n encoders under the 40-20-40 rule, against SNNS.

Each optimiser's learning rate is chosen per encoder on the first half of the seeds and
reported on the second (:func:`fair.choose`). The published figures are the SNNS user
manual's for the 8-3-8 encoder; Fahlman's Quickprop is not in nnsweep, so his claim is
listed as one that cannot be compared.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sweeps.results.read import ResultsDir
from sweeps.stats.levels import levels
from sweeps.stats.survival import summarize

from . import encoder_figures, encoder_online, encoder_tables, fair, kit
from .encoder_claims import compare_figure, logrank, momentum_findings, ratio_claim
from .encoder_tables import patterns_x_outputs
from .kit import OPT_NAMES

__all__ = ["MAIN", "SNNS", "arch", "page"]

MAIN = "8-3-8"
# The SNNS user manual's figures for the 8-3-8 encoder, in epochs (its "cycles").
SNNS = {"gd": 750.0, "momentum": 300.0, "rprop": 75.0}
# What differs from the SNNS set-up, said next to each figure (the page's discussion has all).
DIFFERENCES = {
    "gd": "full batch, not SNNS's per-pattern updates; mean, not summed, error",
    "momentum": "full batch; mean error; μ 0.9 (SNNS's μ not quoted); no flat-spot offset",
    "rprop": "iRprop− (no weight backtracking), not the original Rprop",
}
ONLINE_DIFFERENCES = {
    "gd": "mean, not summed, error over one pattern's 8 outputs; patterns shuffled each epoch",
    "momentum": "mean error over one pattern's outputs; shuffled; μ 0.9; no flat-spot offset",
}
SNNS_NAMES = {"gd": "back-propagation", "momentum": "back-propagation with momentum",
              "rprop": "Rprop"}  # fmt: skip


def arch(task: str, hidden: str) -> str:
    """``("encoder8", "3")`` -> ``"8-3-8"``."""
    n = "".join(c for c in task if c.isdigit())
    return f"{n}-{hidden.replace('x', '-')}-{n}"


def page(res: ResultsDir, img: Path, parts: dict[str, ResultsDir] | None = None) -> kit.Page:
    """The encoder-8-3-8 page: each optimiser at its chosen rate, next to SNNS's figures;
    ``parts["online"]``: 8-3-8 with per-pattern updates, as SNNS's back-propagation."""
    m = res.max_epochs
    runs = res.runs.assign(
        arch=[arch(t, h) for t, h in zip(res.runs["task"], res.runs["hidden"], strict=True)]
    )
    chosen, top = fair.choose(runs, "lr", ["arch", "optimizer"], m)
    pick, show = fair.seed_ranges(runs)
    every = summarize(runs, ["arch", "optimizer", "lr"], m)  # all seeds: the grid's picture
    main = MAIN if MAIN in levels(every, "arch") else levels(every, "arch")[0]
    rows = top[top["arch"] == main].set_index("optimizer")
    part = encoder_online.online(parts)
    figures = [
        encoder_figures.epochs(every, img, m, SNNS if main == MAIN else {}),
        encoder_figures.success(every, img, m),
    ]
    if part is not None:
        figures.append(encoder_online.figure(part, img, SNNS))
    headline = (
        f"On the {main} encoder under the 40-20-40 rule, each optimiser at its best rate "
        f"(chosen on {pick}, reported on {show}; failed runs count as censored at the "
        f"{m:,}-epoch budget), full-batch updates: "
        + "; ".join(
            f"{OPT_NAMES.get(o, o)} ({'Δ0' if o == 'rprop' else 'lr'} {r['lr']:g}) median "
            f"{kit.median(r, m)}, {kit.rate(r)} converged"
            for o, r in rows.iterrows()
        )
        + "."
        + (_snns_summary(rows, part, m) if main == MAIN else "")
    )
    comparison = [*_snns_rows(rows, part, every, main, m), *_ratio_rows(rows, part, m)]
    comparison += [_quickprop_row(), _robust_row(every)]
    tables = [
        (
            "Each optimiser at its best learning rate, full batch (chosen on the first half "
            "of the seeds, reported on the second)",
            encoder_tables.chosen(top, m),
        ),
        (
            f"{main}, full batch: plain GD and GD + momentum 0.9 at the same rate, and at the "
            "same effective step lr / (1 − μ) (all seeds)",
            encoder_tables.momentum(every, main, m),
        ),
    ]
    answer = _momentum_answer(every, rows, main, m, fair.halves(runs)[1])
    if part is not None and answer:
        answer += " " + part.momentum_vs_gd()
    discussion = _discussion(runs, chosen, main, m, pick, show, part)
    return kit.Page(headline, figures, comparison, discussion, tables, answer)


def _like_with_like(
    opt: str, rows: pd.DataFrame, part: encoder_online.Online | None
) -> pd.Series | None:
    """The cell to hold against SNNS's figure for ``opt``: per-pattern updates for
    back-propagation (with or without momentum) when the part ran it, else full batch."""
    if part is not None and opt in ("gd", "momentum") and opt in part.rows.index:
        return part.rows.loc[opt]
    return rows.loc[opt] if opt in rows.index else None


def _snns_rows(rows, part, every: pd.DataFrame, main: str, m: int) -> list:
    """One row per SNNS figure: nnsweep's chosen cells, per-pattern and full batch."""
    out = []
    for opt, published in SNNS.items():
        claim = f"{main}: {SNNS_NAMES[opt]}, epochs to learn"
        said = f"SNNS user manual: about {published:,.0f} epochs (cycles)"
        texts = []
        if part is not None and opt in ("gd", "momentum") and opt in part.rows.index:
            texts.append(
                "Per-pattern updates, as SNNS: "
                f"{compare_figure(published, part.rows.loc[opt], part.m)}. {part.says(opt)} "
                f"(differences: {ONLINE_DIFFERENCES[opt]}; 40-20-40 rule, init ±1, budget "
                f"{part.m:,})."
            )
        if opt in rows.index and main == MAIN:
            texts.append(_batch_said(opt, published, rows.loc[opt], every, main, m))
        out.append((claim, said, " ".join(texts) or "not run"))
    return out


def _batch_said(opt: str, published: float, r: pd.Series, every, main: str, m: int) -> str:
    """The full-batch cell against a published figure, and the grid's nearest median."""
    scale = patterns_x_outputs(main)
    eta = f", η ≈ {r['lr'] / scale:.2g} on the summed error" if opt != "rprop" else ""
    text = (
        f"Full batch: {compare_figure(published, r, m)}. {OPT_NAMES[opt]} at "
        f"{'Δ0' if opt == 'rprop' else 'lr'} {r['lr']:g}{eta}: median {kit.median(r, m)}, "
        f"{kit.rate(r)} converged (differences: "
        f"{DIFFERENCES[opt]}; 40-20-40 rule, init ±1, budget {m:,})"
    )
    near = _nearest(every, main, opt, published)
    if near is not None and near["lr"] != r["lr"]:
        text += (
            f"; the full-batch grid's median nearest the figure (all seeds): "
            f"{kit.median(near, m)} at lr {near['lr']:g}"
        )
    return text + "."


def _snns_summary(rows: pd.DataFrame, part, m: int) -> str:
    """One sentence: each SNNS figure against nnsweep's like-with-like cell."""
    said = []
    for opt, published in SNNS.items():
        row = _like_with_like(opt, rows, part)
        if row is not None:
            how = "per-pattern" if part is not None and opt in part.rows.index else "full batch"
            said.append(f"{SNNS_NAMES[opt]} about {published:,.0f} ({how}): "
                        f"{compare_figure(published, row, m)}")  # fmt: skip
    if not said:
        return ""
    return " Against the SNNS manual's 8-3-8 figures (epochs): " + "; ".join(said) + "."


def _nearest(every: pd.DataFrame, main: str, opt: str, value: float) -> pd.Series | None:
    """The cell of ``opt`` on ``main`` whose median is nearest ``value`` (on a log scale)."""
    cells = every[(every["arch"] == main) & (every["optimizer"] == opt)]
    cells = cells[np.isfinite(cells["km_median"].to_numpy(dtype=float))]
    if cells.empty:
        return None
    gap = np.abs(np.log(cells["km_median"].to_numpy(dtype=float) / value))
    return cells.iloc[int(np.argmin(gap))]


def _ratio_rows(rows: pd.DataFrame, part, m: int) -> list:
    """SNNS's speed-ups over back-propagation (momentum, Rprop) against nnsweep's: with
    back-propagation's per-pattern updates as SNNS's when the part ran, and full batch."""
    out = []
    for fast in ("momentum", "rprop"):
        claim = f"{OPT_NAMES[fast]} vs plain GD (speed-up, each at its best rate)"
        published = SNNS["gd"] / SNNS[fast]
        said = (
            f"SNNS: {SNNS_NAMES[fast]} about {published:.2g}× faster than back-propagation "
            f"({SNNS['gd']:,.0f} vs {SNNS[fast]:,.0f} epochs)"
        )
        if "gd" not in rows.index or fast not in rows.index:
            out.append((claim, said, "not run"))
            continue
        text = ""
        slow = _like_with_like("gd", rows, part)
        quick = _like_with_like(fast, rows, part)
        if part is not None and "gd" in part.rows.index and quick is not None:
            how = (
                "both per-pattern"
                if fast in part.rows.index
                else "plain GD per-pattern, Rprop full batch"
            )
            text = f"{how}: {ratio_claim(published, slow, quick, m)}. Both full batch: "
        text += ratio_claim(published, rows.loc["gd"], rows.loc[fast], m)
        out.append((claim, said, text))
    return out


def _quickprop_row() -> tuple[str, str, str]:
    return (
        "Quickprop vs standard back-propagation",
        'Fahlman: Quickprop learns these benchmarks "faster than standard backprop by an '
        'order of magnitude or more" (abstract)',
        "cannot be compared: Quickprop is not in nnsweep. Rprop, another adaptive-step "
        "method, is measured above; its figures say nothing about Quickprop's",
    )


def _robust_row(every: pd.DataFrame) -> tuple[str, str, str]:
    parts = [_robust(every, a) for a in (MAIN, "10-5-10") if a in levels(every, "arch")]
    return (
        "Rprop's robustness to its one parameter (Δ0)",
        "Riedmiller & Braun: good results over a wide range of Δ0 (paraphrased; no figure)",
        " ".join(parts) or "not run",
    )


def _robust(s: pd.DataFrame, name: str) -> str:
    """Per optimiser on ``name`` (all seeds): the rates where at least 90% converged, and
    the range of Rprop's success rate over the rates where it converged at all."""
    parts = []
    for opt in levels(s, "optimizer"):
        rows = s[(s["arch"] == name) & (s["optimizer"] == opt)]
        good = rows[rows["success_rate"] >= 0.9]["lr"]
        ends = f"{good.min():g}–{good.max():g}" if len(good) > 1 else f"{good.min():g}"
        span = f"{len(good)} of {len(rows)} rates" + (f" ({ends})" if len(good) else "")
        parts.append(f"{OPT_NAMES.get(opt, opt)}: {span}")
    text = f"{name}, rates where ≥ 90% of runs converged: " + "; ".join(parts) + "."
    rp = s[(s["arch"] == name) & (s["optimizer"] == "rprop") & (s["success_rate"] >= 0.5)]
    if len(rp):
        text += (
            f" Over the Δ0 values where at least half its runs converged ({rp['lr'].min():g} "
            f"to {rp['lr'].max():g}), Rprop converged in "
            f"{kit.num(100 * rp['success_rate'].min())}–"
            f"{kit.num(100 * rp['success_rate'].max())}% of them."
        )
    return text


def _momentum_answer(
    every: pd.DataFrame, rows: pd.DataFrame, main: str, m: int, report: pd.DataFrame
) -> str:
    """Why momentum measures slower than plain GD here: the measured reasons."""
    if not {"gd", "momentum"} <= set(rows.index):
        return ""
    cells = [
        report[(report["arch"] == main) & (report["optimizer"] == o)
               & (report["lr"] == rows.loc[o, "lr"])]
        for o in ("gd", "momentum")
    ]  # fmt: skip
    test = logrank(*cells, m)
    return momentum_findings(every[every["arch"] == main], rows, main, m, test)


def _discussion(runs: pd.DataFrame, chosen: pd.DataFrame, main: str, m: int,
                pick: str, show: str, part) -> str:  # fmt: skip
    scale = patterns_x_outputs(main)
    updates = (
        "*Updates*: the main grid updates once per epoch from the full batch; SNNS's "
        "standard back-propagation updates after every pattern (online), 8 updates per "
        "epoch on 8-3-8"
        + (
            f", which the part with batch size 1 reproduces for plain GD and momentum (the "
            f"8 patterns in a new random order each epoch; an lr there is {part.outputs}× "
            "the per-pattern η)"
            if part is not None
            else ""
        )
        + "; Rprop and Adam run full batch only (Rprop is a full-batch method by design). "
        + (part.edge() + " " if part is not None else "")
    )
    return (
        "Every difference from the published set-ups that nnsweep knows of. *Error "
        f"scale*: nnsweep's mse is ½·mean over patterns and outputs ({scale} terms on "
        f"{main}, 100 on 10-5-10), the classic error their sum, so a full-batch lr here is "
        f"{scale}× the classic η (the table gives both); Rprop's steps do not depend on the "
        "scale, Adam's hardly. "
        + updates
        + "*Unit*: epochs (SNNS's cycles), one pass over the 8 patterns; in pattern "
        "presentations multiply by 8. *Algorithms*: nnsweep's Rprop is iRprop− (Igel & "
        "Hüsken 2000: no weight backtracking; η+ 1.2, η− 0.5, Δmax 50), not Riedmiller & "
        "Braun's original with backtracking; its momentum is 0.9 (a smaller μ is not run), "
        "while the figures as quoted here do not give SNNS's; nnsweep adds no "
        "sigmoid-prime offset (Fahlman's 0.1, SNNS's \"flat spot elimination\" c), which "
        "keeps saturated output units learning. *Initial weights*: uniform on ±1; the "
        "figures as quoted here do not give SNNS's range. *Stopping rule*: "
        "Fahlman's 40-20-40 (every output in the correct outer 40% of its range); the "
        "figures as quoted here do not give SNNS's criterion. *Budget and statistics*: "
        f"{m:,} epochs; a run that did not meet the rule by then counts as censored at "
        "the budget in a Kaplan–Meier median, and every median is quoted with its success "
        "rate; the SNNS figures are quoted as single approximate values, with no spread "
        "or count of failures beside them. *Grid*: a spec has one rate grid, shared by "
        "every optimiser, so the "
        f"main grid runs from {runs['lr'].min():g} to {runs['lr'].max():g} "
        f"({runs['lr'].nunique()} rates) to bracket each optimiser's best; each is "
        f"chosen on {pick} and reported on {show}. " + fair.edge_note(chosen, "lr")
    )
