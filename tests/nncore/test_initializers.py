"""Initialisers: shapes, each scheme's scale, init_scale, seeding and common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nncore import INITIALIZERS, ConfigError, Population, get_initializer

# (distribution, scale(fan_in, fan_out)): sigma for normal draws, the limit for uniform ones.
EXPECTED = {
    "normal": ("normal", lambda i, o: 1.0),
    "uniform": ("uniform", lambda i, o: 1.0),
    "glorot_normal": ("normal", lambda i, o: math.sqrt(2.0 / (i + o))),
    "xavier_normal": ("normal", lambda i, o: math.sqrt(2.0 / (i + o))),
    "glorot_uniform": ("uniform", lambda i, o: math.sqrt(6.0 / (i + o))),
    "xavier_uniform": ("uniform", lambda i, o: math.sqrt(6.0 / (i + o))),
    "he_normal": ("normal", lambda i, o: math.sqrt(2.0 / i)),
    "he_uniform": ("uniform", lambda i, o: math.sqrt(6.0 / i)),
    "lecun_normal": ("normal", lambda i, o: math.sqrt(1.0 / i)),
    "lecun_uniform": ("uniform", lambda i, o: math.sqrt(3.0 / i)),
    # Glorot & Bengio (2010), eq. 1: U[-1/sqrt(n), 1/sqrt(n)], n the size of the previous layer.
    "glorot_standard": ("uniform", lambda i, o: 1.0 / math.sqrt(i)),
    "standard": ("uniform", lambda i, o: 1.0 / math.sqrt(i)),
}
FAN_IN, FAN_OUT = 300, 200  # 60,000 draws: the sample std is within 0.3% of sigma (1 s.d.)


def test_every_initializer_has_an_expected_scale():
    assert set(INITIALIZERS) <= set(EXPECTED)


@pytest.mark.parametrize("name", list(INITIALIZERS))
@pytest.mark.parametrize("init_scale", [1.0, 0.01])
def test_draws_have_the_schemes_scale_times_init_scale(name, init_scale):
    kind, scale = EXPECTED[name]
    w = INITIALIZERS[name](np.random.default_rng(0), FAN_IN, FAN_OUT, init_scale)
    assert w.shape == (FAN_IN, FAN_OUT) and w.dtype == np.float64
    target = init_scale * scale(FAN_IN, FAN_OUT)
    assert abs(w.mean()) < 0.02 * target
    if kind == "normal":
        assert w.std() == pytest.approx(target, rel=0.02)
        assert np.abs(w).max() > 3.0 * target  # tails: not uniform draws
    else:
        assert np.abs(w).max() <= target
        assert np.abs(w).max() > 0.999 * target
        assert w.std() == pytest.approx(target / math.sqrt(3.0), rel=0.02)


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_same_generator_state_gives_the_same_weights(name):
    a = INITIALIZERS[name](np.random.default_rng(7), 3, 4, 0.5)
    b = INITIALIZERS[name](np.random.default_rng(7), 3, 4, 0.5)
    c = INITIALIZERS[name](np.random.default_rng(8), 3, 4, 0.5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_schemes_of_one_kind_share_directions(name):
    # Common random numbers: one seed, one draw; the schemes differ by a factor only.
    kind = EXPECTED[name][0]
    base = INITIALIZERS[kind](np.random.default_rng(3), 5, 4)
    w = INITIALIZERS[name](np.random.default_rng(3), 5, 4, 2.0)
    np.testing.assert_allclose(w, base * (2.0 * EXPECTED[name][1](5, 4)), rtol=1e-15)


def test_normal_with_scale_001_is_the_classic_randn_times_001():
    pop = Population([2, 6, 1], init="normal", init_scale=0.01, seeds=[4])
    rng = np.random.default_rng([4, 0])
    np.testing.assert_array_equal(pop.weights[0][0], rng.standard_normal((2, 6)) * 0.01)
    np.testing.assert_array_equal(pop.weights[1][0], rng.standard_normal((6, 1)) * 0.01)
    assert not any(b.any() for b in pop.biases)


def test_population_mixes_initialisers_per_member():
    pop = Population([3, 4, 1], init=["he_normal", "uniform"], init_scale=[1.0, 0.5], seeds=[1, 1])
    rng = np.random.default_rng([1, 0])
    np.testing.assert_allclose(
        pop.weights[0][0], rng.standard_normal((3, 4)) * math.sqrt(2.0 / 3.0), rtol=1e-15
    )
    assert np.abs(pop.weights[0][1]).max() <= 0.5


def test_unknown_initialiser_fails_with_a_suggestion():
    with pytest.raises(ConfigError, match=r"^init='glorot' not in \[.*\]; did you mean") as e:
        get_initializer("glorot")
    assert "\n" not in str(e.value)


def test_glorot_standard_has_the_papers_variance():
    # Glorot & Bengio note that eq. 1 gives Var[W] = 1 / (3 n): for n = 300, 1/900.
    w = get_initializer("glorot_standard")(np.random.default_rng(1), FAN_IN, FAN_OUT)
    assert w.var() == pytest.approx(1.0 / (3 * FAN_IN), rel=0.02)
    assert np.abs(w).max() <= 1.0 / math.sqrt(FAN_IN)
    assert get_initializer("standard") is get_initializer("glorot_standard")
