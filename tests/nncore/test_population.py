"""Population: per-member gradients, shapes and seeds (property tests), members, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncore import ACTIVATIONS, ConfigError, Network, Population

SEEDS = [7, 0, 7, 3, 11]  # a repeated seed with a different init scale too
SCALES = [0.5, 1.0, 2.0, 0.3, 1.5]
PROPERTY = settings(max_examples=30, deadline=None, database=None)


def _population(rng, sizes, activation, output="sigmoid", loss="mse"):
    pop = Population(
        sizes,
        activation=activation,
        output_activation=output,
        loss=loss,
        init="lecun_normal",
        init_scale=SCALES,
        seeds=SEEDS,
    )
    for b in pop.biases:
        b[...] = rng.normal(0.0, 0.5, b.shape)
    return pop


def _member_params(pop, k):
    """Views of member k's parameters: weights (i, o) and biases (o,)."""
    return [w[k] for w in pop.weights] + [b[k, 0] for b in pop.biases]


def _check_member_gradients(ref, pop, X, Y):
    a = pop.arch
    loss, dws, dbs = pop.loss_and_gradients(X, Y)
    assert loss.shape == (len(pop),)
    n = a.n_layers
    for k in range(len(pop)):

        def f(ps):
            return ref.loss(ps[:n], ps[n:], X, Y, a.activation, a.output_activation, a.loss)

        params = _member_params(pop, k)
        assert loss[k] == pytest.approx(f(params), rel=1e-12)
        grad = [d[k] for d in dws] + [d[k, 0] for d in dbs]
        assert ref.rel_error(grad, ref.numeric_gradient(f, params)) < 1e-6, f"member {k}"


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_each_members_gradient_is_its_own_finite_difference_gradient(ref, rng, activation):
    pop = _population(rng, [3, 4, 4, 2], activation)
    X = rng.normal(size=(6, 3))
    _check_member_gradients(ref, pop, X, ref.targets("mse", rng, 6, 2))


def test_member_gradients_for_every_loss(ref, rng, loss_output):
    loss, output = loss_output
    pop = _population(rng, [3, 5, 3], "tanh", output, loss)
    X = rng.normal(size=(6, 3))
    _check_member_gradients(ref, pop, X, ref.targets(loss, rng, 6, 3))


@pytest.mark.parametrize("sizes", [[2, 3, 1], [10, 12, 9, 3], [4, 16, 16, 1]], ids=str)
def test_member_gradients_on_narrow_and_wide_layers(ref, rng, sizes):
    pop = _population(rng, sizes, "softplus")
    X = rng.normal(size=(5, sizes[0]))
    _check_member_gradients(ref, pop, X, ref.targets("mse", rng, 5, sizes[-1]))


def test_member_gradients_equal_the_network_alone(rng):
    pop = _population(rng, [3, 4, 2], "tanh")
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    loss, dws, dbs = pop.loss_and_gradients(X, Y)
    for k in range(len(pop)):
        net_loss, net_dws, net_dbs = Network.of(pop, k).loss_and_gradients(X, Y)
        assert net_loss == loss[k]
        for a, b in zip(
            net_dws + net_dbs, [d[k] for d in dws] + [d[k, 0] for d in dbs], strict=True
        ):
            np.testing.assert_array_equal(a, b)


@st.composite
def _architectures(draw):
    sizes = draw(st.lists(st.integers(1, 10), min_size=2, max_size=5))
    n = draw(st.integers(1, 5))
    batch = draw(st.integers(1, 6))
    activation = draw(st.sampled_from(sorted(ACTIVATIONS)))
    return sizes, n, batch, activation


@PROPERTY
@given(_architectures())
def test_shapes_of_outputs_and_gradients(arch):
    sizes, n, batch, activation = arch
    pop = Population(sizes, activation=activation, seeds=range(n))
    X = np.linspace(-1.0, 1.0, batch * sizes[0]).reshape(batch, sizes[0])
    assert pop.forward(X).shape == (n, batch, sizes[-1])
    loss, dws, dbs = pop.loss_and_gradients(X, np.zeros((batch, sizes[-1])))
    assert loss.shape == (n,)
    assert [d.shape for d in dws] == [w.shape for w in pop.weights]
    assert [d.shape for d in dbs] == [b.shape for b in pop.biases]
    assert [w.shape for w in pop.weights] == [
        (n, i, o) for i, o in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    assert [b.shape for b in pop.biases] == [(n, 1, o) for o in sizes[1:]]


@PROPERTY
@given(
    st.lists(st.integers(1, 6), min_size=2, max_size=4),
    st.lists(st.integers(0, 2**32), min_size=1, max_size=6),
    st.data(),
)
def test_a_members_weights_depend_on_its_own_seed_alone(sizes, others, data):
    seed = data.draw(st.integers(0, 2**32), label="seed")
    pos = data.draw(st.integers(0, len(others)), label="position")
    seeds = others[:pos] + [seed] + others[pos:]
    pop = Population(sizes, init_scale=0.5, seeds=seeds)
    alone = Population(sizes, init_scale=0.5, seeds=[seed])
    again = Network(sizes, init_scale=0.5, seed=seed)
    for w, a, b in zip(pop.weights, alone.weights, again.weights, strict=True):
        np.testing.assert_array_equal(w[pos], a[0])
        np.testing.assert_array_equal(w[pos], b)


@PROPERTY
@given(st.integers(0, 2**32), st.integers(0, 2**32))
def test_different_seeds_give_different_weights(a, b):
    wa = Population([3, 4, 1], seeds=[a]).weights[0]
    wb = Population([3, 4, 1], seeds=[b]).weights[0]
    assert np.array_equal(wa, wb) == (a == b)


@PROPERTY
@given(_architectures(), st.data())
def test_a_members_forward_pass_equals_the_network_alone(arch, data):
    sizes, n, batch, activation = arch
    seeds = data.draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n), label="seeds")
    pop = Population(sizes, activation=activation, seeds=seeds)
    X = np.cos(np.arange(batch * sizes[0], dtype=float)).reshape(batch, sizes[0])
    out = pop.forward(X)
    for k, seed in enumerate(seeds):
        np.testing.assert_array_equal(out[k], Network(sizes, activation, seed=seed).forward(X))


def test_numpy_seeds_and_scales_are_accepted():
    pop = Population([2, 3, 1], init_scale=np.array([0.5, 1.0, 2.0]), seeds=np.arange(3))
    assert pop.seeds == [0, 1, 2]


def test_member_is_an_independent_copy(rng):
    pop = _population(rng, [2, 3, 1], "relu")
    net = Network.of(pop, 2)
    X = rng.normal(size=(4, 2))
    np.testing.assert_array_equal(net.forward(X), pop.forward(X)[2])
    net.weights[0][...] = 0.0
    assert pop.weights[0][2].any()
    assert repr(net).startswith("Network([2, 3, 1], activation='relu'")


def test_repr_and_len():
    pop = Population([2, 6, 1], seeds=range(4))
    assert len(pop) == 4
    assert repr(pop) == (
        "Population(N=4, sizes=[2, 6, 1], activation='tanh', output_activation='sigmoid', "
        "loss='mse')"
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sizes": [3]}, r"sizes=\[3\] needs at least an input and an output size"),
        ({"sizes": [2, 0, 1]}, r"sizes=0 must be >= 1"),
        ({"seeds": []}, r"seeds=\[\] must name at least one seed"),
        ({"seeds": [-1]}, r"seed=-1 must be >= 0"),
        ({"init_scale": [1.0, 2.0]}, r"init_scale has 2 values for a population of 1"),
        ({"init_scale": -0.1}, r"init_scale=-0.1 must be >= 0"),
        ({"activation": "tanhh"}, r"activation='tanhh' not in .*; did you mean 'tanh'\?"),
        (
            {"output_activation": "softmaxx"},
            r"output_activation='softmaxx' not in .*; did you mean 'softmax'\?",
        ),
        ({"init": "he"}, r"init='he' not in"),
    ],
)
def test_bad_population_settings_fail_in_one_line(kwargs, match):
    kwargs = {"sizes": [2, 3, 1], **kwargs}
    with pytest.raises(ConfigError, match=match) as err:
        Population(**kwargs)
    assert "\n" not in str(err.value)


def test_inputs_must_be_a_matrix():
    with pytest.raises(ConfigError, match=r"X has shape \(2,\); expected \(n_samples"):
        Population([2, 1]).forward([0.0, 1.0])
