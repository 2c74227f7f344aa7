"""Network: gradients against finite differences, forward against the reference, setters."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import ACTIVATIONS, ConfigError, Network, Population, RunRecord

N_IN, WIDTH, N_OUT, SAMPLES = 3, 4, 2, 5


def _net(rng, depth, activation, output, loss, sizes=None):
    """A network with random non-zero biases, so no unit sits at a kink by construction."""
    sizes = sizes or [N_IN] + [WIDTH] * depth + [N_OUT]
    net = Network(sizes, activation, output, loss, init="lecun_normal", init_scale=1.5, seed=3)
    net.biases = [rng.normal(0.0, 0.5, b.shape) for b in net.biases]
    return net


@pytest.mark.parametrize("depth", range(5))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_match_finite_differences(ref, rng, activation, loss_output, depth):
    loss, output = loss_output
    net = _net(rng, depth, activation, output, loss)
    X = rng.normal(0.0, 1.0, (SAMPLES, N_IN))
    Y = ref.targets(loss, rng, SAMPLES, N_OUT)
    value, dws, dbs = net.loss_and_gradients(X, Y)
    ws, bs = net.weights, net.biases

    def f(ps):
        return ref.loss(ps[: len(ws)], ps[len(ws) :], X, Y, activation, output, loss)

    assert value == pytest.approx(f(ws + bs), rel=1e-12)
    assert ref.rel_error(dws + dbs, ref.numeric_gradient(f, ws + bs)) < 1e-6


# Shapes that reach every branch of nncore._dense: one output unit, wide layers
# (stacked matmul), and narrow ones (broadcast products).
SHAPES = [[3, 4, 1], [10, 12, 9, 3], [2, 9, 1], [12, 3, 10, 1]]


@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_match_finite_differences_on_every_layer_shape(ref, rng, activation, sizes):
    net = _net(rng, 0, activation, "sigmoid", "mse", sizes=sizes)
    X = rng.normal(0.0, 1.0, (SAMPLES, sizes[0]))
    Y = ref.targets("mse", rng, SAMPLES, sizes[-1])
    _, dws, dbs = net.loss_and_gradients(X, Y)
    ws, bs = net.weights, net.biases

    def f(ps):
        return ref.loss(ps[: len(ws)], ps[len(ws) :], X, Y, activation, "sigmoid", "mse")

    assert ref.rel_error(dws + dbs, ref.numeric_gradient(f, ws + bs)) < 1e-6


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_forward_matches_reference(ref, rng, activation, loss_output):
    loss, output = loss_output
    net = _net(rng, 2, activation, output, loss)
    X = rng.normal(0.0, 2.0, (7, N_IN))
    expected = ref.forward(net.weights, net.biases, X, activation, output)
    assert net.forward(X).shape == (7, N_OUT)
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-12, atol=1e-15)


def test_weights_and_biases_have_documented_shapes():
    net = Network([3, 5, 4, 2])
    assert [w.shape for w in net.weights] == [(3, 5), (5, 4), (4, 2)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (2,)]
    assert all(w.dtype == np.float64 for w in net.weights + net.biases)
    assert all(not b.any() for b in net.biases)  # biases start at zero
    assert net.sizes == [3, 5, 4, 2]


def test_weights_can_be_set_in_place_or_replaced(ref, rng):
    net = Network([2, 3, 1], activation="tanh")
    X = rng.normal(size=(4, 2))
    new_w = [rng.normal(size=(2, 3)), rng.normal(size=(3, 1))]
    new_b = [rng.normal(size=3), rng.normal(size=1)]
    net.weights, net.biases = new_w, new_b
    np.testing.assert_array_equal(net.weights[1], new_w[1])
    expected = ref.forward(new_w, new_b, X, "tanh", "sigmoid")
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-13)
    net.weights[0][...] = 0.0  # the arrays are views: writing into them changes the network
    net.biases[0][...] = 0.0
    sigmoid = ref.activations["sigmoid"]
    np.testing.assert_allclose(net.forward(X), np.full((4, 1), sigmoid(new_b[1][0])))


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([np.zeros((2, 3))], r"weights needs 2 arrays, got 1"),
        (
            [np.zeros((3, 2)), np.zeros((3, 1))],
            r"weights\[0\] has shape \(3, 2\); expected \(2, 3\)",
        ),
    ],
)
def test_setting_weights_of_the_wrong_shape_fails_in_one_line(values, match):
    net = Network([2, 3, 1])
    with pytest.raises(ConfigError, match=match) as err:
        net.weights = values
    assert "\n" not in str(err.value)


def test_fit_trains_in_place_and_returns_a_record(xor):
    net = Network([2, 3, 1], seed=5)
    before = [w.copy() for w in net.weights]
    rec = net.fit(xor.X, xor.Y, lr=1.0, max_epochs=7)
    assert isinstance(rec, RunRecord)
    assert rec.epochs_run == 7
    assert not np.array_equal(before[0], net.weights[0])
    assert rec.final_loss == pytest.approx(net.loss_and_gradients(xor.X, xor.Y)[0], rel=1e-12)


@pytest.mark.parametrize("optimizer", ["gd", "adam", "rprop"])
def test_fit_without_lr_uses_the_optimizers_default_like_a_population(xor, optimizer):
    net = Network([2, 3, 1], seed=2)
    pop = Population([2, 3, 1], seeds=[2])
    a = net.fit(xor.X, xor.Y, optimizer=optimizer, max_epochs=20)
    b = pop.fit(xor.X, xor.Y, optimizer=optimizer, max_epochs=20)[0]
    assert a.final_loss == b.final_loss
    np.testing.assert_array_equal(net.weights[0], pop.weights[0][0])


def test_repr_names_the_architecture():
    assert repr(Network([2, 6, 1], activation="relu")) == (
        "Network([2, 6, 1], activation='relu', output_activation='sigmoid', loss='mse')"
    )
