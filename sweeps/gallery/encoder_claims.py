"""The encoder page's verdicts: a published figure against a measured median, a published
speed-up against a measured one, and what momentum measures against plain GD.

Agreement means the published value lies inside nnsweep's 95% interval; otherwise the
verdict says "disagrees" with the measured size of the gap as a ratio and its interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sweeps.stats.levels import levels
from sweeps.stats.survival import logrank_p, time_to_event

from . import kit
from .kit import row_of

__all__ = [
    "compare_figure", "logrank", "momentum_findings", "ratio_claim", "ratio_interval", "times",
]  # fmt: skip

MU = 0.9  # the spec's momentum


def _finite(v: float) -> bool:
    return v is not None and bool(np.isfinite(v))


def times(v: float) -> str:
    return "> budget" if not _finite(v) else f"{v:.2f}×" if v < 10 else f"{v:,.0f}×"


def compare_figure(published: float, row: pd.Series, max_epochs: int) -> str:
    """Say "agrees" when ``published`` lies in the median's 95% interval, else "disagrees"
    with nnsweep's median as a multiple of the published figure (and its interval)."""
    med, lo, hi = (float(row[c]) for c in ("km_median", "km_median_lo", "km_median_hi"))
    if not _finite(med):
        return (
            f"disagrees: fewer than half the runs converged within {max_epochs:,} epochs, "
            f"against about {published:,.0f}"
        )
    if lo <= published and (not _finite(hi) or published <= hi):
        return f"agrees: {published:,.0f} lies inside nnsweep's 95% interval"
    if med < published:
        span = f"{times(published / hi) if _finite(hi) else '?'}–{times(published / lo)}"
        return f"disagrees: nnsweep needs {times(published / med)} fewer epochs (95% CI {span})"
    span = f"{times(lo / published)}–{times(hi / published) if _finite(hi) else '> budget'}"
    return f"disagrees: nnsweep needs {times(med / published)} more epochs (95% CI {span})"


def ratio_interval(slow: pd.Series, fast: pd.Series) -> tuple[float, float, float]:
    """``slow``'s median over ``fast``'s, and an interval from the two 95% intervals
    (lowest over highest, highest over lowest: wider than a 95% interval of the ratio)."""
    ratio = float(slow["km_median"]) / float(fast["km_median"])
    lo = float(slow["km_median_lo"]) / float(fast["km_median_hi"])
    hi = float(slow["km_median_hi"]) / float(fast["km_median_lo"])
    return ratio, lo, hi


def ratio_claim(published: float, slow: pd.Series, fast: pd.Series, max_epochs: int) -> str:
    """A published speed-up (``slow``'s epochs over ``fast``'s) against nnsweep's."""
    if not (_finite(slow["km_median"]) and _finite(fast["km_median"])):
        return f"cannot be measured: a median exceeds the {max_epochs:,}-epoch budget"
    ratio, lo, hi = ratio_interval(slow, fast)
    hi_text = times(hi) if _finite(hi) else "unbounded"
    measured = (
        f"nnsweep's speed-up {times(ratio)} (interval {times(lo)}–{hi_text}, from the "
        "two medians' 95% intervals)"
    )
    if lo <= published and (not _finite(hi) or published <= hi):
        wide = "; it also holds 1×, no difference" if lo <= 1 else ""
        return f"agrees: {measured}, which holds about {published:.2g}×{wide}"
    if ratio < 1:
        return (
            f"disagrees: a slow-down, not a speed-up: {measured}, against about {published:.2g}×"
        )
    return f"disagrees: {measured}, against about {published:.2g}×"


def logrank(a: pd.DataFrame, b: pd.DataFrame, max_epochs: int) -> str:
    """``"log-rank p = 0.003"`` comparing two groups of runs' times to threshold."""
    p = logrank_p(*time_to_event(a, max_epochs), *time_to_event(b, max_epochs))
    if not np.isfinite(p):
        return "log-rank test undefined: no run converged in either group"
    return f"log-rank p = {p:.2g}" if p >= 1e-4 else "log-rank p < 0.0001"


def _cell(cell: pd.DataFrame, opt: str, lr: float) -> pd.Series | None:
    return row_of(cell, optimizer=opt, lr=lr)


def _same_lr(cell: pd.DataFrame) -> list[tuple[float, pd.Series, pd.Series]]:
    """(lr, GD row, momentum row) at every rate both ran."""
    out = []
    for lr in levels(cell, "lr"):
        gd, mom = _cell(cell, "gd", lr), _cell(cell, "momentum", lr)
        if gd is not None and mom is not None:
            out.append((lr, gd, mom))
    return out


def _same_step(cell: pd.DataFrame) -> list[tuple[float, pd.Series, pd.Series]]:
    """(effective step, GD row at it, momentum row at step × (1 − μ)) where both ran."""
    grid = levels(cell, "lr")
    out = []
    for lr in grid:
        small = [v for v in grid if np.isclose(v, lr * (1 - MU), rtol=1e-9)]
        gd = _cell(cell, "gd", lr)
        mom = _cell(cell, "momentum", small[0]) if small else None
        if gd is not None and mom is not None:
            out.append((lr, gd, mom))
    return out


def _largest_good(cell: pd.DataFrame, opt: str, scale: float = 1.0) -> float:
    """The largest effective step (lr × ``scale``) at which ≥ 90% of ``opt``'s runs converged."""
    good = cell[(cell["optimizer"] == opt) & (cell["success_rate"] >= 0.9)]["lr"]
    return float(good.max()) * scale if len(good) else float("nan")


def momentum_findings(
    cell: pd.DataFrame, rows: pd.DataFrame, name: str, m: int, test: str = ""
) -> str:
    """Whether momentum at its bracketed best beats plain GD at its best, and why not;
    ``test``: a test of the two reported cells' times (see :func:`logrank`)."""
    gd, mom = rows.loc["gd"], rows.loc["momentum"]
    scale = 1 / (1 - MU)
    text = (
        f"**Momentum against plain GD, measured.** On {name} with full-batch updates, at "
        "each one's best rate "
        f"(reported seeds), plain GD (lr {gd['lr']:g}) needs {kit.median(gd, m)} and GD + "
        f"momentum 0.9 (lr {mom['lr']:g}, effective step lr / (1 − μ) = "
        f"{mom['lr'] * scale:g}) {kit.median(mom, m)}: "
    )
    verdict = ""
    if _finite(gd["km_median"]) and _finite(mom["km_median"]):
        ratio, lo, hi = ratio_interval(mom, gd)
        verdict = "faster" if hi < 1 else "slower" if lo > 1 else "no clearly different"
        text += (
            f"momentum is {verdict} ({times(ratio)} plain GD's median; interval "
            f"{times(lo)}–{times(hi)}{'; ' + test if test else ''}). "
        )
    else:
        text += "a median was not reached, so they cannot be ranked. "
    same = [(lr, g, k) for lr, g, k in _same_lr(cell) if _finite(k["km_median"])]
    helps = bool(same) and all(
        not _finite(g["km_median"]) or k["km_median"] < g["km_median"] for _, g, k in same
    )
    text += (
        "From all seeds (median epochs, plain GD vs momentum): *at the same lr*, "
        + ("momentum is the faster at every rate where it converges: " if helps else "")
        + ("; ".join(_pair(f"lr {lr:g}", g, k) for lr, g, k in same) or "momentum never converged")
        + ". *At the same effective step* (momentum's lr × 10 = GD's lr): "
        + ("; ".join(_pair(f"step {s:g}", g, k) for s, g, k in _same_step(cell)
                     if _finite(g["km_median"]) or _finite(k["km_median"])) or "no pair ran")
        + "."
    )  # fmt: skip
    top_mom, top_gd = _largest_good(cell, "momentum", scale), _largest_good(cell, "gd")
    text += (
        " Momentum converges in ≥ 90% of runs up to an effective step of "
        f"{kit.num(top_mom, 'g')}, "
        f"plain GD up to a rate of {kit.num(top_gd, 'g')}; plain GD's best rate, lr "
        f"{gd['lr']:g} (η ≈ {gd['lr'] / int(name.split('-')[0]) ** 2:.2g} on the summed "
        "error, because nnsweep's mse divides it by "
        f"{int(name.split('-')[0]) ** 2}), is "
        + ("beyond" if _finite(top_mom) and gd["lr"] > top_mom else "within")
        + " the steps at which momentum converges."
    )
    alike = [f"{s:g}" for s, g, k in _same_step(cell) if _overlap(g, k)]
    if verdict == "slower" and helps:
        text += (
            " So, with full-batch updates, momentum's gain is one of rate: at a fixed rate "
            "it helps; at an equal effective step its median's interval overlaps "
            f"plain GD's at step{'s' if len(alike) != 1 else ''} {', '.join(alike) or 'none'}"
            f" and not beyond, and plain GD, tuned on its own, is the faster at lr "
            f"{gd['lr']:g}."
        )
    return text


def _overlap(a: pd.Series, b: pd.Series) -> bool:
    """Both medians reached and their 95% intervals overlap."""
    ends = [float(r[c]) for r in (a, b) for c in ("km_median", "km_median_lo", "km_median_hi")]
    if not all(np.isfinite(ends)):
        return False
    return ends[1] <= ends[5] and ends[4] <= ends[2]


def _pair(label: str, gd: pd.Series, mom: pd.Series) -> str:
    def one(r: pd.Series) -> str:
        if _finite(r["km_median"]):
            return kit.num(r["km_median"])
        return f"{kit.rate_short(r)} converged"

    return f"{label}: {one(gd)} vs {one(mom)}"
