"""Plateau length and end, on curves whose answer is known."""

from __future__ import annotations

import numpy as np

from nncore.train import log_epochs
from sweeps.plateau import plateau


def test_flat_then_falling_curve_has_the_flat_stretch():
    e = log_epochs(20000)
    loss = np.where(e < 3000, 0.125, 0.125 * np.exp(-(e - 3000) / 500.0))
    loss[e < 3] = 0.2  # a fast start, then the plateau from epoch 3 to 3000
    assert plateau(e, loss) == (2997, 3000)


def test_power_law_decay_has_no_plateau():
    e = log_epochs(10000)
    assert plateau(e, 1.0 / (e + 1.0)) == (0, None)


def test_the_longest_of_two_plateaus_wins_and_a_final_one_counts():
    e = log_epochs(10000)
    loss = np.select([e < 20, e < 100, e < 200], [0.5, 0.4, 0.1], default=0.05)
    loss = loss.astype(float)
    loss[(e >= 1000)] = 0.01  # flat from 1000 to the end: the longest
    assert plateau(e, loss) == (9000, 10000)


def test_slow_fall_just_above_ten_percent_per_decade_is_not_a_plateau():
    e = log_epochs(10000)[1:]
    assert plateau(e, 0.88 ** np.log10(e))[0] == 0
    assert plateau(e, 0.92 ** np.log10(e)) == (9999, 10000)


def test_a_rising_loss_is_not_a_plateau():
    e = log_epochs(1000)[1:]
    assert plateau(e, 0.1 * 1.5 ** np.log10(e))[0] == 0  # rising 50% per decade
    rise_then_flat = np.where(e < 100, 0.1 * e, 10.0)
    assert plateau(e, rise_then_flat) == (900, 1000)


def test_diverged_or_empty_curves_are_safe():
    assert plateau(np.array([0, 1]), np.array([0.1, np.nan])) == (0, None)
    assert plateau(np.array([], dtype=np.int64), np.array([])) == (0, None)
