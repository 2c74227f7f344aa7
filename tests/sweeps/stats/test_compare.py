"""Pairwise comparisons and the headline, on tables whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from nncore import ConfigError
from sweeps.cli import main
from sweeps.report.headline import headline
from sweeps.stats.compare import COMPARE_COLUMNS, compare, format_table, median_ratio
from sweeps.stats.survival import newcombe_interval


def table(spec: dict[tuple, list[int | None]], max_epochs: int = 1000) -> pd.DataFrame:
    """Runs from ``{(activation, lr): [epochs_to_threshold or None, ...]}``."""
    rows = []
    for (act, lr), times in spec.items():
        for t in times:
            status = "converged" if t is not None else "censored"
            rows.append(
                {
                    "activation": act,
                    "lr": lr,
                    "status": status,
                    "epochs_to_threshold": t,
                    "epochs_run": t or max_epochs,
                    "max_epochs": max_epochs,
                    "final_loss": 0.01,
                }
            )
    df = pd.DataFrame(rows)
    df["epochs_to_threshold"] = df["epochs_to_threshold"].astype("Int64")
    return df


RUNS = table(
    {
        ("tanh", 0.1): [100, 120, 140, 160, 180],
        ("sigmoid", 0.1): [400, 500, 600, None, None],
        ("tanh", 1.0): [10, 20, 30, 40, None],
        ("sigmoid", 1.0): [None] * 5,
    }
)


def test_compare_rows_and_figures():
    out = compare(RUNS, "activation", ["activation", "lr"], 1000)
    assert list(out.columns) == ["lr", *COMPARE_COLUMNS]
    assert len(out) == 2  # one pair (tanh, sigmoid) in each of the two lr cells
    first = out.iloc[0]
    assert (first["lr"], first["level_a"], first["level_b"]) == (0.1, "tanh", "sigmoid")
    assert first["success_diff"] == pytest.approx(1.0 - 0.6)
    lo, hi = newcombe_interval(5, 5, 3, 5)
    assert (first["success_diff_lo"], first["success_diff_hi"]) == pytest.approx((lo, hi))
    assert (first["median_a"], first["median_b"]) == (140, 600)
    assert first["median_ratio"] == pytest.approx(140 / 600)
    ta = np.array([100.0, 120, 140, 160, 180])
    b = sps.CensoredData(uncensored=[400.0, 500, 600], right=[1000.0, 1000])
    assert first["logrank_p"] == pytest.approx(sps.logrank(ta, b).pvalue)
    second = out.iloc[1]  # sigmoid never converged at lr 1: the ratio is only bounded
    assert np.isnan(second["median_b"]) and np.isnan(second["median_ratio"])
    assert second["median_ratio_note"] == "< 0.03 (median b > 1,000)"


def test_median_ratio_cases():
    assert median_ratio(50, 100, 1000) == (0.5, "")
    r, note = median_ratio(float("nan"), 100, 1000)
    assert np.isnan(r) and note == "> 10 (median a > 1,000)"
    assert median_ratio(float("nan"), float("nan"), 1000)[1].startswith("undefined")
    assert median_ratio(5, 0, 1000)[1].startswith("undefined")


def test_compare_without_other_axes_and_with_three_levels():
    runs = RUNS.assign(activation=np.where(RUNS.index % 3 == 0, "relu", RUNS["activation"]))
    out = compare(runs, "activation", ["activation"], 1000)
    assert len(out) == 3 and list(out.columns) == COMPARE_COLUMNS
    assert set(zip(out["level_a"], out["level_b"], strict=True)) == {
        ("relu", "tanh"),
        ("relu", "sigmoid"),
        ("tanh", "sigmoid"),
    }


def test_compare_rejects_unknown_axis():
    with pytest.raises(ConfigError, match=r"by='activatoin' not in .*did you mean 'activation'"):
        compare(RUNS, "activatoin", ["activation", "lr"], 1000)


def test_format_table_says_when_medians_are_beyond_the_budget():
    text = format_table(
        compare(RUNS, "activation", ["activation", "lr"], 1000),
        "activation",
        ["activation", "lr"],
        1000,
    )
    lines = text.splitlines()
    assert len(lines) == 3 and "tanh vs sigmoid" in lines[1]
    assert "40% / 100%" not in text and "80% / 0%" in lines[2]
    assert "> 1,000" in lines[2] and "< 0.03" in lines[2]


def test_headline_names_levels_rates_medians_and_the_largest_gap():
    # The cells hold 5 runs of each level: below the report's minimum, so allow 5 here.
    text = headline(RUNS, ["activation", "lr"], 1000, "activation", min_runs=5)
    # Pooled: tanh 9/10 converged, S = 0.5 from 100 to 120 (the 5th and 6th times), so
    # the median is their midpoint, 110; sigmoid 3/10, so its median is only known to
    # exceed the budget, and the ratio to exceed 1000 / 110.
    assert text == (
        "tanh reached the threshold in 90% of 10 runs (median 110 epochs); "
        "sigmoid in 30% of 10 runs (median > 1,000, over 9.1× as many). "
        "The gap is largest at lr = 1: 80% of 5 runs with tanh (median 30 epochs) vs "
        "0% of 5 runs with sigmoid (median > 1,000, over 33× as many)."
    )
    assert headline(RUNS, ["activation", "lr"], 1000, "activation").endswith(
        "No cell of the other axes holds 10 runs of each, so no cell-by-cell gap is given."
    )


def test_headline_gives_the_ratio_when_both_medians_are_known():
    runs = table({("tanh", 0.1): [100, 110, 120], ("sigmoid", 0.1): [560, 570, 580]})
    assert headline(runs, ["activation", "lr"], 1000, "activation").startswith(
        "tanh reached the threshold in 100% of 3 runs (median 110 epochs); "
        "sigmoid in 100% of 3 runs (median 570 epochs, 5.2× as many)."
    )


def test_headline_without_hue():
    # 12 of 20 converged; S(t) sits at 0.5 from the 10th time (400) to the 11th (500).
    assert headline(RUNS, [], 1000, None) == (
        "Of all 20 runs, 60% reached the threshold (median 450 epochs)."
    )


def test_cli_compare_prints_and_writes_csv(fake_results, capsys):
    out = fake_results({"activation": ["sigmoid", "tanh"], "lr": [0.1, 1.0]}, seeds=6)
    assert main(["compare", str(out), "--by", "activation"]) == 0
    printed = capsys.readouterr().out
    written = pd.read_csv(out / "compare_activation.csv")
    assert len(written) == 2 and "sigmoid vs tanh" in printed
    assert main(["compare", str(out), "--by", "momentum"]) == 2
    assert "by='momentum' not in ['activation', 'lr']" in capsys.readouterr().err
    assert main(["compare", str(out / "nope"), "--by", "lr"]) == 2


def test_no_events_in_either_arm_is_said_not_a_nan_p():
    runs = table({("tanh", 0.1): [None] * 4, ("sigmoid", 0.1): [None] * 3})
    out = compare(runs, "activation", ["activation", "lr"], 1000)
    row = out.iloc[0]
    assert row["logrank_note"] == "no runs converged in either arm" and np.isnan(row["logrank_p"])
    text = format_table(out, "activation", ["activation", "lr"], 1000)
    assert "no runs converged in either arm" in text and "nan" not in text.lower()
    # With an event in one arm the test is defined, and nothing is noted.
    first = compare(RUNS, "activation", ["activation", "lr"], 1000).iloc[1]
    assert np.isfinite(first["logrank_p"]) and first["logrank_note"] == ""
