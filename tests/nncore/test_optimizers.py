"""Optimisers: every step against a hand computation, with per-member hyper-parameters."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import OPTIMIZERS, ConfigError, Network, Population, get_optimizer

# Per-member hyper-parameters for a population of three: every one of them differs.
HYPER = {
    "gd": {"lr": [0.5, 1.0, 2.0]},
    "momentum": {"lr": [0.5, 0.1, 1.0], "momentum": [0.0, 0.5, 0.9]},
    "nesterov": {"lr": [0.5, 0.1, 1.0], "momentum": [0.0, 0.5, 0.9]},
    "adam": {
        "lr": [0.01, 0.1, 0.05],
        "beta1": [0.9, 0.5, 0.0],
        "beta2": [0.999, 0.9, 0.99],
        "eps": [1e-8, 1e-3, 1e-6],
    },
    "rprop": {
        "lr": [0.1, 0.05, 0.2],
        "eta_plus": [1.2, 1.5, 1.1],
        "eta_minus": [0.5, 0.3, 0.7],
        "delta_max": [50.0, 0.15, 1.0],
        "delta_min": [1e-6, 0.04, 0.01],
    },
}


# The textbook updates, one member at a time, with scalar hyper-parameters. Each takes
# the parameter, its state dict (empty at first) and the gradient; returns the new value.
def _gd(p, s, g, h):
    return p - h["lr"] * g


def _momentum(p, s, g, h):
    s["v"] = h["momentum"] * s.get("v", 0.0) - h["lr"] * g
    return p + s["v"]


def _nesterov(p, s, g, h):
    # Sutskever et al. 2013 in the form that evaluates the gradient at the parameters.
    s["v"] = h["momentum"] * s.get("v", 0.0) - h["lr"] * g
    return p + h["momentum"] * s["v"] - h["lr"] * g


def _adam(p, s, g, h):
    t = s["t"] = s.get("t", 0) + 1
    s["m"] = h["beta1"] * s.get("m", 0.0) + (1.0 - h["beta1"]) * g
    s["v"] = h["beta2"] * s.get("v", 0.0) + (1.0 - h["beta2"]) * g**2
    m_hat = s["m"] / (1.0 - h["beta1"] ** t)
    v_hat = s["v"] / (1.0 - h["beta2"] ** t)
    return p - h["lr"] * m_hat / (np.sqrt(v_hat) + h["eps"])


def _rprop(p, s, g, h):
    # iRprop- (Igel & Huesken 2000): grow the step while the sign holds, shrink it and
    # skip the move when the sign flips, and forget that gradient.
    delta = s.get("delta", np.full_like(p, h["lr"]))
    same = g * s.get("prev", np.zeros_like(p))
    delta = np.where(same > 0, np.minimum(delta * h["eta_plus"], h["delta_max"]), delta)
    delta = np.where(same < 0, np.maximum(delta * h["eta_minus"], h["delta_min"]), delta)
    g = np.where(same < 0, 0.0, g)
    s["delta"], s["prev"] = delta, g
    return p - np.sign(g) * delta


HAND = {"gd": _gd, "momentum": _momentum, "nesterov": _nesterov, "adam": _adam, "rprop": _rprop}


def _member_hyper(name: str, k: int) -> dict[str, float]:
    return {key: values[k] for key, values in HYPER[name].items()}


def test_every_optimiser_has_a_hand_computation_and_test_values():
    assert set(OPTIMIZERS) <= set(HAND)
    for name, cls in OPTIMIZERS.items():
        assert set(HYPER[name]) == set(cls.defaults), name


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_steps_match_the_hand_computation(rng, name):
    params = [rng.normal(size=(3, 2, 3)), rng.normal(size=(3, 1, 3))]
    grads = [[rng.normal(size=p.shape) for p in params] for _ in range(4)]
    opt = OPTIMIZERS[name]([p.copy() for p in params], HYPER[name])
    got = [p.copy() for p in params]
    for g in grads:
        opt.step(got, [x.copy() for x in g])
    for k in range(3):
        h = _member_hyper(name, k)
        for i, p in enumerate(params):
            want, state = p[k], {}
            for g in grads:
                want = HAND[name](want, state, g[i][k], h)
            np.testing.assert_allclose(got[i][k], want, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fit_applies_the_hand_update_to_the_exact_gradients(xor, name):
    seeds = [3, 1, 4]
    pop = Population([2, 3, 1], activation="tanh", init_scale=0.7, seeds=seeds)
    pop.fit(xor.X, xor.Y, optimizer=name, max_epochs=3, **HYPER[name])
    for k, seed in enumerate(seeds):
        net = Network([2, 3, 1], activation="tanh", init_scale=0.7, seed=seed)
        h, states = _member_hyper(name, k), [{} for _ in range(4)]
        for _ in range(3):
            _, dws, dbs = net.loss_and_gradients(xor.X, xor.Y)
            params = net.weights + net.biases
            for p, g, s in zip(params, dws + dbs, states, strict=True):
                p[...] = HAND[name](p.copy(), s, g, h)
        for got, want in zip(
            [w[k] for w in pop.weights] + [b[k, 0] for b in pop.biases],
            net.weights + net.biases,
            strict=True,
        ):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_one_gd_epoch_is_exactly_w_minus_lr_dw(xor):
    lrs = [0.3, 1.7, 5.0]
    pop = Population([2, 4, 1], activation="tanh", init_scale=0.5, seeds=[9, 8, 7])
    pop.biases[0][...] = 0.25  # so the bias gradients are not all alike
    loss, dws, dbs = pop.loss_and_gradients(xor.X, xor.Y)
    ws0 = [w.copy() for w in pop.weights]
    bs0 = [b.copy() for b in pop.biases]
    pop.fit(xor.X, xor.Y, optimizer="gd", max_epochs=1, lr=lrs)
    lr = np.array(lrs)[:, None, None]
    for w, w0, dw in zip(pop.weights, ws0, dws, strict=True):
        np.testing.assert_array_equal(w, w0 - lr * dw)
    for b, b0, db in zip(pop.biases, bs0, dbs, strict=True):
        np.testing.assert_array_equal(b, b0 - lr * db)


def test_rprop_grows_shrinks_skips_and_clamps():
    # Member 0 has tight clamps (delta_max 0.13, delta_min 0.07), member 1 the defaults.
    hyper = {"lr": 0.1, "delta_max": [0.13, 50.0], "delta_min": [0.07, 1e-6]}
    p = np.zeros((2, 1, 4))
    opt = get_optimizer("rprop")([p], hyper)
    # Columns: sign kept (+ + +), flipped (+ - +), zero first (0 + +), flipped last (- - +).
    signs = [[5.0, 1e-3, 0.0, -2.0], [0.5, -7.0, 3.0, -1e-4], [2.0, 4.0, 1.0, 9.0]]
    for g in signs:
        opt.step([p], [np.array([[g], [g]])])
    # Member 1: col 0 moves 0.1+0.12+0.144; col 1 moves 0.1, skips (delta 0.05), moves
    # 0.05; col 2 waits, then 0.1+0.12; col 3 moves up 0.1+0.12 and skips (delta 0.06).
    np.testing.assert_allclose(p[1, 0], [-0.364, -0.15, -0.22, 0.22], rtol=1e-14)
    # Member 0: growth stops at 0.13, shrinking stops at 0.07.
    np.testing.assert_allclose(p[0, 0], [-0.35, -0.17, -0.22, 0.22], rtol=1e-14)
    np.testing.assert_allclose(opt.state["delta"][0][:, 0, 3], [0.07, 0.06], rtol=1e-14)


def test_rprop_defaults_are_the_usual_ones():
    assert get_optimizer("rprop").defaults == {
        "lr": 0.1,  # the initial step delta0
        "eta_plus": 1.2,
        "eta_minus": 0.5,
        "delta_max": 50.0,
        "delta_min": 1e-6,
    }
    assert get_optimizer("adam").defaults == {
        "lr": 0.001,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
    }


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_bias_correction_makes_the_first_adam_step_lr_whatever_the_gradient_scale(scale):
    # m_hat = g and v_hat = g^2 after one step, so the move is lr * g / (|g| + eps).
    p = np.ones((2, 1, 3))
    g = scale * np.array([[[1.0, -2.0, 0.5]], [[3.0, 1.0, -1.0]]])
    lr = np.array([0.1, 0.01])[:, None, None]
    expected_move = -lr * np.sign(g)
    get_optimizer("adam")([p], {"lr": lr.ravel()}).step([p], [g])
    np.testing.assert_allclose(p - 1.0, expected_move, rtol=1e-4)  # eps/|g| <= 2e-5


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_zero_gradient_first_step_moves_nothing(name):
    p = np.ones((3, 2, 2))
    OPTIMIZERS[name]([p], HYPER[name]).step([p], [np.zeros_like(p)])
    assert (p == 1.0).all()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_member_steps_as_if_alone_also_after_others_leave(rng, name):
    params = rng.normal(size=(3, 2, 2))
    grads = rng.normal(size=(5, 3, 2, 2))
    keep = np.array([2, 0])  # after two steps member 1 finishes; the others swap places
    together = params.copy()
    opt = OPTIMIZERS[name]([together], HYPER[name])
    for t in range(5):
        if t == 2:
            opt.take(keep)
            together = together[keep]
        rows = slice(None) if t < 2 else keep
        opt.step([together], [grads[t, rows].copy()])
    for row, k in enumerate(keep):
        alone = params[k : k + 1].copy()
        solo = OPTIMIZERS[name]([alone], {key: [v[k]] for key, v in HYPER[name].items()})
        for t in range(5):
            solo.step([alone], [grads[t, k : k + 1].copy()])
        np.testing.assert_array_equal(together[row], alone[0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"optimizer": "adm"}, r"optimizer='adm' not in \[.*\]; did you mean 'adam'\?"),
        (
            {"optimizer": "momentum", "momentun": 0.9},
            r"momentun= is not a hyper-parameter of optimizer='momentum'; "
            r"allowed: \['lr', 'momentum'\]; did you mean 'momentum'\?",
        ),
        ({"lr": 0.0}, r"lr=0.0 must be > 0"),
        ({"optimizer": "momentum", "momentum": 1.0}, r"momentum=1.0 must be in \[0, 1\)"),
        ({"optimizer": "adam", "beta2": [0.9, -0.1]}, r"beta2=-0.1 must be in \[0, 1\)"),
    ],
)
def test_bad_optimiser_settings_fail_in_one_line(xor, kwargs, match):
    pop = Population([2, 2, 1], seeds=[0, 1])
    with pytest.raises(ConfigError, match=match) as err:
        pop.fit(xor.X, xor.Y, max_epochs=1, **kwargs)
    assert "\n" not in str(err.value)
