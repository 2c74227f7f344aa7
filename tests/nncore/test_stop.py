"""Stop criteria: strict thresholds, one-line errors, the measures they judge."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import ConfigError, Network, get_task
from nncore.stop import EXPLODED_LOSS, STOP_CRITERIA, StopCriteria, accuracy, max_error


def test_max_error_equal_to_the_threshold_has_not_converged():
    y = np.array([[0.0], [1.0]])
    crit = StopCriteria(max_error_below=0.25)  # 0.25 and 0.75 are exact in binary
    at = np.array([[[0.25], [0.75]]])
    below = np.array([[[0.25], [0.875]]]) - np.array([[[0.125], [0.0]]])
    assert max_error(at, y).tolist() == [0.25]
    assert crit.met(at, y, np.zeros(1)).tolist() == [False]
    assert crit.met(below, y, np.zeros(1)).tolist() == [True]


def test_a_tenth_away_is_not_below_a_tenth():
    y = np.array([[0.0]])
    out = np.array([[[0.1]]])
    assert not StopCriteria(max_error_below=0.1).met(out, y, np.zeros(1))[0]


def test_loss_below_is_strict_too():
    crit = StopCriteria(loss_below=0.5)
    out, y = np.zeros((2, 1, 1)), np.zeros((1, 1))
    assert crit.met(out, y, np.array([0.5, 0.25])).tolist() == [False, True]


def test_bits_40_20_40_needs_every_output_in_its_outer_band():
    y = np.array([[0.0], [1.0]])
    out = np.array([[[0.25], [0.75]], [[0.45], [0.875]]])
    assert StopCriteria(bits_40_20_40=True).met(out, y, np.zeros(2)).tolist() == [True, False]


@pytest.mark.parametrize(
    ("stop", "message"),
    [({"max_eror_below": 0.1}, "stop.max_eror_below is not a stop criterion; allowed: "),
     ({"loss_below": 0}, "stop.loss_below=0 must be > 0"),
     ({"max_error_below": -1}, "stop.max_error_below=-1 must be > 0"),
     ({"bits_40_20_40": 1}, "stop.bits_40_20_40=1 must be true or false")],
)  # fmt: skip
def test_bad_criteria_fail_in_one_line(stop, message):
    with pytest.raises(ConfigError) as err:
        StopCriteria.from_mapping(stop)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_from_mapping_keeps_what_is_given():
    crit = StopCriteria.from_mapping({"max_error_below": 0.1, "bits_40_20_40": True})
    assert crit == StopCriteria(None, 0.1, True) and not crit.empty
    assert StopCriteria.from_mapping(None).empty and set(STOP_CRITERIA) == {
        "loss_below", "max_error_below", "bits_40_20_40"
    }  # fmt: skip


def test_accuracy_thresholds_one_output_and_argmaxes_several():
    y1 = np.array([[0.0], [1.0]])
    assert accuracy(np.array([[[0.4], [0.4]]]), y1).tolist() == [0.5]
    y2 = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert accuracy(np.array([[[0.9, 0.1], [0.2, 0.8]]]), y2).tolist() == [1.0]


def test_an_exploded_loss_is_divergence():
    data = get_task("or")
    net = Network([2, 3, 1], output_activation="identity", seed=0)
    rec = net.fit(data.X, data.Y, lr=1e4, max_epochs=200)
    assert rec.status == "diverged"
    assert not np.isfinite(rec.final_loss) or rec.final_loss > EXPLODED_LOSS
