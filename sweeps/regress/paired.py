"""Paired tests for a check whose runs match the baseline's one for one (same run ids).

The same run id means the same configuration and seed: the same initial weights and the
same batch order. A run now and its baseline run are a pair, and each pair says which
side did better. Code that changes nothing systematically (arithmetic reordered, a
refactor) moves a pair either way with equal chance, however widely the runs spread,
so an exact sign test on the pairs that differ (ties dropped) is valid for any such
change, and sees a consistent slow-down that a test between two independent samples
misses. With tanh's derivative halved, the bundled ``ci`` spec's XOR tanh cells need
2.0x the median epochs; log-rank's Holm-adjusted p-values are 0.53 and 1 (XOR's runs
spread over decades, and 40% never converge), the paired tests' 0.00015 and 0.0022.

A run "reaches" the threshold at its ``epochs_to_threshold``; a run that did not
converge (censored or diverged) never reaches it within its budget, and two such runs
tie. The pair is ordered by when each side reached the threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

__all__ = ["paired_p", "reached", "sign_p"]


def reached(runs: pd.DataFrame) -> NDArray[np.float64]:
    """Each run's epochs to threshold, inf where it did not converge."""
    event = (runs["status"] == "converged").to_numpy(dtype=bool, na_value=False)
    epochs = runs["epochs_to_threshold"].to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(event, epochs, np.inf)


def sign_p(worse: int, better: int) -> float:
    """One-sided exact sign test that pairs get worse more often than better.

    NaN when no pair differs: there is no evidence either way (and Holm's adjustment
    then counts only the cells that have some).
    """
    if worse + better == 0:
        return float("nan")
    return float(stats.binomtest(worse, worse + better, 0.5, alternative="greater").pvalue)


def paired_p(base: pd.DataFrame, now: pd.DataFrame) -> dict[str, float]:
    """The three one-sided p-values of a cell from its pairs (rows matched by run id).

    ``success_p``: more pairs lost convergence than gained it (McNemar's exact test);
    ``epochs_p``: more pairs reach the threshold later than earlier (sign test);
    ``diverged_p``: more pairs started diverging (or failing) than stopped.
    """
    cols = ["run_id", "status", "epochs_to_threshold"]
    pairs = base[cols].merge(now[cols], on="run_id", suffixes=("_b", "_n"), validate="1:1")
    if len(pairs) != len(base) or len(pairs) != len(now):
        raise ValueError("paired_p: the two sides do not hold the same run ids")
    side = {
        s: pairs[[f"{c}_{s}" for c in cols[1:]]].set_axis(cols[1:], axis=1) for s in "bn"
    }
    rb, rn = reached(side["b"]), reached(side["n"])
    cb, cn = np.isfinite(rb), np.isfinite(rn)
    # A user trainer's failed run ended without a result: it counts with the diverged.
    db, dn = (side[s]["status"].isin(["diverged", "failed"]).to_numpy() for s in "bn")
    return {
        "success_p": sign_p(int((cb & ~cn).sum()), int((~cb & cn).sum())),
        "epochs_p": sign_p(int((rn > rb).sum()), int((rn < rb).sum())),
        "diverged_p": sign_p(int((dn & ~db).sum()), int((db & ~dn).sum())),
    }
