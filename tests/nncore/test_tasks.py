"""Tasks: shapes, targets, input encodings, the two-spirals geometry and name errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from nncore import ConfigError, get_task, parse_task
from nncore.tasks import GATES

# Truth tables written from the gates' definitions, on Python booleans.
TRUTH = {
    "and": lambda a, b: a and b,
    "or": lambda a, b: a or b,
    "nand": lambda a, b: not (a and b),
    "nor": lambda a, b: not (a or b),
    "xor": lambda a, b: a != b,
    "xnor": lambda a, b: a == b,
}


def _as_rows(a: np.ndarray) -> list[tuple[float, ...]]:
    return [tuple(r) for r in a.tolist()]


def test_every_gate_has_a_truth_table():
    assert set(GATES) <= set(TRUTH)


@pytest.mark.parametrize("gate", list(GATES))
def test_gates_follow_their_truth_table(gate):
    data = get_task(gate)
    assert data.X.shape == (4, 2) and data.Y.shape == (4, 1)
    assert sorted(_as_rows(data.X)) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for x, y in zip(data.X, data.Y[:, 0], strict=True):
        assert y == float(TRUTH[gate](bool(x[0]), bool(x[1])))


@pytest.mark.parametrize("n", [2, 3, 5])
def test_parity_lists_every_pattern_once_with_its_parity(n):
    data = get_task(f"parity{n}")
    assert data.X.shape == (2**n, n) and data.Y.shape == (2**n, 1)
    assert sorted(_as_rows(data.X)) == sorted(itertools.product([0.0, 1.0], repeat=n))
    np.testing.assert_array_equal(data.Y[:, 0], data.X.sum(axis=1) % 2)
    assert data.Y.mean() == 0.5


@pytest.mark.parametrize("n", [2, 4, 8])
def test_encoder_maps_each_one_hot_pattern_to_itself(n):
    data = get_task(f"encoder{n}")
    np.testing.assert_array_equal(data.X, np.eye(n))
    np.testing.assert_array_equal(data.Y, np.eye(n))
    assert (data.n_in, data.n_out) == (n, n)


@pytest.mark.parametrize("name", ["xor", "nand", "parity3", "encoder4"])
def test_centred_inputs_are_plus_minus_one_and_targets_stay_zero_one(name):
    binary, centred = get_task(name), get_task(name, inputs="centred")
    np.testing.assert_array_equal(centred.X, 2.0 * binary.X - 1.0)
    np.testing.assert_array_equal(centred.Y, binary.Y)
    assert set(np.unique(centred.X)) == {-1.0, 1.0}
    assert centred.name == f"{name}[centred]"


def test_two_spirals_has_the_classic_geometry():
    # Lang & Witbrock (1988): 97 points per spiral, point i at angle i*pi/16 and radius
    # 6.5*(104-i)/104, so each spiral turns three times from radius 6.5 to 0.5; the
    # second spiral is the first rotated by 180 degrees.
    data = get_task("two_spirals")
    assert data.X.shape == (194, 2) and data.Y.shape == (194, 1)
    first, second = data.X[data.Y[:, 0] == 1], data.X[data.Y[:, 0] == 0]
    assert len(first) == len(second) == 97
    np.testing.assert_allclose(second, -first, atol=1e-15)
    i = np.arange(97)
    np.testing.assert_allclose(np.hypot(*first.T), 6.5 * (104 - i) / 104, rtol=1e-14)
    angle = np.unwrap(np.arctan2(first[:, 0], first[:, 1]))  # from the y axis, clockwise
    np.testing.assert_allclose(angle, i * math.pi / 16, atol=1e-12)
    assert angle[-1] == pytest.approx(6 * math.pi)  # three full turns
    np.testing.assert_allclose(first[0], [0.0, 6.5], atol=1e-15)


def test_two_spirals_ignores_the_input_encoding():
    np.testing.assert_array_equal(
        get_task("two_spirals").X, get_task("two_spirals", inputs="centred").X
    )


@pytest.mark.parametrize("name", ["or", "parity4", "two_spirals"])
def test_data_sets_are_float64_and_read_only(name):
    data = get_task(name)
    assert data.X.dtype == data.Y.dtype == np.float64
    with pytest.raises(ValueError, match="read-only"):
        data.X[0, 0] = 5.0


def test_parse_task_splits_family_and_size():
    assert parse_task("parity7") == ("parity", 7)
    assert parse_task("encoder8") == ("encoder", 8)
    assert parse_task("xnor") == ("xnor", 2)


@pytest.mark.parametrize(
    ("name", "inputs", "message"),
    [
        ("xro", "binary", r"task='xro' not in \[.*\]; did you mean 'xor'\?$"),
        ("two_spiral", "binary", r"did you mean 'two_spirals'\?$"),
        ("parity1", "binary", r"task='parity1': n must be in \[2, 16\] for parity<n>$"),
        ("encoder65", "binary", r"task='encoder65': n must be in \[2, 64\] for encoder<n>$"),
        (3, "binary", r"task=3 must be a string"),
        ("or", "centered", r"inputs='centered' not in \['binary', 'centred'\]; did you mean"),
    ],
)
def test_bad_task_names_fail_in_one_line(name, inputs, message):
    with pytest.raises(ConfigError, match=message) as err:
        get_task(name, inputs=inputs)
    assert "\n" not in str(err.value)
