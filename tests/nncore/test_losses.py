"""Losses: values against the reference formulas, deltas against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import LOSSES, OUTPUT_ACTIVATIONS, ConfigError, Population, get_loss

N, B, O = 3, 4, 3


def _value_and_delta(loss: str, output: str, z: np.ndarray, y: np.ndarray):
    act = OUTPUT_ACTIVATIONS[output]
    a = act.forward(z, np.empty_like(z))
    return LOSSES[loss].value_and_delta(z, a, y, act)


def _targets(ref, loss, rng):
    return np.stack([ref.targets(loss, rng, B, O) for _ in range(N)])


def test_every_loss_has_a_reference(ref):
    assert set(LOSSES) <= set(ref.losses)


def test_value_matches_reference(ref, rng, loss_output):
    loss, output = loss_output
    z = rng.normal(0.0, 2.0, (N, B, O))
    y = _targets(ref, loss, rng)
    value, _ = _value_and_delta(loss, output, z, y)
    a = ref.activations[output](z)
    expected = [ref.losses[loss](a[k], y[k]) for k in range(N)]
    assert value.shape == (N,)
    np.testing.assert_allclose(value, expected, rtol=1e-13)


def test_delta_is_the_gradient_with_respect_to_the_pre_activation(ref, rng, loss_output):
    loss, output = loss_output
    z = rng.normal(0.0, 2.0, (N, B, O))
    y = _targets(ref, loss, rng)
    _, delta = _value_and_delta(loss, output, z, y)
    numeric = np.empty_like(z)
    h = 1e-6
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += h
        zm[idx] -= h
        k = idx[0]  # each member's loss depends on its own outputs only
        up = _value_and_delta(loss, output, zp, y)[0][k]
        down = _value_and_delta(loss, output, zm, y)[0][k]
        numeric[idx] = (up - down) / (zp[idx] - zm[idx])
    assert ref.rel_error([delta], [numeric]) < 1e-7


def test_mse_is_half_the_mean_square():
    a = np.array([[[1.0], [3.0]]])
    y = np.zeros_like(a)
    value, _ = LOSSES["mse"].value_and_delta(a, a, y, OUTPUT_ACTIVATIONS["identity"])
    assert value.tolist() == [0.5 * (1.0 + 9.0) / 2]


@pytest.mark.parametrize("loss", ["bce", "ce"])
def test_confident_mistakes_cost_their_logit_and_take_no_log_of_zero(loss):
    # Outputs saturate to exactly 0/1 here; from the logits the loss is still exact.
    output = "sigmoid" if loss == "bce" else "softmax"
    z = np.array([[[1000.0, -1000.0]], [[-1000.0, 1000.0]]])  # (2 members, 1 sample, 2)
    y = np.array([[[1.0, 0.0]]])
    value, delta = _value_and_delta(loss, output, z, y)
    right, wrong = value
    assert right == 0.0
    assert wrong == (1000.0 if loss == "bce" else 2000.0)
    assert np.isfinite(delta).all()


def test_ce_ignores_a_common_shift_of_the_logits(rng):
    z = rng.normal(size=(1, B, O))
    y = np.eye(O)[rng.integers(0, O, B)][None]
    base, _ = _value_and_delta("ce", "softmax", z, y)
    shifted, _ = _value_and_delta("ce", "softmax", z + 700.0, y)
    assert shifted[0] == pytest.approx(base[0], rel=1e-12)


@pytest.mark.parametrize(
    ("loss", "output"),
    [("mse", "softmax"), ("bce", "tanh"), ("ce", "sigmoid"), ("bce", "softmax")],
)
def test_invalid_output_for_a_loss_fails_in_one_line(loss, output):
    with pytest.raises(
        ConfigError, match=f"output_activation={output!r} cannot be used with"
    ) as e:
        Population([2, 2], output_activation=output, loss=loss)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("output", list(OUTPUT_ACTIVATIONS))
def test_every_output_activation_has_a_loss(output):
    usable = []
    for loss in LOSSES.values():
        try:
            loss.check_output(output)
            usable.append(loss.name)
        except ConfigError:
            pass
    assert usable


def test_softmax_has_no_standalone_derivative():
    z = np.zeros((1, 1, 2))
    with pytest.raises(ConfigError, match="only differentiable through loss='ce'"):
        OUTPUT_ACTIVATIONS["softmax"].derivative(z, z, z)


def test_unknown_loss_fails_with_a_suggestion():
    with pytest.raises(ConfigError) as err:
        get_loss("mes")
    assert str(err.value) == "loss='mes' not in ['bce', 'ce', 'mse']; did you mean 'mse'?"
