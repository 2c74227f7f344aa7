"""Compare a sweep with its baseline, cell by cell: did training get slower or less reliable?

A cell is one combination of the axes, all seeds pooled. In each cell three checks
run, and a cell FAILs when any of them does:

* success rate: one-sided Fisher exact test (fewer runs converge now); FAIL when it
  is significant and the rate fell by more than ``success_tolerance`` (absolute);
* median epochs-to-threshold (Kaplan–Meier, censored runs kept): FAIL when the
  ratio now / baseline exceeds ``tolerance`` and a one-sided log-rank test says the
  runs now reach the threshold later. A ratio alone is noise-prone where the runs
  spread widely, a p-value alone flags tiny slowdowns on large samples: a regression
  must be both big enough and real. Where the median is no longer reached, the
  ratio is at least ``max_epochs`` / baseline median, and that bound is tested;
  where the baseline median is undefined (fewer than half converged), the success
  test is all there is;
* divergence: one-sided Fisher exact test (more runs diverge now); a user trainer's
  ``failed`` runs count as diverged here (and as not converged in the other two).

When the results hold the baseline's very runs (the same run ids: the same seeds and
configurations), each run is compared with its own baseline run instead, by the exact
sign tests of :mod:`sweeps.regress.paired`, which see a consistent change that two
independent samples hide; the sizes that must be exceeded stay the same.

Each check's p-values are Holm-adjusted over the cells, so a spec with many cells
does not raise more false alarms than one with a single cell: with the default
``alpha = 0.01``, unchanged code fails by chance in at most about 3% of checks.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from nncore import ConfigError
from nncore.rules import check_number
from sweeps.results.read import ResultsDir
from sweeps.stats.levels import cell_label
from sweeps.stats.survival import format_epochs, groups, kaplan_meier, time_to_event

from .baseline import METRICS, Baseline, check_comparable
from .exact import Match, match_runs, notes, same_values
from .paired import paired_p

__all__ = [
    "CELL_COLUMNS", "CheckResult", "P_COLUMNS", "Thresholds", "check", "compare_cells", "holm",
    "logrank_slower_p", "run_differences",
]  # fmt: skip

P_COLUMNS = ("success_p", "epochs_p", "diverged_p")
CELL_COLUMNS = [
    "runs_base", "runs_now", "success_base", "success_now", "success_p", "success_p_holm",
    "success_verdict", "median_base", "median_now", "median_ratio", "median_note", "epochs_p",
    "epochs_p_holm", "epochs_verdict", "diverged_base", "diverged_now", "diverged_p",
    "diverged_p_holm", "diverged_verdict", "verdict", "reason",
]  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """How sure (``alpha``) and how large (the tolerances) a regression must be to FAIL."""

    alpha: float = 0.01
    tolerance: float = 1.10  # largest allowed median-epochs ratio now / baseline
    success_tolerance: float = 0.10  # largest allowed fall of the success rate

    def __post_init__(self) -> None:
        check_number("alpha", self.alpha, low=0, high=0.5, low_open=True)
        check_number("tolerance", self.tolerance, low=1)
        check_number("success_tolerance", self.success_tolerance, low=0, high=1)


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a check: one row per cell in ``table``, and what was compared."""

    table: pd.DataFrame
    axes: list[str]
    max_epochs: int
    thresholds: Thresholds
    n_base: int
    n_now: int
    same_runs: bool  # the same run ids (and so the same seeds) as the baseline
    differing: int  # runs whose results differ, when the run ids are the same
    notes: tuple[str, ...] = field(default=())
    match: Match | None = None  # the run-by-run comparison (for --exact)

    @property
    def failed(self) -> bool:
        return bool((self.table["verdict"] == "FAIL").any())

    @property
    def identical(self) -> bool:
        """Every run the baseline's, to the bit (not merely within a tolerance)."""
        if self.match is not None:
            return self.match.identical
        return self.same_runs and self.differing == 0

    @property
    def paired(self) -> bool:
        """The p-values come from paired tests (each run against its baseline run)."""
        return self.same_runs


def check(
    baseline: Baseline,
    current: ResultsDir,
    thresholds: Thresholds | None = None,
    rtol: float = 0.0,
) -> CheckResult:
    """Compare ``current`` with ``baseline`` cell by cell (see the module docstring);
    run by run, final losses within ``rtol`` relative count as the same (0: to the bit;
    see :func:`sweeps.regress.numerics.tolerance`)."""
    thresholds = thresholds or Thresholds()
    check_comparable(baseline, current.manifest.get("spec", {}), current.manifest.get("spec_hash"))
    axes, max_epochs = baseline.axes, baseline.max_epochs
    match = match_runs(baseline.runs, current.runs, axes, rtol)
    paired = match.how == "ids"
    table = compare_cells(baseline.runs, current.runs, axes, max_epochs, thresholds, paired)
    same, differing = match.how == "ids", match.differing
    n_base, n_now = len(baseline.runs), len(current.runs)
    return CheckResult(
        table, axes, max_epochs, thresholds, n_base, n_now, same, differing,
        _with_plugins(notes(match, baseline.runs, current.runs), baseline.spec,
                      current.manifest.get("spec", {})),
        match,
    )  # fmt: skip


def _with_plugins(said: tuple[str, ...], old: dict, new: dict) -> tuple[str, ...]:
    """Name a plugin whose code changed since the baseline: the runs using its parts
    have new ids for that reason, not because the run-id hashing changed."""
    was = {p.get("name"): p.get("sha256") for p in old.get("plugins", []) if isinstance(p, dict)}
    changed = [
        f"plugin {p['name']!r} changed since the baseline (sha256 {str(was[p['name']])[:12]} "
        f"-> {str(p.get('sha256'))[:12]}): the runs that use its parts have new ids"
        for p in new.get("plugins", [])
        if isinstance(p, dict) and p.get("name") in was and was[p["name"]] != p.get("sha256")
    ]
    if not changed:
        return said
    return (*changed, *(n for n in said if not n.startswith("the run ids differ")))


def run_differences(base: pd.DataFrame, now: pd.DataFrame) -> tuple[bool, int]:
    """``(same run ids, how many runs differ)``; a run differs when any metric is not
    bit-identical (``status``, ``epochs_to_threshold``, ``epochs_run``, ``final_loss``)."""
    if len(base) != len(now) or set(base["run_id"]) != set(now["run_id"]):
        return False, -1
    cols = ["run_id", *METRICS]
    joined = base[cols].merge(now[cols], on="run_id", suffixes=("_b", "_n"), validate="1:1")
    same = np.ones(len(joined), dtype=bool)
    for m in METRICS:
        same &= same_values(joined[f"{m}_b"], joined[f"{m}_n"])
    return True, int((~same).sum())


def compare_cells(
    base: pd.DataFrame,
    now: pd.DataFrame,
    axes: list[str],
    max_epochs: int,
    thresholds: Thresholds | None = None,
    paired: bool = False,
) -> pd.DataFrame:
    """One row per cell: the axes, the figures of both sides, p-values and verdicts.

    ``paired``: both sides hold the same run ids, and each cell is tested run by run.
    """
    thresholds = thresholds or Thresholds()
    now_cells = {_key(k): rows for k, rows in groups(now, axes)}
    rows = []
    for key, b in groups(base, axes):
        n = now_cells.pop(_key(key), None)
        if n is None:
            raise ConfigError(
                f"the results have no runs in the baseline's cell {cell_label(axes, key)}"
            )
        rows.append({**dict(zip(axes, key, strict=True)), **_cell(b, n, max_epochs, paired)})
    if now_cells:
        extra = cell_label(axes, next(iter(now_cells)))
        raise ConfigError(f"the baseline has no runs in the results' cell {extra}")
    table = pd.DataFrame(rows)
    for col in P_COLUMNS:
        table[f"{col}_holm"] = holm(table[col].to_numpy(np.float64))
    table = _verdicts(table, max_epochs, thresholds)
    return table[[*axes, *CELL_COLUMNS]]


def _key(key: tuple) -> tuple:
    """A cell key that matches across tables: NaN levels as None, NumPy scalars as Python."""
    return tuple(
        None if pd.isna(v) else (v.item() if isinstance(v, np.generic) else v) for v in key
    )


def _cell(b: pd.DataFrame, n: pd.DataFrame, max_epochs: int, paired: bool) -> dict[str, Any]:
    tb, eb = time_to_event(b, max_epochs)
    tn, en = time_to_event(n, max_epochs)
    # A user trainer's failed run counts here too: it ended without a result.
    db, dn = (int(x["status"].isin(["diverged", "failed"]).sum()) for x in (b, n))
    mb, mn = kaplan_meier(tb, eb).median, kaplan_meier(tn, en).median
    out = {
        "runs_base": len(b),
        "runs_now": len(n),
        "success_base": eb.mean(),
        "success_now": en.mean(),
        # "less": the odds of converging are lower now than in the baseline.
        "success_p": _fisher(int(en.sum()), len(n), int(eb.sum()), len(b), "less"),
        "median_base": mb,
        "median_now": mn,
        "median_ratio": mn / mb if np.isfinite(mn) and np.isfinite(mb) and mb > 0 else np.nan,
        "median_note": _median_note(mb, mn, max_epochs),
        "epochs_p": logrank_slower_p(tn, en, tb, eb),
        "diverged_base": db,
        "diverged_now": dn,
        "diverged_p": _fisher(dn, len(n), db, len(b), "greater"),
    }
    return out | paired_p(b, n) if paired else out


def _fisher(k_now: int, n_now: int, k_base: int, n_base: int, alternative: str) -> float:
    table = [[k_now, n_now - k_now], [k_base, n_base - k_base]]
    return float(stats.fisher_exact(table, alternative=alternative).pvalue)


def logrank_slower_p(t_now, e_now, t_base, e_base) -> float:
    """One-sided log-rank p-value that runs now reach the threshold later (lower hazard).

    NaN when no run on either side converged: there is nothing to compare.
    """
    e_now, e_base = np.asarray(e_now, bool), np.asarray(e_base, bool)
    if not (e_now.any() or e_base.any()):
        return float("nan")
    now = stats.CensoredData(uncensored=t_now[e_now], right=t_now[~e_now])
    base = stats.CensoredData(uncensored=t_base[e_base], right=t_base[~e_base])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # zero variance: p is NaN, no evidence
        # scipy's "less": the first sample's event (convergence) rate is the lower one.
        p = float(stats.logrank(now, base, alternative="less").pvalue)
    return p if np.isfinite(p) else float("nan")


def _median_note(mb: float, mn: float, max_epochs: int) -> str:
    if not np.isfinite(mb):
        return f"baseline median > {max_epochs:,} (under half converged): success test only"
    if mb == 0:
        return "baseline median is 0 (met at initialisation): success test only"
    if not np.isfinite(mn):
        return f"ratio > {max_epochs / mb:.3g}: median now > {max_epochs:,}"
    return ""


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error); NaN entries stay NaN."""
    p = np.asarray(p, dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _verdicts(table: pd.DataFrame, max_epochs: int, th: Thresholds) -> pd.DataFrame:
    t = table
    drop = t["success_base"] - t["success_now"]
    fail_s = (t["success_p_holm"] < th.alpha) & (drop > th.success_tolerance)
    # Where the median is not reached now, the ratio is at least max_epochs / baseline.
    bound = t["median_ratio"].where(t["median_now"].notna(), max_epochs / t["median_base"])
    undefined = t["median_base"].isna() | (t["median_base"] == 0)
    fail_e = ~undefined & (bound > th.tolerance) & (t["epochs_p_holm"] < th.alpha)
    fail_d = t["diverged_p_holm"] < th.alpha
    t["success_verdict"] = np.where(fail_s, "FAIL", "PASS")
    t["epochs_verdict"] = np.where(fail_e, "FAIL", np.where(undefined, "n/a", "PASS"))
    t["diverged_verdict"] = np.where(fail_d, "FAIL", "PASS")
    t["verdict"] = np.where(fail_s | fail_e | fail_d, "FAIL", "PASS")
    t["reason"] = [_reason(r, max_epochs) for _, r in t.iterrows()]
    return t


def _reason(r: pd.Series, max_epochs: int) -> str:
    parts = []
    if r["success_verdict"] == "FAIL":
        parts.append(
            f"success {r['success_base']:.0%} -> {r['success_now']:.0%} "
            f"(p={r['success_p_holm']:.2g})"
        )
    if r["epochs_verdict"] == "FAIL":
        finite = np.isfinite(r["median_ratio"])
        ratio = f"x{r['median_ratio']:.2f}" if finite else r["median_note"].split(":")[0]
        parts.append(
            f"median epochs {format_epochs(r['median_base'], max_epochs)} -> "
            f"{format_epochs(r['median_now'], max_epochs)} ({ratio}, p={r['epochs_p_holm']:.2g})"
        )
    if r["diverged_verdict"] == "FAIL":
        parts.append(
            f"diverged {r['diverged_base']} -> {r['diverged_now']} (p={r['diverged_p_holm']:.2g})"
        )
    return "; ".join(parts)


