"""Plateau length and end, on curves whose answer is known."""

from __future__ import annotations

import numpy as np

from nncore.train import log_epochs
from sweeps.stats.plateau import plateau, plateaus


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


def _random_curve(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    e = log_epochs(int(rng.integers(0, 3000)))[: int(rng.integers(0, 40))]
    steps = rng.choice([1.0, 1.0, 0.999, 0.9, 0.5, 1.3], size=len(e))
    loss = 0.3 * np.cumprod(steps)
    bad = rng.random(len(e)) < 0.05
    loss[bad] = rng.choice([np.nan, np.inf, 0.0, -1.0], size=int(bad.sum()))
    return e, loss


def test_many_curves_at_once_match_one_at_a_time():
    rng = np.random.default_rng(7)
    curves = [_random_curve(rng) for _ in range(2000)]
    lengths, ends = plateaus([c[0] for c in curves], [c[1] for c in curves])
    for (e, loss), length, end in zip(curves, lengths, ends, strict=True):
        assert plateau(e, loss) == (length, None if end < 0 else end)
    assert (lengths > 0).sum() > 500 and (lengths == 0).sum() > 100  # both cases seen


def test_equal_plateaus_the_earlier_wins_in_both():
    e = np.array([1, 2, 3, 4, 5, 6])
    loss = np.array([1.0, 1.0, 1.0, 0.1, 0.1, 0.1])  # flat 1..3 and 4..6: two epochs each
    assert plateau(e, loss) == (2, 3)
    lengths, ends = plateaus([e, e[:1], np.array([5, 10, 15])], [loss, loss[:1], np.ones(3)])
    assert list(lengths) == [2, 0, 10] and list(ends) == [3, -1, 15]
    assert plateaus([], [])[0].shape == (0,)
