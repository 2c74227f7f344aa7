"""The paired tests of a check: each run against its own baseline run (same run id)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sweeps.regress.check import compare_cells
from sweeps.regress.paired import paired_p, reached, sign_p


def runs(times, diverged=(), max_epochs=1000) -> pd.DataFrame:
    """Runs ``r0..``: converged at ``times`` (None: censored), diverged where flagged."""
    n = len(times)
    flag = np.zeros(n, bool)
    flag[list(diverged)] = True
    status = [
        "diverged" if d else ("converged" if t is not None else "censored")
        for t, d in zip(times, flag, strict=True)
    ]
    t = pd.array([None if d else t for t, d in zip(times, flag, strict=True)], dtype="Int64")
    return pd.DataFrame(
        {"run_id": [f"r{i}" for i in range(n)], "cell": "a", "status": status,
         "epochs_to_threshold": t, "epochs_run": t.fillna(max_epochs), "final_loss": 0.01}
    )  # fmt: skip


def test_sign_p_is_the_exact_one_sided_binomial_and_nan_without_differing_pairs():
    assert sign_p(9, 3) == pytest.approx(stats.binomtest(9, 12, 0.5, alternative="greater").pvalue)
    assert sign_p(0, 5) == 1.0
    assert sign_p(10, 0) == pytest.approx(0.5**10)
    assert np.isnan(sign_p(0, 0))


def test_reached_is_inf_for_runs_that_did_not_converge():
    r = reached(runs([10, None, 30], diverged=[2]))
    assert r[0] == 10 and np.isinf(r[1]) and np.isinf(r[2])


def test_identical_runs_give_no_evidence():
    base = runs([10, 200, None, 50])
    assert all(np.isnan(v) for v in paired_p(base, base.copy()).values())


def test_every_pair_slower_is_significant_in_any_row_order():
    times = [10, 40, 160, 640, 20, 80, 320, 30, 90, 270]
    base, now = runs(times), runs([2 * t for t in times])
    p = paired_p(base, now.iloc[::-1])  # matched by run id, not by position
    assert p["epochs_p"] == pytest.approx(0.5**10)
    assert np.isnan(p["success_p"]) and np.isnan(p["diverged_p"])
    assert paired_p(now, base)["epochs_p"] == 1.0  # faster is no regression


def test_lost_convergence_and_new_divergence_count_against_now():
    base = runs([10, 20, 30, 40, 50, 60])
    now = runs([10, None, None, None, 50, 60], diverged=[3])
    p = paired_p(base, now)
    assert p["success_p"] == pytest.approx(0.5**3)  # 3 pairs lost convergence, none gained
    assert p["epochs_p"] == pytest.approx(0.5**3)  # a run that never converges is later
    assert p["diverged_p"] == pytest.approx(0.5)


def test_a_trainer_s_failed_runs_count_with_the_diverged():
    base = runs([10, 20, 30, 40])
    now = base.copy()
    now.loc[[1, 2], "status"] = "failed"
    now.loc[[1, 2], "epochs_to_threshold"] = pd.NA
    p = paired_p(base, now)
    assert p["diverged_p"] == pytest.approx(0.25) and p["success_p"] == pytest.approx(0.25)


def test_sides_with_other_run_ids_are_refused():
    base = runs([10, 20])
    other = base.assign(run_id=["r0", "x"])
    with pytest.raises(ValueError, match="same run ids"):
        paired_p(base, other)


def test_a_doubling_hidden_from_log_rank_by_spread_is_caught_paired():
    # Runs spread over three decades with a third censored: the doubled times overlap so
    # much that two independent samples cannot tell them apart; the pairs can.
    rng = np.random.default_rng(0)
    t = np.round(10 ** rng.uniform(1, 2.6, 30)).astype(int)
    times = [int(x) if i % 3 else None for i, x in enumerate(t)]
    slower = [None if x is None else 2 * x for x in times]
    base, now = runs(times), runs(slower)
    unpaired = compare_cells(base, now, ["cell"], 1000)
    paired = compare_cells(base, now, ["cell"], 1000, paired=True)
    assert unpaired.loc[0, "median_ratio"] > 1.5 and paired.loc[0, "median_ratio"] > 1.5
    assert unpaired.loc[0, "epochs_p"] > 0.01 and unpaired.loc[0, "verdict"] == "PASS"
    assert paired.loc[0, "epochs_p"] < 1e-4 and paired.loc[0, "verdict"] == "FAIL"


def test_symmetric_noise_between_pairs_passes_in_at_least_95_of_100_trials():
    # A change that moves runs either way at random (reordered arithmetic) is no regression.
    rng = np.random.default_rng(1)
    base = runs([int(x) for x in rng.integers(50, 900, 40)])
    failed = 0
    for _ in range(100):
        jitter = rng.choice([-3, -1, 1, 3], size=40) * rng.integers(0, 40, 40)
        now = runs([int(x) for x in base["epochs_to_threshold"].to_numpy() + jitter])
        failed += compare_cells(base, now, ["cell"], 1000, paired=True).loc[0, "verdict"] == "FAIL"
    assert failed <= 5


def test_many_noted_cells_are_counted_in_one_line():
    from sweeps.regress.check import CheckResult, Thresholds
    from sweeps.regress.table import MAX_NOTES, format_check

    frames = [runs([None] * 6 + [10]).assign(cell=f"c{i}") for i in range(MAX_NOTES + 2)]
    base = pd.concat(frames).assign(run_id=lambda d: [f"r{i}" for i in range(len(d))])
    table = compare_cells(base, base.copy(), ["cell"], 1000, paired=True)
    result = CheckResult(table, ["cell"], 1000, Thresholds(), len(base), len(base), True, 0)
    text = format_check(result)
    assert "note 10 cells: baseline median > 1,000 (under half converged)" in text
    assert "note cell = c0" not in text and "paired sign tests" in text
