"""A user trainer's record: what is accepted, and the one-line reason for what is not."""

from __future__ import annotations

import math

import pytest

from sweeps.execute.record import Malformed, failed_row, parse_record

GOOD = {"status": "converged", "epochs_to_threshold": 30, "epochs_run": 30, "final_loss": 0.01}


def test_a_good_record_becomes_a_row_with_defaults():
    row, epochs, losses = parse_record(GOOD, 100, ["val"])
    assert row["status"] == "converged" and row["epochs_to_threshold"] == 30
    assert row["best_loss"] == 0.01 and row["max_error"] is None and row["val"] is None
    assert (epochs, losses) == ([30], [0.01])  # no curve: the final loss at the last epoch


def test_the_curve_keeps_the_logged_epochs_and_the_last():
    curve = [(e, 1.0 / (e + 1)) for e in range(31)]
    row, epochs, losses = parse_record(GOOD | {"curve": curve}, 100, [])
    assert epochs == [*range(11), 20, 30]
    assert row["best_loss"] == 0.01  # the final loss is lower than any curve point
    assert losses[-1] == pytest.approx(1 / 31)


def test_a_curve_may_be_one_float_array():
    import numpy as np

    curve = np.array([[0.0, 1.0], [10.0, 0.5], [30.0, 0.01]])
    _, epochs, losses = parse_record(GOOD | {"curve": curve}, 100, [])
    assert epochs == [0, 10, 30] and losses == [1.0, 0.5, 0.01]


def test_a_diverged_run_may_have_a_non_finite_loss():
    row, _, _ = parse_record(
        {"status": "diverged", "epochs_run": 7, "final_loss": math.inf}, 10, []
    )
    assert row["final_loss"] == math.inf


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ([1, 2], "the trainer returned list, not a dict"),
        (GOOD | {"final_loss": math.nan}, "final_loss=nan in a run that did not diverge"),
        (GOOD | {"status": "done"}, "status='done' not in"),
        (GOOD | {"epochs_run": 101}, "epochs_run=101 is outside 0..100"),
        (GOOD | {"epochs_run": 3.0}, "epochs_run=3.0 is not an integer"),
        (GOOD | {"epochs_to_threshold": None}, "epochs_to_threshold=None is not an integer"),
        (GOOD | {"epochs_to_threshold": 31}, "epochs_to_threshold=31 is outside 0..30"),
        (GOOD | {"status": "censored"}, "epochs_to_threshold=30 in a censored run"),
        (GOOD | {"final_loss": "0.1"}, "final_loss='0.1' is not a number"),
        (GOOD | {"acuracy": 1.0}, "unknown key 'acuracy'"),
        (GOOD | {"accuracy": 2.0}, "accuracy=2.0 is outside [0, 1]"),
        (GOOD | {"curve": [(0, 1.0), (0, 0.5)]}, "curve[1] epoch 0 does not come after epoch 0"),
        (GOOD | {"curve": [(0, 1.0, 2)]}, "is not an (epoch, loss) pair"),
        (GOOD | {"curve": "flat"}, "curve is a str"),
        (GOOD | {"curve": [(5, math.nan)]}, "curve[0] loss=nan in a run that did not diverge"),
        ({"status": "censored", "final_loss": 0.1}, "no 'epochs_run'"),
    ],
)
def test_a_broken_record_is_refused_with_its_reason(record, reason):
    with pytest.raises(Malformed, match=None) as e:
        parse_record(record, 100, [])
    assert reason in str(e.value) and "\n" not in str(e.value)


def test_the_unknown_key_reason_suggests_the_declared_metric():
    with pytest.raises(Malformed, match="did you mean 'val_loss'"):
        parse_record(GOOD | {"val_los": 1.0}, 100, ["val_loss"])


def test_a_failed_row_is_one_line():
    row = failed_row("boom\n  at line 3", ["val"])
    assert row["status"] == "failed" and row["error"] == "boom at line 3" and row["val"] is None
