"""The evidence for each change against the original, and the ranking it gives.

"Significant" means a Holm-adjusted p-value below :data:`ALPHA` over every change
measured (a family-wise error of 5%, however many changes were tried):

* success: McNemar's exact test on the seeds (the runs pair one for one: same seed,
  the original against the change), one-sided for "more runs converge";
* time to threshold: the log-rank test of the two time-to-threshold distributions
  (censored runs counted as censored), two-sided, its direction from the restricted
  mean time (the area under the Kaplan–Meier curve).

A change is a **fix** when it converges significantly more often, or, when the
original does not always converge, significantly sooner; a **speed-up** when the
original already converges every time and the change is significantly faster; **worse**
when it converges significantly less often or later; otherwise **no clear difference**.
They rank in that order, then by the lower bound of the success rate, the ratio of the
KM medians and the restricted mean time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sweeps.regress.check import holm
from sweeps.regress.paired import sign_p
from sweeps.stats.survival import cell_stats, logrank_p, time_to_event

__all__ = ["ALPHA", "KINDS", "Evidence", "evidence", "rank"]

ALPHA = 0.05
KINDS = ("fix", "speed-up", "no clear difference", "worse")


@dataclass
class Evidence:
    """One change's figures against the original (``stats``: :func:`cell_stats`)."""

    change: str
    family: str
    stats: dict[str, float]
    gained: int = 0  # seeds that converge with the change and not without it
    lost: int = 0
    p_more: float = float("nan")  # McNemar, one-sided: more converge
    p_fewer: float = float("nan")
    p_logrank: float = float("nan")
    faster: bool = False
    kind: str = "no clear difference"
    p_value: float = float("nan")  # Holm-adjusted, of the test that decided ``kind``
    median_ratio: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    sets: tuple = field(default=(), repr=False)
    key: str = ""

    def row(self) -> dict[str, Any]:
        """The JSON object of this change."""
        s = self.stats
        out = {"change": self.change, "kind": self.kind}
        for k in (
            "success_rate",
            "success_lo",
            "success_hi",
            "km_median",
            "km_median_lo",
            "km_median_hi",
        ):
            out[k] = _plain(s[k])
        out |= {
            "p_value": _plain(self.p_value),
            "runs": int(s["runs"]),
            "converged": int(s["converged"]),
            "diverged": int(s["diverged"]),
            "median_ratio": _plain(self.median_ratio[0]),
            "median_ratio_lo": _plain(self.median_ratio[1]),
            "median_ratio_hi": _plain(self.median_ratio[2]),
            "folder": self.key,
        }
        return out


def _plain(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def evidence(
    change: str, family: str, original: pd.DataFrame, runs: pd.DataFrame, max_epochs: int
) -> Evidence:
    """The figures of ``runs`` (one change) against ``original``, paired by seed."""
    ev = Evidence(change, family, cell_stats(runs, max_epochs))
    if change == "as given":
        return ev
    base = cell_stats(original, max_epochs)
    pairs = original[["seed", "status"]].merge(
        runs[["seed", "status"]], on="seed", suffixes=("_o", "_c")
    )
    o, c = pairs["status_o"] == "converged", pairs["status_c"] == "converged"
    ev.gained, ev.lost = int((c & ~o).sum()), int((o & ~c).sum())
    ev.p_more, ev.p_fewer = sign_p(ev.gained, ev.lost), sign_p(ev.lost, ev.gained)
    ev.p_logrank = logrank_p(
        *time_to_event(original, max_epochs), *time_to_event(runs, max_epochs)
    )
    ev.faster = ev.stats["rmst"] < base["rmst"]
    ev.median_ratio = _ratio(ev.stats, base)
    return ev


def _ratio(s: dict[str, float], base: dict[str, float]) -> tuple[float, float, float]:
    """KM median of the change over the original's, with a conservative interval (the
    ratio of the interval ends); NaN where a median was not reached."""
    with np.errstate(all="ignore"):
        return (
            s["km_median"] / base["km_median"],
            s["km_median_lo"] / base["km_median_hi"],
            s["km_median_hi"] / base["km_median_lo"],
        )


def rank(changes: list[Evidence], original: Evidence) -> list[Evidence]:
    """Decide each change's kind (Holm over all of them) and sort them best first."""
    if not changes:
        return []
    adj = {
        name: holm(np.array([getattr(e, name) for e in changes], dtype=np.float64))
        for name in ("p_more", "p_fewer", "p_logrank")
    }
    always = original.stats["success_rate"] == 1.0
    for i, e in enumerate(changes):
        more, fewer, lr = adj["p_more"][i], adj["p_fewer"][i], adj["p_logrank"][i]
        if more < ALPHA:
            e.kind, e.p_value = "fix", more
        elif fewer < ALPHA:
            e.kind, e.p_value = "worse", fewer
        elif lr < ALPHA:
            e.kind = ("speed-up" if always else "fix") if e.faster else "worse"
            e.p_value = lr
        else:
            e.kind, e.p_value = "no clear difference", float(np.nanmin([more, lr, 1.0]))
    return sorted(changes, key=_order)


def _order(e: Evidence) -> tuple:
    ratio = e.median_ratio[0] if np.isfinite(e.median_ratio[0]) else math.inf
    median = e.stats["km_median"] if np.isfinite(e.stats["km_median"]) else math.inf
    return (KINDS.index(e.kind), -e.stats["success_lo"], ratio, median, e.stats["rmst"])
