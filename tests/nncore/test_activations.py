"""Activations: values against the reference formulas, derivatives against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import ACTIVATIONS, ConfigError, get_activation

NAMES = list(ACTIVATIONS)


def _points(rng) -> np.ndarray:
    """Points spread over the interesting range, none within 1e-3 of the kink at 0."""
    z = rng.normal(0.0, 3.0, 200)
    return np.where(np.abs(z) < 1e-3, 0.5, z)


def test_every_activation_has_a_reference(ref):
    assert set(ACTIVATIONS) <= set(ref.activations)


@pytest.mark.parametrize("name", NAMES)
def test_forward_matches_reference(ref, rng, name):
    z = _points(rng)
    out = ACTIVATIONS[name].forward(z, np.empty_like(z))
    np.testing.assert_allclose(out, ref.activations[name](z), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(rng, name):
    act, h = ACTIVATIONS[name], 1e-6
    z = _points(rng)
    a = act.forward(z, np.empty_like(z))
    up = act.forward(z + h, np.empty_like(z))
    down = act.forward(z - h, np.empty_like(z))
    numeric = (up - down) / ((z + h) - (z - h))
    analytic = act.derivative(z, a, np.empty_like(z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_forward_may_write_over_its_input(rng, name):
    act = ACTIVATIONS[name]
    z = _points(rng)
    expected = act.forward(z, np.empty_like(z))
    inplace = z.copy()
    np.testing.assert_array_equal(act.forward(inplace, inplace), expected)


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if not a.needs_z])
def test_derivative_reads_only_the_output_unless_it_says_so(rng, name):
    # The forward pass overwrites z with a for these, so z must not be read.
    act = ACTIVATIONS[name]
    z = _points(rng)
    a = act.forward(z, np.empty_like(z))
    expected = act.derivative(z, a, np.empty_like(z))
    garbage = np.full_like(z, np.nan)
    np.testing.assert_array_equal(act.derivative(garbage, a, np.empty_like(z)), expected)


@pytest.mark.parametrize("name", NAMES)
def test_output_lies_in_the_declared_range(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-50.0, 50.0, 20001)
    a = act.forward(z, np.empty_like(z))
    assert act.low <= a.min() and a.max() <= act.high


@pytest.mark.parametrize("name", NAMES)
def test_huge_inputs_give_finite_values_without_warnings(name):
    # pytest runs with -W error, so any overflow warning fails here.
    act = ACTIVATIONS[name]
    z = np.array([-1000.0, -750.0, 750.0, 1000.0])
    a = act.forward(z, np.empty_like(z))
    d = act.derivative(z, a, np.empty_like(z))
    assert np.isfinite(a).all() and np.isfinite(d).all()


def test_sigmoid_saturates_exactly():
    sigmoid = ACTIVATIONS["sigmoid"]
    z = np.array([-1000.0, 0.0, 1000.0])
    a = sigmoid.forward(z, np.empty_like(z))
    assert a.tolist() == [0.0, 0.5, 1.0]
    assert sigmoid.derivative(z, a, np.empty_like(z)).tolist() == [0.0, 0.25, 0.0]


def test_sigmoid_keeps_relative_precision_for_small_outputs():
    # 1/(1+e^40) is 4.248e-18; computed as 1 - something it would round to 0.
    a = ACTIVATIONS["sigmoid"].forward(np.array([-40.0]), np.empty(1))
    assert a[0] == pytest.approx(np.exp(-40.0) / (1.0 + np.exp(-40.0)), rel=1e-14)


@pytest.mark.parametrize(
    ("name", "z", "value"),
    [
        ("lecun_tanh", 1.5, 1.7159 * np.tanh(1.0)),
        ("leaky_relu", -2.0, -0.02),
        ("elu", -np.log(2.0), -0.5),
        ("softplus", 0.0, np.log(2.0)),
        ("softsign", 3.0, 0.75),
        ("silu", 0.0, 0.0),
        ("relu", -3.0, 0.0),
    ],
)
def test_known_values(name, z, value):
    out = ACTIVATIONS[name].forward(np.array([z]), np.empty(1))
    assert out[0] == pytest.approx(value, rel=1e-15, abs=1e-300)


def test_lookup_by_name():
    assert get_activation("tanh") is ACTIVATIONS["tanh"]
    assert repr(get_activation("relu")) == "Activation('relu')"


@pytest.mark.parametrize(
    ("name", "hint"),
    [("tahn", "; did you mean 'tanh'?"), ("sigmod", "; did you mean 'sigmoid'?"), ("maxout", "]")],
)
def test_unknown_name_fails_in_one_line(name, hint):
    with pytest.raises(ConfigError) as err:
        get_activation(name)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(f"activation={name!r} not in ['elu', ")
    assert msg.endswith(hint)  # "]": the list of names ends the message, no guess
