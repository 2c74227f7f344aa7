"""Random search: reproducible points, inside their bounds, exact through a CSV."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nncore import ACTIVATIONS, ConfigError
from sweeps.config.params import PARAMS
from sweeps.config.sampling import DISTRIBUTIONS, METHODS, SAMPLE_KEYS, Dimension, Sample

TABLE = {
    "n": 256,
    "seed": 3,
    "lr": {"log_uniform": [1e-3, 10]},
    "init_scale": {"uniform": [0.1, 2]},
    "batch_size": {"int_uniform": [1, 4]},
    "activation": {"choice": ["tanh", "sigmoid", "relu"]},
}


def sample(**changes) -> Sample:
    return Sample.from_mapping({**TABLE, **changes})


@pytest.mark.parametrize("method", METHODS)
def test_points_are_reproducible_and_depend_on_the_seed(method):
    a, b = sample(method=method).points, sample(method=method).points
    assert a == b and list(a) == ["lr", "init_scale", "batch_size", "activation"]
    assert sample(method=method, seed=4).points["lr"] != a["lr"]


@pytest.mark.parametrize("method", METHODS)
def test_points_stay_in_bounds_and_pass_the_parameter_checks(method):
    pts = sample(method=method).points
    assert all(len(v) == 256 for v in pts.values())
    assert all(1e-3 <= v <= 10 for v in pts["lr"]) and all(
        0.1 <= v <= 2 for v in pts["init_scale"]
    )
    assert set(pts["batch_size"]) == {1, 2, 3, 4}
    assert set(pts["activation"]) == {"tanh", "sigmoid", "relu"}
    for name, values in pts.items():
        assert [PARAMS[name].check(name, v) for v in values] == values


def test_random_points_follow_the_documented_mapping():
    """u from numpy's default_rng(seed), mapped as the docs say, rounded to 12 digits."""
    u = np.random.default_rng(3).random((256, 4))
    pts = sample().points
    np.testing.assert_allclose(pts["lr"], 1e-3 * (10 / 1e-3) ** u[:, 0], rtol=1e-11)
    np.testing.assert_allclose(pts["init_scale"], 0.1 + 1.9 * u[:, 1], rtol=1e-11)
    assert pts["batch_size"] == list(1 + np.floor(4 * u[:, 2]).astype(int))
    names = ["tanh", "sigmoid", "relu"]
    assert pts["activation"] == [names[int(3 * x)] for x in u[:, 3]]


def test_floats_are_rounded_to_12_significant_digits_so_csv_is_exact():
    pts = sample().points
    for v in pts["lr"] + pts["init_scale"]:
        assert float(f"{v:.12g}") == v and float(repr(v)) == v


def test_log_uniform_spreads_evenly_over_decades():
    lr = np.array(sample(n=4096).points["lr"])
    per_decade = np.histogram(np.log10(lr), bins=4, range=(-3, 1))[0] / len(lr)
    assert np.all(np.abs(per_decade - 0.25) < 0.03)


def test_latin_hypercube_puts_one_point_in_each_stratum():
    scale = np.array(sample(method="lhs", n=64).points["init_scale"])
    strata = np.floor((scale - 0.1) / 1.9 * 64).astype(int)
    assert sorted(strata) == list(range(64))


def test_to_dict_round_trips():
    s = sample(method="lhs")
    assert Sample.from_mapping(s.to_dict()) == s
    assert s.to_dict()["lr"] == {"log_uniform": [0.001, 10.0]}
    assert Sample.from_mapping({"n": 4, "lr": {"uniform": [1, 2]}}).to_dict()["method"] == "random"


def test_hidden_can_be_drawn_as_one_layer_width():
    pts = Sample.from_mapping({"n": 50, "hidden": {"int_uniform": [2, 5]}}).points["hidden"]
    assert set(pts) == {"2", "3", "4", "5"}


BAD = [
    ({"n": 0}, "sample.n=0 must be >= 1"),
    ({"n": 2.5}, "sample.n=2.5 must be an integer"),
    ({"seed": -1}, "sample.seed=-1 must be >= 0"),
    ({"method": "halton"}, f"sample.method='halton' not in {sorted(METHODS)}"),
    ({"method": "sobol", "n": 200}, "sample.n=200 must be a power of 2 for method='sobol' "
     "(Sobol' points lose their balance otherwise); e.g. 128 or 256"),
    ({"lrr": {"uniform": [1, 2]}}, f"unknown key 'lrr' in [sample]; allowed: {list(SAMPLE_KEYS)} "
     f"or a parameter {list(PARAMS)}; did you mean 'lr'?"),
    ({"lr": {"loguniform": [1, 2]}}, f"unknown key 'loguniform' in [sample.lr]; allowed: "
     f"{list(DISTRIBUTIONS)}; did you mean 'log_uniform'?"),
    ({"lr": {"uniform": [1, 2], "log_uniform": [1, 2]}},
     f"sample.lr must give exactly one of {list(DISTRIBUTIONS)}"),
    ({"lr": 0.1}, "sample.lr=0.1 must be a table, e.g. { log_uniform = [low, high] } or "
     "{ choice = [...] }"),
    ({"lr": {"uniform": 1}}, "sample.lr.uniform=1 must be a list"),
    ({"lr": {"uniform": [1]}}, "sample.lr.uniform=[1] must be [low, high]"),
    ({"lr": {"uniform": [2, 1]}}, "sample.lr.uniform=[2, 1] must have low < high"),
    ({"lr": {"uniform": [0, 1]}}, "sample.lr.uniform=0 must be > 0"),
    ({"lr": {"uniform": ["a", 1]}}, "sample.lr.uniform='a' must be a number"),
    ({"momentum": {"uniform": [0.5, 1]}}, "sample.momentum.uniform=1 must be in [0, 1)"),
    ({"delta_min": {"log_uniform": [0, 1]}}, "sample.delta_min.log_uniform=[0, 1] must have "
     "low > 0"),
    ({"lr": {"int_uniform": [1, 2]}},
     "sample.lr.int_uniform: 'lr' cannot be drawn from int_uniform; use uniform, log_uniform "
     "or choice"),
    ({"batch_size": {"uniform": [1, 2]}},
     "sample.batch_size.uniform: 'batch_size' cannot be drawn from uniform; use int_uniform "
     "or choice"),
    ({"batch_size": {"int_uniform": [1, 2.5]}}, "sample.batch_size.int_uniform=2.5 must be an "
     "integer"),
    ({"task": {"uniform": [1, 2]}}, "sample.task.uniform: 'task' cannot be drawn from uniform; "
     "use choice"),
    ({"activation": {"choice": ["tanh"]}}, "sample.activation.choice=['tanh'] needs 2 or more "
     "distinct values"),
    ({"activation": {"choice": ["tanh", "tanh"]}}, "sample.activation.choice=['tanh', 'tanh'] "
     "needs 2 or more distinct values"),
    ({"activation": {"choice": ["tanh", "tahn"]}}, "sample.activation.choice='tahn' not in "
     f"{sorted(ACTIVATIONS)}; did you mean 'tanh'?"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "message"), BAD)
def test_bad_sample_tables(table, message):
    with pytest.raises(ConfigError) as info:
        Sample.from_mapping({"n": 16, "lr": {"uniform": [0.1, 1]}} | table)
    assert str(info.value) == message


def test_missing_n_and_no_dimension():
    with pytest.raises(ConfigError, match=r"^sample.n is missing: how many points to draw"):
        Sample.from_mapping({"lr": {"uniform": [0.1, 1]}})
    with pytest.raises(ConfigError, match=r"^\[sample\] has no dimension"):
        Sample.from_mapping({"n": 3})


def test_dimension_draw_maps_the_unit_interval_ends():
    d = Dimension("lr", "log_uniform", (0.01, 100))
    assert d.draw(np.array([0.0, 0.5])) == [0.01, 1.0]
    c = Dimension("init", "choice", ("normal", "uniform"))
    assert c.draw(np.array([0.0, 0.4999, 0.5, math.nextafter(1.0, 0.0)])) == [
        "normal",
        "normal",
        "uniform",
        "uniform",
    ]
