"""The encoder page's verdicts, on hand-worked figures."""

from __future__ import annotations

import pandas as pd
import pytest

from sweeps.gallery.encoder import arch
from sweeps.gallery.encoder_claims import (
    compare_figure,
    momentum_findings,
    ratio_claim,
    ratio_interval,
)
from sweeps.gallery.encoder_tables import patterns_x_outputs

NAN = float("nan")


def _row(median: float, lo: float, hi: float, rate: float = 1.0, **more) -> pd.Series:
    n = 20
    return pd.Series(
        {"km_median": median, "km_median_lo": lo, "km_median_hi": hi, "success_rate": rate,
         "success_lo": rate, "success_hi": rate, "converged": round(rate * n), "runs": n,
         **more}
    )  # fmt: skip


def test_a_published_figure_inside_the_interval_agrees():
    assert compare_figure(75, _row(69, 66, 80), 5000).startswith("agrees: 75 lies inside")


def test_a_faster_median_disagrees_by_its_ratio():
    # 750 / 208 = 3.606, 750 / 247 = 3.036, 750 / 179 = 4.190
    said = compare_figure(750, _row(208, 179, 247), 5000)
    assert said == "disagrees: nnsweep needs 3.61× fewer epochs (95% CI 3.04×–4.19×)"


def test_a_slower_median_disagrees_by_its_ratio():
    # 746 / 300 = 2.487, 622 / 300 = 2.073, 1038 / 300 = 3.46
    said = compare_figure(300, _row(746, 622, 1038), 5000)
    assert said == "disagrees: nnsweep needs 2.49× more epochs (95% CI 2.07×–3.46×)"


def test_an_unbounded_interval_is_said_so():
    said = compare_figure(300, _row(1200, 900, NAN), 5000)
    assert said == "disagrees: nnsweep needs 4.00× more epochs (95% CI 3.00×–> budget)"
    assert compare_figure(1500, _row(1200, 900, NAN), 5000).startswith("agrees")


def test_a_median_not_reached_disagrees():
    said = compare_figure(750, _row(NAN, NAN, NAN, rate=0.2), 200)
    assert said.startswith("disagrees: fewer than half the runs converged within 200 epochs")


def test_the_ratio_interval_pairs_the_far_ends():
    ratio, lo, hi = ratio_interval(_row(208, 179, 247), _row(746, 622, 1038))
    assert ratio == pytest.approx(208 / 746)
    assert (lo, hi) == (pytest.approx(179 / 1038), pytest.approx(247 / 622))


def test_a_published_speed_up_inside_the_interval_agrees():
    said = ratio_claim(2.5, _row(750, 700, 800), _row(300, 280, 320), 5000)
    assert said.startswith("agrees: nnsweep's speed-up 2.50× (interval 2.19×–2.86×")


def test_a_slow_down_is_not_called_a_speed_up():
    said = ratio_claim(2.5, _row(208, 179, 247), _row(746, 622, 1038), 5000)
    assert said.startswith("disagrees: a slow-down, not a speed-up: nnsweep's speed-up 0.28×")
    assert "interval 0.17×–0.40×" in said


def _cells() -> pd.DataFrame:
    """8-3-8: plain GD at lr 10 and 100, momentum at lr 1 and 10 (the same steps)."""
    rows = [
        ("gd", 1.0, _row(NAN, NAN, NAN, rate=0.0)),
        ("gd", 10.0, _row(2000, 1800, 2200)),
        ("gd", 100.0, _row(200, 180, 220)),
        ("momentum", 1.0, _row(2100, 1900, 2300)),
        ("momentum", 10.0, _row(1000, 900, 1100)),
        ("momentum", 100.0, _row(NAN, NAN, NAN, rate=0.0)),
    ]
    return pd.DataFrame([{"arch": "8-3-8", "optimizer": o, "lr": lr, **r} for o, lr, r in rows])


def test_momentum_findings_rank_the_best_rates_and_pair_the_steps():
    cells = _cells()
    gd = (cells["optimizer"] == "gd") & (cells["lr"] == 100.0)
    mom = (cells["optimizer"] == "momentum") & (cells["lr"] == 10.0)
    best = cells[gd | mom].set_index("optimizer")
    text = momentum_findings(cells, best, "8-3-8", 5000)
    # momentum at lr 10 (step 100): 1000 epochs; plain GD at lr 100: 200
    assert "momentum is slower (5.00× plain GD's median; interval 4.09×–6.11×)" in text
    assert "lr 10: 2,000 vs 1,000" in text  # the same lr: momentum faster
    assert "step 10: 2,000 vs 2,100; step 100: 200 vs 1,000" in text
    assert "overlaps plain GD's at step 10 and not beyond" in text
    assert "η ≈ 1.6 on the summed error" in text


def test_an_encoder_name_and_its_error_scale():
    assert arch("encoder10", "5") == "10-5-10"
    assert patterns_x_outputs("8-3-8") == 64
    assert patterns_x_outputs("10-5-10") == 100


def test_an_agreement_whose_interval_also_holds_no_difference_says_so():
    # 212 / 118 = 1.797, 148 / 197 = 0.751, 250 / 88 = 2.841
    said = ratio_claim(2.5, _row(212, 148, 250), _row(118, 88, 197), 5000)
    assert said.startswith("agrees: nnsweep's speed-up 1.80× (interval 0.75×–2.84×")
    assert said.endswith("which holds about 2.5×; it also holds 1×, no difference")
