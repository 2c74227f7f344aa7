"""The shared one-line validation errors."""

from __future__ import annotations

import numpy as np
import pytest

from nncore.rules import ConfigError, check_choice, check_number, did_you_mean, lookup


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("tahn", "; did you mean 'tanh'?"), ("sigmoid", "; did you mean 'sigmoid'?"), ("zzz", "")],
)
def test_did_you_mean_picks_the_closest_allowed_name(value, expected):
    assert did_you_mean(value, ["tanh", "sigmoid", "relu"]) == expected


def test_check_choice_returns_an_allowed_value():
    assert check_choice("loss", "mse", {"mse", "bce"}) == "mse"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("msee", "loss='msee' not in ['bce', 'mse']; did you mean 'mse'?"),
        ("hinge", "loss='hinge' not in ['bce', 'mse']"),
        (3, "loss=3 not in ['bce', 'mse']"),
        (None, "loss=None not in ['bce', 'mse']"),
    ],
)
def test_check_choice_names_field_value_and_allowed_values(value, message):
    with pytest.raises(ConfigError) as err:
        check_choice("loss", value, ["mse", "bce"])
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("value", "kwargs"),
    [
        (0.5, {}),
        (3, {"integer": True, "low": 0}),
        (np.int64(3), {"integer": True, "low": 0}),  # e.g. seeds from np.arange
        (np.float64(0.25), {"low": 0, "low_open": True, "high": 1}),
        (0, {"low": 0}),
        (1.0, {"high": 1.0}),
    ],
)
def test_check_number_accepts_values_within_bounds(value, kwargs):
    assert check_number("x", value, **kwargs) == value


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        ("1", {}, "x='1' must be a number"),
        (True, {}, "x=True must be a number"),
        (np.bool_(True), {}, f"x={np.bool_(True)!r} must be a number"),
        (1.5, {"integer": True}, "x=1.5 must be an integer"),
        (float("nan"), {}, "x=nan must be finite"),
        (float("-inf"), {}, "x=-inf must be finite"),
        (-1, {"low": 0}, "x=-1 must be >= 0"),
        (0.0, {"low": 0, "low_open": True}, "x=0.0 must be > 0"),
        (2.5, {"high": 2}, "x=2.5 must be <= 2"),
    ],
)
def test_check_number_rejects_in_one_line(value, kwargs, message):
    with pytest.raises(ConfigError) as err:
        check_number("x", value, **kwargs)
    assert str(err.value) == message


def test_lookup_returns_the_entry_or_fails_the_common_way():
    registry = {"gd": 1, "adam": 2}
    assert lookup(registry, "optimizer", "adam") == 2
    with pytest.raises(ConfigError, match=r"^optimizer='adamw' not in \['adam', 'gd'\]; did"):
        lookup(registry, "optimizer", "adamw")
