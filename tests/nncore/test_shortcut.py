"""Shortcut connections: every layer also fed by the inputs and all earlier layers."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import Architecture, ConfigError, Network, Population, _dense, get_task
from nncore._passes import backward_pass, forward_pass

# Depths 1-4 (hidden layers), each narrow (stored member-last) and wide (member-first):
# the layout is chosen from the multiply-adds per pass, which count the shortcut fan-ins.
DEPTHS = {
    1: [[2, 3, 1], [5, 9, 2]],
    2: [[2, 2, 3, 1], [5, 9, 9, 2]],
    3: [[2, 2, 2, 2, 1], [5, 9, 9, 9, 2]],
    4: [[3, 2, 2, 2, 2, 1], [5, 9, 9, 9, 9, 2]],
}
CASES = [(d, s) for d, sizes in DEPTHS.items() for s in sizes]


def _population(rng, sizes, activation="tanh", seeds=(4, 9, 4)):
    pop = Population(
        sizes,
        activation=activation,
        init="lecun_normal",
        init_scale=[0.8, 1.3, 2.0][: len(seeds)],
        seeds=list(seeds),
        shortcut=True,
    )
    for b in pop.biases:
        b[...] = rng.normal(0.0, 0.5, b.shape)
    return pop


def test_layer_l_sees_the_inputs_and_every_earlier_layer():
    arch = Architecture((2, 5, 5, 5, 1), shortcut=True)
    assert arch.fan_ins == (2, 7, 12, 17)
    pop = Population([2, 5, 5, 5, 1], shortcut=True, seeds=[0, 1])
    assert [w.shape for w in pop.weights] == [(2, 2, 5), (2, 7, 5), (2, 12, 5), (2, 17, 1)]
    assert [b.shape for b in pop.biases] == [(2, 1, 5), (2, 1, 5), (2, 1, 5), (2, 1, 1)]
    assert Architecture((2, 5, 5, 5, 1)).fan_ins == (2, 5, 5, 5)


def test_without_shortcuts_the_layout_is_the_plain_chain():
    plain = Population([2, 4, 3, 1], seeds=[3])
    off = Population([2, 4, 3, 1], seeds=[3], shortcut=False)
    assert not plain.arch.shortcut and plain.arch == off.arch
    for a, b in zip(plain.weights, off.weights, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("depth", "sizes"), CASES, ids=[f"{d}-{s}" for d, s in CASES])
def test_gradients_are_finite_difference_gradients(ref, rng, depth, sizes):
    pop = _population(rng, sizes)
    assert pop.arch.n_layers == depth + 1
    narrow = sizes == DEPTHS[depth][0]
    assert _dense.choose_layout(pop.arch.sizes, 6, pop.arch.fan_ins).member_last == narrow
    X, Y = rng.normal(size=(6, sizes[0])), ref.targets("mse", rng, 6, sizes[-1])
    loss, dws, dbs = pop.loss_and_gradients(X, Y)
    n = pop.arch.n_layers
    for k in range(len(pop)):

        def f(ps):
            return ref.loss(ps[:n], ps[n:], X, Y, "tanh", "sigmoid", "mse", shortcut=True)

        params = [w[k] for w in pop.weights] + [b[k, 0] for b in pop.biases]
        assert loss[k] == pytest.approx(f(params), rel=1e-12)
        grad = [d[k] for d in dws] + [d[k, 0] for d in dbs]
        assert ref.rel_error(grad, ref.numeric_gradient(f, params)) < 1e-6, f"member {k}"


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "silu"])  # silu keeps z
def test_gradients_for_other_hidden_activations(ref, rng, activation):
    pop = _population(rng, [3, 4, 3, 2], activation)
    X, Y = rng.normal(size=(5, 3)), ref.targets("mse", rng, 5, 2)
    _, dws, dbs = pop.loss_and_gradients(X, Y)

    def f(ps):
        return ref.loss(ps[:3], ps[3:], X, Y, activation, "sigmoid", "mse", shortcut=True)

    params = [w[0] for w in pop.weights] + [b[0, 0] for b in pop.biases]
    grad = [d[0] for d in dws] + [d[0, 0] for d in dbs]
    assert ref.rel_error(grad, ref.numeric_gradient(f, params)) < 1e-6


@pytest.mark.parametrize("member_last", [True, False])
def test_both_layouts_agree_and_a_member_is_computed_as_alone(rng, member_last):
    data = get_task("xor")
    pop = _population(rng, [2, 3, 2, 1])
    layout = _dense.Layout(member_last)
    grads = []
    for members in ([0, 1, 2], [1]):
        ws = [layout.adopt(w[members]) for w in pop.weights]
        bs = [layout.adopt(b[members]) for b in pop.biases]
        work = _dense.Scratch(layout)
        acts, zs = forward_pass(pop.arch, data.X, ws, bs, work)
        _, delta = pop.arch.loss_fn.value_and_delta(zs[-1], acts[-1], data.Y, pop.arch.output_fn)
        dws, _ = backward_pass(pop.arch, acts, zs, delta, ws, work)
        grads.append([_dense.members_first(g)[-len(members) :].copy() for g in dws])
    _, want, _ = pop.loss_and_gradients(data.X, data.Y)
    for got, w in zip(grads[0], want, strict=True):
        np.testing.assert_allclose(got, w, rtol=1e-10, atol=1e-15)
    for together, alone in zip(grads[0], grads[1], strict=True):
        np.testing.assert_array_equal(together[1:2], alone)


def test_rhw_2_1_1_xor_learns_with_shortcuts_and_not_without(xor):
    # Rumelhart, Hinton & Williams (1986): one hidden unit solves XOR when the output also
    # sees the inputs; without that, the output is a monotone function of one projection
    # of the inputs, and XOR is not separable along any projection.
    def converged(shortcut: bool) -> int:
        pop = Population([2, 1, 1], init="uniform", init_scale=0.3, seeds=range(8),
                         shortcut=shortcut)  # fmt: skip
        recs = pop.fit(xor.X, xor.Y, lr=2.0, max_epochs=3000, stop={"max_error_below": 0.1})
        return sum(r.status == "converged" for r in recs)

    assert converged(True) >= 6
    assert converged(False) == 0


def test_minibatch_and_diagnostics_work_with_shortcuts(xor):
    kw = dict(lr=1.0, max_epochs=40, batch_size=2, diagnostics=True, validation=(xor.X, xor.Y))
    pop = Population([2, 3, 2, 1], shortcut=True, init_scale=0.5, seeds=[5, 6, 7])
    recs = pop.fit(xor.X, xor.Y, **kw)
    alone = Population([2, 3, 2, 1], shortcut=True, init_scale=0.5, seeds=[6])
    rec = alone.fit(xor.X, xor.Y, **kw)[0]
    np.testing.assert_array_equal(recs[1].curve_loss, rec.curve_loss)
    for w, a in zip(pop.weights, alone.weights, strict=True):
        np.testing.assert_array_equal(w[1], a[0])
    assert recs[1].diagnostics is not None and recs[0].curve_loss[-1] < recs[0].curve_loss[0]
    # The held-out set here is the training set: the same forward pass, the same loss.
    assert recs[1].val_loss == rec.val_loss == pytest.approx(recs[1].final_loss, rel=1e-9)


def test_network_keeps_the_wiring():
    net = Network([2, 1, 1], shortcut=True, seed=3)
    assert [w.shape for w in net.weights] == [(2, 1), (3, 1)]
    assert "shortcut=True" in repr(net)
    pop = Population([2, 1, 1], shortcut=True, seeds=[1, 3])
    copy = Network.of(pop, 1)
    np.testing.assert_array_equal(
        copy.forward(get_task("xor").X), pop.forward(get_task("xor").X)[1]
    )


def test_initialisers_get_the_true_fan_in():
    # LeCun's uniform limit is sqrt(3 / fan_in): the output layer of a shortcut 2-3-1 has
    # fan_in 5 (limit 0.775), not the hidden width 3 (limit 1); 250 draws come near it.
    pop = Population([2, 3, 1], init="lecun_uniform", shortcut=True, seeds=range(50))
    limit = np.sqrt(3.0 / 5.0)
    assert 0.95 * limit < np.abs(pop.weights[1]).max() <= limit


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_shortcut_must_be_a_boolean(value):
    with pytest.raises(ConfigError, match=r"^shortcut=.* must be true or false$"):
        Architecture((2, 1), shortcut=value)
