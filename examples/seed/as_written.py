"""The seed's network as written in the Stack Overflow question 48970179, as a user trainer.

A 2-6-1 sigmoid network trained as an OR gate, with the question's four mistakes kept:

* a per-sample bias: the first layer's bias has one row per training sample (4 x 1),
  not one per unit, and no bias is ever updated;
* a signed "loss": the question plots ``sum(Y - Yhat)``, which is near 0 whenever the
  errors cancel (kept here as the extra metric ``signed_loss``);
* the missing chain-rule factor: the error sent back to the hidden layer skips the
  output weights, so all six hidden units receive the same update;
* a learning rate of 1e-6 and weights drawn at 0.01: the crawl the question reported.

Rewritten in NumPy for this example; ``final_loss`` is the true loss (half the mean
squared error, nncore's ``mse``), so the sweep compares it honestly with the corrected
network in ``corrected.py``. The protocol is nnsweep's (README, "Your own training code").
"""

from __future__ import annotations

import numpy as np

PARAMS = {
    "lr": {"type": "float", "default": 1e-6, "low": 0, "low_open": True, "doc": "step size"},
    "init_scale": {"type": "float", "default": 0.01, "low": 0, "low_open": True},
    "activation": {"type": "str", "default": "sigmoid", "choices": ["sigmoid", "tanh"]},
}
METRICS = ["signed_loss"]  # the question's "loss": sum(Y - Yhat)

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [1.0]])


def _act(name: str):
    if name == "tanh":
        return np.tanh, lambda a: 1.0 - np.tanh(a) ** 2
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731
    return sig, lambda a: sig(a) * (1.0 - sig(a))


def _met(yhat: np.ndarray, loss: float, stop: dict) -> bool:
    for key in stop:
        if key not in ("max_error_below", "loss_below"):
            raise ValueError(f"stop criterion {key!r} is not supported by this trainer")
    ok = "max_error_below" not in stop or np.max(np.abs(yhat - Y)) < stop["max_error_below"]
    return bool(ok and ("loss_below" not in stop or loss < stop["loss_below"]))


def fit_one(params: dict, seed: int, max_epochs: int, stop: dict) -> dict:
    f, fprime = _act(params["activation"])
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((2, 6)) * params["init_scale"]
    w2 = rng.standard_normal((6, 1)) * params["init_scale"]
    b1, b2 = np.zeros((4, 1)), np.zeros((1, 1))  # per-sample bias, never trained
    lr, curve, logged = params["lr"], [], _log_epochs(max_epochs)
    with np.errstate(all="ignore"):
        for epoch in range(max_epochs + 1):
            a1 = X @ w1 + b1
            h = f(a1)
            a2 = h @ w2 + b2
            yhat = f(a2)
            loss = 0.5 * float(np.mean((yhat - Y) ** 2))
            if epoch in logged:
                curve.append((epoch, loss))
            if not np.isfinite(loss):
                return _record("diverged", None, epoch, loss, yhat, curve)
            if _met(yhat, loss, stop):
                return _record("converged", epoch, epoch, loss, yhat, curve)
            if epoch == max_epochs:
                return _record("censored", None, epoch, loss, yhat, curve)
            delta = -(Y - yhat)
            grad2 = h.T @ fprime(a2)  # the question's "local gradient": X.T . f'(a)
            grad1 = X.T @ fprime(a1)
            err = np.sum(grad2 @ delta.T, axis=1).reshape(6, 1)
            w2 -= err * lr
            err = grad1 @ err  # no factor of w2 here: the missing chain-rule step
            w1 -= err * lr  # (2, 1) broadcast over the six units: every unit alike


def _record(status, reached, epoch, loss, yhat, curve) -> dict:
    if curve[-1][0] != epoch:
        curve.append((epoch, loss))
    return {
        "status": status,
        "epochs_to_threshold": reached,
        "epochs_run": epoch,
        "final_loss": loss,
        "max_error": float(np.max(np.abs(yhat - Y))),
        "accuracy": float(np.mean((yhat > 0.5) == (Y > 0.5))),
        "curve": curve,
        "signed_loss": float(np.sum(Y - yhat)),
    }


def _log_epochs(max_epochs: int) -> set[int]:
    out, e, step = set(), 0, 1
    while e <= max_epochs:
        out.add(e)
        step *= 10 if e >= 10 * step else 1
        e += step
    return out
