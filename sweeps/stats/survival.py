"""Censored convergence statistics: Kaplan–Meier, Wilson intervals, RMST, log-rank.

A run's time-to-event is its ``epochs_to_threshold`` when it converged. A run that
did not converge is right-censored at the end of its budget (``max_epochs``); so
is a run that diverged, because it will never reach the threshold: it stays in
the not-yet-converged set to the end of the budget, not just to the epoch it blew
up. Censored runs are never averaged as if they had converged.

A user trainer's run that ``failed`` (it raised, returned a malformed record or ran
out of time) is not known to have converged either: it counts as not converged to
the end of the budget, like a diverged run, and against the success rate; summaries
of such sweeps count the failed runs in a ``failed`` column of their own.

Quantiles of the Kaplan–Meier curve (the median, the quartiles and their intervals)
follow R's ``survival::quantile.survfit``: the p-quantile is the first time the share
converged reaches p, except where the curve sits exactly at that level over an
interval, when it is the interval's midpoint (up to the next event, or to the last
observation time when the curve stays there to its end). For uncensored data this is
the usual median (of an even number of runs: the mean of the two middle times); the
first time of the flat, the other convention, would put it at the lower middle time.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

__all__ = [
    "Array", "CONFIDENCE", "SUMMARY_METRICS", "Survival", "cell_stats", "format_epochs",
    "format_rate", "format_ratio", "groups", "kaplan_meier", "logrank_p", "newcombe_interval",
    "summarize", "time_to_event", "wilson_interval",
]  # fmt: skip

Array = NDArray[np.float64]
CONFIDENCE = 0.95
SUMMARY_METRICS = [
    "runs",
    "converged",
    "diverged",
    "censored",
    "success_rate",
    "success_lo",
    "success_hi",
    "km_median",
    "km_median_lo",
    "km_median_hi",
    "km_q1",
    "km_q3",
    "rmst",
    "median_final_loss",
]


def _z(confidence: float) -> float:
    return float(special.ndtri(0.5 + confidence / 2))


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = CONFIDENCE
) -> tuple[Array, Array]:
    """Wilson score interval of a binomial proportion (no continuity correction).

    Vectorised over ``successes`` and ``n``; NaN where ``n`` is 0.
    """
    k, n = np.asarray(successes, dtype=np.float64), np.asarray(n, dtype=np.float64)
    z2 = _z(confidence) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1.0 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = np.sqrt(z2 * p * (1 - p) / n + z2 * z2 / (4 * n * n)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def newcombe_interval(
    k1: ArrayLike, n1: ArrayLike, k2: ArrayLike, n2: ArrayLike, confidence: float = CONFIDENCE
) -> tuple[Array, Array]:
    """Newcombe's hybrid score interval for ``k1/n1 - k2/n2`` (his method 10, 1998)."""
    k1, n1, k2, n2 = (np.asarray(a, dtype=np.float64) for a in (k1, n1, k2, n2))
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    lo = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lo, hi


def time_to_event(runs: pd.DataFrame, max_epochs: int) -> tuple[Array, NDArray[np.bool_]]:
    """Each run's time and whether it is an event (converged) or censored.

    Converged runs count at ``epochs_to_threshold``; censored and diverged runs are
    censored at the end of their budget (the row's ``max_epochs`` when present).
    """
    event = (runs["status"] == "converged").to_numpy(dtype=bool, na_value=False)
    reached = runs["epochs_to_threshold"].to_numpy(dtype=np.float64, na_value=np.nan)
    if "max_epochs" in runs:
        cap = runs["max_epochs"].to_numpy(dtype=np.float64)
    else:
        cap = np.full(len(runs), float(max_epochs))
    return np.where(event, reached, cap), event


@dataclass(frozen=True)
class Survival:
    """Kaplan–Meier estimate of the fraction of runs not yet at the threshold.

    ``times`` are the distinct observation times (ascending); ``surv``, ``lo`` and
    ``hi`` are S(t) and its pointwise 95% band (exponential Greenwood, "log-log")
    from each time until the next. S is 1 before the first time. ``end`` is the last
    time anything was observed (an event or a censoring; default: the last of ``times``),
    where a curve that stays flat to its end is taken to stop.
    """

    times: Array
    surv: Array
    lo: Array
    hi: Array
    n: int
    events: int
    end: float = float("nan")

    def at(self, t: ArrayLike) -> Array:
        """S(t), the share of runs still short of the threshold after epoch ``t``."""
        i = np.searchsorted(self.times, np.asarray(t, dtype=np.float64), side="right")
        return np.r_[1.0, self.surv][i]

    def quantile(self, p: float) -> float:
        """The time by which a share ``p`` of the runs converged (R's rule, see the
        module's docstring); NaN when fewer than that share did."""
        return _quantile(self.times, self.surv, 1.0 - p, self._end)

    def quantile_ci(self, p: float) -> tuple[float, float]:
        """95% interval of :meth:`quantile` (Brookmeyer–Crowley: where the band crosses
        the level), each end by the same rule as the quantile itself."""
        # The lower band crosses the level first (the earliest plausible time), the upper last.
        level = 1.0 - p
        return _quantile(self.times, self.lo, level, self._end), _quantile(
            self.times, self.hi, level, self._end
        )

    @property
    def median(self) -> float:
        """The time by which half the runs converged; NaN when fewer than half did."""
        return self.quantile(0.5)

    @property
    def median_ci(self) -> tuple[float, float]:
        """95% interval of the median (Brookmeyer–Crowley: where the band crosses 0.5)."""
        return self.quantile_ci(0.5)

    @property
    def _end(self) -> float:
        if np.isfinite(self.end) or not len(self.times):
            return float(self.end)
        return float(self.times[-1])

    def rmst(self, horizon: float) -> float:
        """Restricted mean time to threshold: the area under S(t) from 0 to ``horizon``."""
        keep = self.times < horizon
        edges = np.r_[0.0, self.times[keep], float(horizon)]
        return float(np.sum(np.r_[1.0, self.surv[keep]] * np.diff(edges)))


# R's default tolerance: S = 0.5 computed as 0.5000000000000001 is at 0.5.
TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))


def _quantile(times: Array, values: Array, level: float, end: float) -> float:
    """Where the step curve ``values`` (from 1 before ``times[0]``) reaches ``level``.

    The first time it is at or below ``level``; where it sits at ``level`` (within
    ``TOLERANCE``) the midpoint from there to the time it next drops below, or to
    ``end`` if it never does: ``survival::quantile.survfit``'s rule.
    """
    at_or_below = np.flatnonzero(values <= level + TOLERANCE)
    if not len(at_or_below):
        return float("nan")
    first = at_or_below[0]
    if values[first] < level - TOLERANCE:  # a step across the level: no flat
        return float(times[first])
    below = np.flatnonzero(values < level - TOLERANCE)
    until = times[below[0]] if len(below) else end
    return float((times[first] + until) / 2)


def kaplan_meier(time: ArrayLike, event: ArrayLike, confidence: float = CONFIDENCE) -> Survival:
    """Kaplan–Meier estimate (``scipy.stats.ecdf``) from times and event flags."""
    time = np.asarray(time, dtype=np.float64)
    event = np.asarray(event, dtype=bool)
    data = stats.CensoredData(uncensored=time[event], right=time[~event])
    sf = stats.ecdf(data).sf
    surv = np.asarray(sf.probabilities, dtype=np.float64)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # The band is undefined where S is 1 or 0; it collapses onto S there (below).
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = sf.confidence_interval(confidence, method="log-log")
    lo = np.asarray(ci.low.probabilities, dtype=np.float64)
    hi = np.asarray(ci.high.probabilities, dtype=np.float64)
    lo, hi = np.where(np.isnan(lo), surv, lo), np.where(np.isnan(hi), surv, hi)
    end = float(time.max()) if len(time) else float("nan")
    return Survival(
        np.asarray(sf.quantiles, dtype=np.float64), surv, lo, hi, len(time), int(event.sum()), end
    )


def logrank_p(time_a: Array, event_a: Array, time_b: Array, event_b: Array) -> float:
    """Two-sided log-rank p-value; NaN when it is undefined (no run converged)."""
    event_a, event_b = np.asarray(event_a, bool), np.asarray(event_b, bool)
    if len(time_a) == 0 or len(time_b) == 0 or not (event_a.any() or event_b.any()):
        return float("nan")
    a = stats.CensoredData(uncensored=time_a[event_a], right=time_a[~event_a])
    b = stats.CensoredData(uncensored=time_b[event_b], right=time_b[~event_b])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        p = float(stats.logrank(a, b).pvalue)
    return p if np.isfinite(p) else float("nan")


def cell_stats(runs: pd.DataFrame, max_epochs: int) -> dict[str, float]:
    """The summary figures of one group of runs (see :func:`summarize`)."""
    time, event = time_to_event(runs, max_epochs)
    status = runs["status"]
    n, k = len(runs), int(event.sum())
    lo, hi = wilson_interval(k, n)
    km = kaplan_meier(time, event)
    m_lo, m_hi = km.median_ci
    return {
        "runs": n,
        "converged": k,
        "diverged": int((status == "diverged").sum()),
        "censored": int((status == "censored").sum()),
        "failed": int((status == "failed").sum()),
        "success_rate": k / n,
        "success_lo": float(lo),
        "success_hi": float(hi),
        "km_median": km.median,
        "km_median_lo": m_lo,
        "km_median_hi": m_hi,
        "km_q1": km.quantile(0.25),
        "km_q3": km.quantile(0.75),
        "rmst": km.rmst(max_epochs),
        "median_final_loss": _median(runs.loc[status != "diverged", "final_loss"]),
    }


def _median(s: pd.Series) -> float:
    """Median of the non-NaN values, NaN if none (callers leave diverged runs out)."""
    values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    values = values[~np.isnan(values)]
    return float(np.median(values)) if len(values) else float("nan")


def groups(runs: pd.DataFrame, by: list[str]):
    """Iterate ``(key tuple, rows)`` over the cells of ``by`` in first-seen order.

    NaN levels (hyper-parameters that do not apply) form their own cell; no ``by``
    means one cell holding every run.
    """
    if not by:
        yield (), runs
        return
    for key, rows in runs.groupby(list(by), dropna=False, sort=False, observed=True):
        yield (key if isinstance(key, tuple) else (key,)), rows


def summarize(runs: pd.DataFrame, axes: list[str], max_epochs: int) -> pd.DataFrame:
    """One row per cell (every axis; seeds pooled): counts, rates, KM median, RMST.

    ``km_median`` and its interval are empty (NaN) where fewer than half the runs
    reached the threshold: the median is then only known to exceed ``max_epochs``.
    ``km_q1`` and ``km_q3`` are the Kaplan–Meier quartiles (the epochs by which a
    quarter and three quarters of the runs converged; NaN when fewer did), a spread
    that counts the runs that never converged. Every quantile follows R's midpoint
    rule at a flat step (see the module's docstring).
    """
    held = "val_loss" in runs and bool(runs["val_loss"].notna().any())
    rows = [
        {**dict(zip(axes, key, strict=True)), **cell_stats(cell, max_epochs)}
        | (_validation(cell) if held else {})
        for key, cell in groups(runs, list(axes))
    ]
    metrics = list(SUMMARY_METRICS)
    if "error" in runs.columns:  # a user trainer's sweep: its failed runs, counted
        metrics.insert(metrics.index("censored") + 1, "failed")
    return pd.DataFrame(rows, columns=[*axes, *metrics, *(VALIDATION if held else [])])


# With a holdout (a spec's own task), the cells' medians on the held-out part too.
VALIDATION = ["median_val_loss", "median_val_accuracy"]


def _validation(cell: pd.DataFrame) -> dict[str, float]:
    return {f"median_{c}": float(cell[c].median()) for c in ("val_loss", "val_accuracy")}


def format_epochs(value: float, max_epochs: int) -> str:
    """``1,430``; ``792.5`` for a midpoint between two epochs (see the module's
    docstring: rounding it would pick a side); ``> 20,000`` for a median that was not
    reached (NaN)."""
    if value is None or not np.isfinite(value):
        return f"> {max_epochs:,}"
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def format_rate(value: float) -> str:
    """A success rate as a whole percentage, keeping 0 < x < 1% visible."""
    if not np.isfinite(value):
        return "n/a"
    pct = 100 * value
    if 0 < pct < 1:
        return "<1%"
    if 99 < pct < 100:
        return ">99%"
    return f"{pct:.0f}%"


def format_ratio(value: float) -> str:
    """2 significant digits below 10 (``5.7``, ``0.03``), whole numbers above (``270``)."""
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.2g}"
