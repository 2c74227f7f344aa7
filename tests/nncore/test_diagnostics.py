"""Diagnostics: each metric on networks whose answer is known, and the observer wiring."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import ACTIVATIONS, Network, Population, get_task, log_epochs
from nncore.diagnostics import (
    METRICS,
    Recorder,
    dead,
    grad_norm,
    layer_metric_names,
    mean_abs_deriv,
    saturated,
    spread,
)
from nncore.train import train

OR = get_task("or")
TO_01 = {"max_error_below": 0.1}


def at_start(net: Network, X=OR.X, Y=OR.Y, **fit):
    """The network's diagnostics at epoch 0 (before any update)."""
    return net.fit(X, Y, max_epochs=1, diagnostics=True, **fit).diagnostics


# ---------------------------------------------------------------- max_derivative


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_max_derivative_is_the_largest_derivative(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-40, 40, 800_001)
    with np.errstate(all="ignore"):
        a = act.forward(z, np.empty_like(z))
        d = act.derivative(z, a, np.empty_like(z))
    assert d.max() == pytest.approx(act.max_derivative, rel=1e-6)
    assert d.max() <= act.max_derivative * (1 + 1e-12)


# ---------------------------------------------------------------- metrics on arrays


def test_metrics_on_arrays_with_known_answers():
    a = np.array([[[0.0, 2.0], [1.0, 1.0]]])  # one member, 2 samples, 2 units
    assert spread(a) == pytest.approx([0.5])  # std across units: 1 on sample 1, 0 on 2
    assert dead(np.array([[[0.0, 3.0], [0.0, 0.0]]])) == pytest.approx([0.5])
    deriv = np.array([[[0.25, 0.001], [-0.25, 0.002]]])
    assert mean_abs_deriv(deriv) == pytest.approx([(0.25 + 0.001 + 0.25 + 0.002) / 4])
    assert saturated(deriv, 0.25) == pytest.approx([0.5])  # unit 2: mean 0.0015 < 0.0125
    dw = np.array([[[3.0, 0.0], [0.0, 4.0]]])
    assert grad_norm(dw) == pytest.approx([5.0])


def test_metric_names_skip_what_a_layer_does_not_have():
    assert layer_metric_names(ACTIVATIONS["tanh"], 6) == METRICS
    assert "spread" not in layer_metric_names(ACTIVATIONS["sigmoid"], 1)
    from nncore import OUTPUT_ACTIVATIONS

    softmax = layer_metric_names(OUTPUT_ACTIVATIONS["softmax"], 4)
    assert softmax == ("grad_norm", "dead", "spread")


# ---------------------------------------------------------------- hand-built networks


def test_a_unit_with_huge_weights_is_saturated_and_a_small_one_is_not():
    net = Network([2, 2, 1], activation="sigmoid", init_scale=0.1, seed=0)
    w, b = net.weights[0].copy(), net.biases[0].copy()
    w[:, 0], b[0] = 50.0, -25.0  # z in {-25, 25, 25, 75}: sigmoid' <= 1.4e-11
    net.weights = [w, net.weights[1]]
    net.biases = [b, net.biases[1]]
    d = at_start(net)
    assert d.get("saturated", 1)[0] == 0.5
    assert d.get("dead", 1)[0] == 0.0  # a saturated sigmoid still outputs ~0 or ~1, not 0
    assert d.get("mean_abs_deriv", 1)[0] == pytest.approx(0.125, abs=0.01)  # one unit ~0.25


def test_relu_units_with_negative_input_are_dead():
    net = Network([2, 3, 1], activation="relu", init_scale=0.5, seed=1)
    w = np.abs(net.weights[0])
    w[:, :2] *= -1.0  # inputs are >= 0: units 0 and 1 never fire
    net.weights = [w, net.weights[1]]
    net.biases = [np.array([-0.1, -0.1, 0.1]), net.biases[1]]
    d = at_start(net)
    assert d.get("dead", 1)[0] == pytest.approx(2 / 3)
    assert d.get("saturated", 1)[0] == pytest.approx(2 / 3)  # relu' = 0: dead is saturated
    assert d.get("mean_abs_deriv", 1)[0] == pytest.approx(1 / 3)  # the live unit: relu' = 1


def test_identical_initial_weights_give_zero_spread_for_good():
    net = Network([2, 3, 1], activation="tanh", init_scale=0.5, seed=2)
    net.weights = [np.repeat(net.weights[0][:, :1], 3, axis=1), np.full((3, 1), 0.3)]
    rec = net.fit(OR.X, OR.Y, lr=0.5, max_epochs=300, diagnostics=True)
    spreads = rec.diagnostics.get("spread", 1)
    assert len(spreads) > 10 and np.all(spreads == 0.0)  # symmetric units stay symmetric
    other = at_start(Network([2, 3, 1], activation="tanh", init_scale=0.5, seed=2))
    assert other.get("spread", 1)[0] > 0.01


def test_gradient_norm_and_derivative_match_direct_computation():
    net = Network([2, 4, 1], activation="sigmoid", init_scale=0.0, seed=0)
    _, dws, _ = net.loss_and_gradients(OR.X, OR.Y)
    d = at_start(net)
    for layer, dw in enumerate(dws, start=1):
        assert d.get("grad_norm", layer)[0] == pytest.approx(np.linalg.norm(dw), rel=1e-12)
    assert d.get("mean_abs_deriv", 1)[0] == 0.25  # zero weights: every z = 0
    assert d.get("spread", 1)[0] == 0.0


def test_softmax_output_has_no_derivative_metrics():
    data = get_task("encoder4")
    net = Network([4, 2, 4], output_activation="softmax", loss="ce", init_scale=0.5, seed=0)
    d = at_start(net, data.X, data.Y)
    assert (2, "mean_abs_deriv") not in d.columns and (2, "spread") in d.columns
    assert (1, "saturated") in d.columns


# ---------------------------------------------------------------- observer wiring


def _population(n=24):
    seeds = list(range(n))
    return Population([2, 4, 1], activation="sigmoid", init_scale=[0.05, 1.0] * (n // 2),
                      seeds=seeds)  # fmt: skip


FITS = {
    "gd": dict(lr=np.linspace(0.3, 3.0, 24)),
    "adam mini-batch": dict(optimizer="adam", lr=np.linspace(0.01, 0.1, 24), batch_size=2),
}


@pytest.mark.parametrize("fit", FITS.values(), ids=FITS.keys())
def test_diagnostics_change_nothing_and_match_each_member_trained_alone(fit):
    off, on = _population(), _population()
    recs_off = off.fit(OR.X, OR.Y, max_epochs=1500, stop=TO_01, **fit)
    recs_on = on.fit(OR.X, OR.Y, max_epochs=1500, stop=TO_01, diagnostics=True, **fit)
    assert len({r.epochs_run for r in recs_on}) > 3  # members finish at different epochs
    for a, b in zip(recs_off, recs_on, strict=True):
        assert (a.status, a.epochs_run, a.final_loss) == (b.status, b.epochs_run, b.final_loss)
        np.testing.assert_array_equal(a.curve_loss, b.curve_loss)
    for w_off, w_on in zip(off.weights + off.biases, on.weights + on.biases, strict=True):
        np.testing.assert_array_equal(w_off, w_on)
    for k in (0, 5, 23):
        hyper = {h: v[k] for h, v in fit.items() if h == "lr"}
        rest = {h: v for h, v in fit.items() if h != "lr"}
        alone = Population([2, 4, 1], activation="sigmoid", init_scale=[0.05, 1.0][k % 2],
                           seeds=[k])  # fmt: skip
        rec = alone.fit(OR.X, OR.Y, max_epochs=1500, stop=TO_01, diagnostics=True,
                        **rest, **hyper)[0]  # fmt: skip
        mine = recs_on[k].diagnostics
        np.testing.assert_array_equal(rec.diagnostics.epochs, mine.epochs)
        np.testing.assert_array_equal(rec.diagnostics.values, mine.values)
        grid = log_epochs(1500)
        np.testing.assert_array_equal(mine.epochs, grid[grid < recs_on[k].epochs_run])


def test_mini_batch_diagnostics_use_the_whole_training_set():
    net = Network([2, 3, 1], activation="tanh", init_scale=0.5, seed=3)
    _, dws, _ = net.loss_and_gradients(OR.X, OR.Y)
    d = at_start(net, batch_size=1, lr=0.1)
    assert d.get("grad_norm", 1)[0] == pytest.approx(np.linalg.norm(dws[0]), rel=1e-12)


def test_the_observer_sees_only_members_still_training():
    pop = Population([2, 3, 1], init_scale=0.5, seeds=range(6))
    seen: dict[int, list[int]] = {}

    def observer(epoch, ids, outputs, pre, grads):
        assert len(outputs) == len(grads) == len(pre) == 2
        assert outputs[0].shape == (len(ids), 4, 3) and grads[0].shape == (len(ids), 2, 3)
        seen[epoch] = sorted(ids.tolist())

    lrs = [0.5, 1.0, 2.0, 4.0, 1e3, 8.0]  # 1e3 diverges at once
    recs = train(pop, OR.X, OR.Y, optimizer="gd", max_epochs=400, stop=TO_01,
                 batch_size=None, hyper={"lr": lrs}, observer=observer)  # fmt: skip
    assert set(seen) == {e for e in log_epochs(400) if e < max(r.epochs_run for r in recs)}
    for epoch, ids in seen.items():
        assert ids == [k for k, r in enumerate(recs) if r.epochs_run > epoch]


def test_diverged_member_keeps_its_diagnostics_and_values_are_not_warnings():
    pop = Population([2, 3, 1], output_activation="identity", init_scale=0.5, seeds=[0, 1])
    recs = pop.fit(OR.X, OR.Y, lr=[1e3, 0.1], max_epochs=50, diagnostics=True)
    assert recs[0].status == "diverged"
    assert list(recs[0].diagnostics.epochs) == [e for e in range(recs[0].epochs_run)]
    assert len(recs[1].diagnostics) == len(log_epochs(50)) - 1


def test_recorder_long_form_and_empty_members():
    rec = Recorder(_population(2).arch)
    assert all(len(d) == 0 for d in rec.members(3))
    net = Network([2, 4, 1], activation="sigmoid", init_scale=0.5, seed=0)
    d = net.fit(OR.X, OR.Y, lr=0.5, max_epochs=20, diagnostics=True).diagnostics
    long = d.long()
    assert len(long["value"]) == len(d) * len(d.columns) == len(long["metric"])
    first = long["metric"][: len(d.columns)].tolist()
    assert first == [m for _, m in d.columns] and set(long["layer"]) == {1, 2}
    assert np.array_equal(long["value"][long["metric"] == "dead"][::2], d.get("dead", 1))
    with pytest.raises(KeyError, match="spread"):
        d.get("spread", 2)
