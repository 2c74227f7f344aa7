"""Censored statistics checked against hand computation and scipy.stats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sweeps.stats.survival import (
    SUMMARY_METRICS,
    Survival,
    format_epochs,
    format_rate,
    kaplan_meier,
    logrank_p,
    newcombe_interval,
    summarize,
    time_to_event,
    wilson_interval,
)

Z = sps.norm.ppf(0.975)


def runs_table(rows: list[tuple[str, int | None, int]], max_epochs: int = 100, **cols):
    """Runs from ``(status, epochs_to_threshold, epochs_run)``; extra columns broadcast."""
    df = pd.DataFrame(rows, columns=["status", "epochs_to_threshold", "epochs_run"])
    df["epochs_to_threshold"] = df["epochs_to_threshold"].astype("Int64")
    df["max_epochs"] = max_epochs
    df["final_loss"] = np.where(df["status"] == "diverged", np.inf, 0.01)
    for k, v in cols.items():
        df[k] = v
    return df


# Three converged (10, 20, 30), one censored at the cap, one diverged at epoch 5.
HAND = [
    ("converged", 10, 10),
    ("converged", 20, 20),
    ("converged", 30, 30),
    ("censored", None, 100),
    ("diverged", None, 5),
]


def test_diverged_runs_stay_at_risk_until_the_budget():
    time, event = time_to_event(runs_table(HAND), 100)
    assert list(time) == [10, 20, 30, 100, 100]  # diverged at 5, censored at 100
    assert list(event) == [True, True, True, False, False]


def test_km_median_and_rmst_by_hand():
    row = summarize(runs_table(HAND), [], 100).iloc[0]
    # S = 0.8 after 10, 0.6 after 20, 0.4 after 30: first S <= 0.5 is at 30.
    assert row["km_median"] == 30
    # Area under S up to 100: 10*1 + 10*0.8 + 10*0.6 + 70*0.4 = 52; the mean of the
    # converged runs alone (20) would flatter them, and so would censoring at 5 (median 20).
    assert row["rmst"] == pytest.approx(52.0)
    assert (row["runs"], row["converged"], row["censored"], row["diverged"]) == (5, 3, 1, 1)
    assert row["success_rate"] == pytest.approx(0.6)
    assert row["median_final_loss"] == pytest.approx(0.01)


def test_km_with_censoring_inside_the_window_by_hand():
    # A run with a smaller budget is censored at 3, before two events at 5.
    df = runs_table(
        [
            ("converged", 2, 2),
            ("censored", None, 3),
            ("converged", 5, 5),
            ("converged", 5, 5),
            ("censored", None, 8),
        ],
        max_epochs=8,
    )
    df.loc[1, "max_epochs"] = 3
    km = kaplan_meier(*time_to_event(df, 8))
    s2, s5 = 4 / 5, 4 / 5 * (1 - 2 / 3)
    np.testing.assert_allclose(km.at([0, 2, 3, 4.9, 5, 8]), [1, s2, s2, s2, s5, s5])
    assert km.median == 5
    # Exponential Greenwood band at t=5, written out.
    v = (1 / (5 * 4) + 2 / (3 * 1)) / np.log(s5) ** 2
    lo, hi = (np.exp(-np.exp(np.log(-np.log(s5)) + k * Z * np.sqrt(v))) for k in (1, -1))
    i = list(km.times).index(5)
    assert km.lo[i] == pytest.approx(lo) and km.hi[i] == pytest.approx(hi)
    assert km.rmst(8) == pytest.approx(2 * 1 + 3 * s2 + 3 * s5)


def test_median_is_empty_below_half_and_defined_at_half():
    under = runs_table([("converged", 10, 10)] + [("censored", None, 100)] * 2)
    half = runs_table(
        [("converged", 10, 10), ("converged", 40, 40)] + [("censored", None, 100)] * 2
    )
    assert np.isnan(summarize(under, [], 100).loc[0, "km_median"])
    row = summarize(half, [], 100).iloc[0]
    # S = 0.5 from 40 to the end of the curve (the two censorings at 100): R's rule takes
    # the midpoint of that flat, (40 + 100) / 2.
    assert row["km_median"] == 70
    assert np.isnan(row["km_median_hi"])  # the upper end is beyond the budget


def test_median_interval_brackets_the_median():
    rng = np.random.default_rng(1)
    t = rng.integers(1, 900, 60)
    rows = [("converged", int(v), int(v)) for v in t] + [("censored", None, 1000)] * 20
    row = summarize(runs_table(rows, 1000), [], 1000).iloc[0]
    assert row["km_median_lo"] <= row["km_median"] <= row["km_median_hi"]
    # 80 runs: S = 0.5 from the 40th time to the 41st, so the median is their midpoint.
    assert row["km_median"] == (np.sort(t)[39] + np.sort(t)[40]) / 2


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=40))
def test_uncensored_km_median_is_numpys_median(times):
    # Small integers: many ties, and at even sizes the two middle times often differ,
    # which is where the flat at S = 0.5 lies and its midpoint is numpy's median.
    km = kaplan_meier(np.array(times, float), np.ones(len(times), bool))
    assert km.median == np.median(times)


@pytest.mark.parametrize(
    "times",
    [
        [1, 2, 3, 4],
        [7, 3],
        [5, 5, 6, 6],
        [2, 2, 2, 9],
        [1, 2, 2, 3, 3, 4],
        [8, 1, 9, 3, 3, 3, 7, 8],
    ],
    ids=str,
)
def test_uncensored_even_size_km_median_is_numpys_median(times):
    km = kaplan_meier(np.array(times, float), np.ones(len(times), bool))
    assert len(times) % 2 == 0 and km.median == np.median(times)


def test_censored_flat_step_and_quartiles_worked_by_hand():
    # In R:
    #   library(survival)
    #   fit <- survfit(Surv(c(10, 10, 20, 25, 40, 100), c(1, 1, 1, 0, 1, 0)) ~ 1)
    #   quantile(fit, c(0.25, 0.5, 0.75))$quantile
    # By hand from quantile.survfit's rule: S = 4/6 after 10 (6 at risk, 2 events),
    # 4/6 * 3/4 = 1/2 after 20, unchanged by the censoring at 25 (2 left at risk),
    # 1/2 * 1/2 = 1/4 after 40, and the curve ends at 100 (censored).
    #   25%: S drops from 1 to 2/3 < 0.75 at 10: a step across the level -> 10.
    #   50%: S sits at 0.5 from 20 until the next drop at 40 -> (20 + 40) / 2 = 30.
    #   75%: S sits at 0.25 from 40 to the curve's end at 100 -> (40 + 100) / 2 = 70.
    # So quantile() gives 10, 30, 70 (the first time at the level would give 10, 20, 40).
    df = runs_table(
        [("converged", 10, 10), ("converged", 10, 10), ("converged", 20, 20),
         ("censored", None, 25), ("converged", 40, 40), ("censored", None, 100)],
    )  # fmt: skip
    df.loc[3, "max_epochs"] = 25  # a run with a smaller budget, censored inside the window
    km = kaplan_meier(*time_to_event(df, 100))
    assert (km.quantile(0.25), km.median, km.quantile(0.75)) == (10, 30, 70)
    row = summarize(df, [], 100).iloc[0]
    assert (row["km_q1"], row["km_median"], row["km_q3"]) == (10, 30, 70)


def test_interval_ends_follow_the_same_rule():
    # Bands written out: the lower one sits at 0.5 from 20 to 40, the upper one reaches
    # 0.5 at 40 and stays there to the end (100); the curve itself steps across at 40.
    km = Survival(
        times=np.array([10.0, 20, 40]),
        surv=np.array([0.8, 0.6, 0.3]),
        lo=np.array([0.7, 0.5, 0.2]),
        hi=np.array([0.9, 0.7, 0.5]),
        n=10,
        events=7,
        end=100.0,
    )
    assert km.median == 40 and km.median_ci == (30, 70)
    # S sits at 0.8 from 10 to 20: the 20% point is 15; both bands step across 0.8.
    assert km.quantile(0.2) == 15 and km.quantile_ci(0.2) == (10, 20)
    assert np.isnan(km.quantile(0.9))  # S never gets to 0.1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=30), st.integers(0, 10))
def test_km_without_early_censoring_is_the_empirical_share(times, n_censored):
    rows = [("converged", t, t) for t in times] + [("censored", None, 60)] * n_censored
    km = kaplan_meier(*time_to_event(runs_table(rows, 60), 60))
    n = len(rows)
    for t in range(0, 61, 7):
        assert km.at(t) == pytest.approx(1 - sum(v <= t for v in times) / n)
    assert km.rmst(60) == pytest.approx((sum(times) + 60 * n_censored) / n)


@pytest.mark.parametrize("n", [1, 5, 17, 100])
def test_wilson_matches_scipy(n):
    k = np.arange(n + 1)
    lo, hi = wilson_interval(k, n)
    for ki in k:
        ci = sps.binomtest(int(ki), n).proportion_ci(0.95, method="wilson")
        assert lo[ki] == pytest.approx(ci.low, abs=1e-12)
        assert hi[ki] == pytest.approx(ci.high, abs=1e-12)


def test_wilson_by_hand():
    # k = 0: the interval is [0, z² / (n + z²)].
    lo, hi = wilson_interval(0, 5)
    assert lo == 0 and hi == pytest.approx(Z**2 / (5 + Z**2))


@pytest.mark.parametrize(
    "counts, expected",
    [  # Newcombe (1998), Stat. Med. 17:873, Table II, method 10.
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.0582, 0.8062)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
        ((10, 10, 0, 20), (0.6791, 1.0000)),
    ],
)
def test_newcombe_matches_published_values(counts, expected):
    lo, hi = newcombe_interval(*counts)
    assert (round(float(lo), 4), round(float(hi), 4)) == expected


def test_logrank_matches_scipy_and_is_nan_without_events():
    ta, ea = np.array([3.0, 5, 8, 100]), np.array([True, True, True, False])
    tb, eb = np.array([20.0, 60, 100, 100]), np.array([True, True, False, False])
    a = sps.CensoredData(uncensored=ta[ea], right=ta[~ea])
    b = sps.CensoredData(uncensored=tb[eb], right=tb[~eb])
    assert logrank_p(ta, ea, tb, eb) == pytest.approx(sps.logrank(a, b).pvalue)
    none = np.zeros(4, bool)
    assert np.isnan(logrank_p(ta, none, tb, none))


def test_summarize_keeps_nan_levels_and_counts_every_run():
    df = pd.concat(
        [
            runs_table(HAND, optimizer="gd", momentum=np.nan),
            runs_table(HAND[:3], optimizer="momentum", momentum=0.9),
        ],
        ignore_index=True,
    )
    out = summarize(df, ["optimizer", "momentum"], 100)
    assert list(out.columns) == ["optimizer", "momentum", *SUMMARY_METRICS]
    assert out["runs"].tolist() == [5, 3] and out["runs"].sum() == len(df)
    assert np.isnan(out.loc[0, "momentum"]) and out.loc[1, "km_median"] == 20


def test_all_censored_cell_is_honest():
    row = summarize(runs_table([("censored", None, 100)] * 4), [], 100).iloc[0]
    assert row["success_rate"] == 0 and row["rmst"] == 100
    assert np.isnan(row["km_median"]) and np.isnan(row["km_median_lo"])


def test_formatting():
    assert format_epochs(float("nan"), 20_000) == "> 20,000"
    assert format_epochs(1430.0, 20_000) == "1,430"
    assert format_epochs(1430.5, 20_000) == "1,430.5"  # a midpoint, not rounded to a side
    assert [format_rate(v) for v in (0.0, 0.004, 0.955, 0.996, 1.0)] == [
        "0%",
        "<1%",
        "96%",
        ">99%",
        "100%",
    ]
