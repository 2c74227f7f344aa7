"""The ranking: evidence first (the lower end of the success interval), then speed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sweeps.report.ranking import format_ranking, ranked
from sweeps.stats.survival import wilson_interval


def _summary(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["lr", "runs", "converged", "km_median", "rmst"])
    df["success_rate"] = df["converged"] / df["runs"]
    df["success_lo"], df["success_hi"] = wilson_interval(df["converged"], df["runs"])
    df["km_median_lo"], df["km_median_hi"] = df["km_median"] * 0.8, df["km_median"] * 1.2
    return df


def test_few_lucky_runs_rank_below_many_good_ones():
    # 3 of 3 has a Wilson lower bound of 0.44, 19 of 20 one of 0.76: the second ranks first.
    s = ranked(_summary([(0.1, 3, 3, 50.0, 60.0), (1.0, 20, 19, 400.0, 500.0)]))
    assert list(s["rank"]) == [2, 1]


def test_ties_go_to_the_faster_median_and_unreached_medians_last():
    s = ranked(
        _summary([(0.1, 20, 20, 900.0, 900.0), (1.0, 20, 20, 300.0, 300.0),
                  (2.0, 20, 20, np.nan, 950.0)])
    )  # fmt: skip
    assert list(s["rank"]) == [2, 1, 3]
    assert list(s["lr"]) == [0.1, 1.0, 2.0]  # the rows keep their order


def test_the_terminal_table_shows_the_top_n_with_intervals():
    s = ranked(_summary([(lr, 20, k, 100.0 * k, 100.0 * k) for lr, k in
                         [(0.1, 5), (0.2, 10), (0.3, 15), (0.4, 20)]]))  # fmt: skip
    text = format_ranking(s, ["lr"], 5000, top=2)
    lines = text.splitlines()
    assert lines[0].startswith("top 2 of 4 configurations") and len(lines) == 4
    assert lines[2].split()[:3] == ["1", "0.4", "20"] and "100% (" in lines[2]
