"""The field checks on their own: seeds, axes, the [stop] table, cross-parameter rules."""

from __future__ import annotations

import pytest

from nncore import ConfigError
from sweeps.config.fields import (
    MAX_RUNS,
    check_combinations,
    check_params,
    check_seeds,
    check_stop,
    check_useful,
)
from sweeps.config.params import PARAMS


def test_seeds_are_a_count_or_a_list_without_repeats():
    assert check_seeds(3) == (0, 1, 2) and check_seeds([7, 3]) == (7, 3)
    with pytest.raises(ConfigError, match=r"^seeds=\[1, 1\] repeats 1$"):
        check_seeds([1, 1])
    with pytest.raises(ConfigError, match=f"must be <= {MAX_RUNS:,}"):
        check_seeds(MAX_RUNS + 1)


def test_params_fill_in_defaults_and_leave_out_sampled_names():
    params = check_params({"lr": [0.1, 1]}, sampled=("init_scale",))
    assert params["lr"] == (0.1, 1.0) and "init_scale" not in params
    assert params["task"] == (PARAMS["task"].default,)
    with pytest.raises(ConfigError, match="did you mean 'lr'"):
        check_params({"lrr": 1}, sampled=())


def test_stop_keeps_the_criteria_that_are_set():
    assert check_stop({"loss_below": 1, "bits_40_20_40": False}) == {"loss_below": 1.0}
    with pytest.raises(ConfigError, match="sets no criterion"):
        check_stop({"bits_40_20_40": False})


def test_cross_parameter_rules():
    given = {"task": ("or",), "loss": ("ce",), "output_activation": ("softmax",)}
    with pytest.raises(ConfigError, match="params.loss="):
        check_combinations(lambda name: {**given, "output_activation": ("sigmoid",)}[name])
    with pytest.raises(ConfigError, match="needs 2 or more outputs"):
        check_combinations(lambda name: given[name])
    check_useful(["momentum"], {"params.momentum=0.5": "momentum"})
    with pytest.raises(ConfigError, match="has no effect with optimizer=\\['gd'\\]"):
        check_useful(["gd"], {"params.momentum=0.5": "momentum"})
