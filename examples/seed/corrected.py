"""The seed's network corrected (the Stack Overflow question 48970179), as a user trainer.

The same 2-6-1 OR-gate network as ``as_written.py`` with its mistakes fixed: one bias
per unit, trained with the weights; the loss is half the mean squared error (not the
signed sum of the errors); the error sent back to the hidden layer passes through the
output weights (the chain rule); full-batch gradient descent.

The injected regression: with ``SEED_REGRESSION=1`` in the environment the learning
rate is halved, a one-line bug of the kind ``nnsweep check`` is for (README, "Your own
training code"). Results then change without the run ids changing, so use it only
with ``nnsweep check`` (which trains into a temporary directory), never ``nnsweep run``.
"""

from __future__ import annotations

import os

import numpy as np

PARAMS = {
    "lr": {"type": "float", "default": 0.5, "low": 0, "low_open": True, "doc": "step size"},
    "init_scale": {"type": "float", "default": 1.0, "low": 0, "low_open": True},
    "activation": {"type": "str", "default": "tanh", "choices": ["sigmoid", "tanh"]},
    "hidden": {"type": "int", "default": 6, "low": 1, "high": 256, "doc": "hidden units"},
}

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [1.0]])


def _act(name: str):
    if name == "tanh":
        return np.tanh, lambda out: 1.0 - out**2
    return (lambda a: 1.0 / (1.0 + np.exp(-a))), (lambda out: out * (1.0 - out))


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _met(yhat: np.ndarray, loss: float, stop: dict) -> bool:
    for key in stop:
        if key not in ("max_error_below", "loss_below"):
            raise ValueError(f"stop criterion {key!r} is not supported by this trainer")
    ok = "max_error_below" not in stop or np.max(np.abs(yhat - Y)) < stop["max_error_below"]
    return bool(ok and ("loss_below" not in stop or loss < stop["loss_below"]))


def fit_one(params: dict, seed: int, max_epochs: int, stop: dict) -> dict:
    f, fprime = _act(params["activation"])
    rng = np.random.default_rng(seed)
    n, scale = params["hidden"], params["init_scale"]
    w1, b1 = rng.standard_normal((2, n)) * scale, np.zeros((1, n))
    w2, b2 = rng.standard_normal((n, 1)) * scale, np.zeros((1, 1))
    lr = params["lr"] * (0.5 if os.environ.get("SEED_REGRESSION") == "1" else 1.0)
    curve, logged = [], _log_epochs(max_epochs)
    with np.errstate(all="ignore"):
        for epoch in range(max_epochs + 1):
            h = f(X @ w1 + b1)
            yhat = _sigmoid(h @ w2 + b2)  # a sigmoid output, as the question's
            loss = 0.5 * float(np.mean((yhat - Y) ** 2))
            if epoch in logged:
                curve.append((epoch, loss))
            if not np.isfinite(loss):
                return _record("diverged", None, epoch, loss, yhat, curve)
            if _met(yhat, loss, stop):
                return _record("converged", epoch, epoch, loss, yhat, curve)
            if epoch == max_epochs:
                return _record("censored", None, epoch, loss, yhat, curve)
            d2 = (yhat - Y) * yhat * (1.0 - yhat) / len(X)  # dL/da2
            d1 = (d2 @ w2.T) * fprime(h)  # the chain rule through w2
            w2 -= lr * (h.T @ d2)
            b2 -= lr * d2.sum(axis=0, keepdims=True)
            w1 -= lr * (X.T @ d1)
            b1 -= lr * d1.sum(axis=0, keepdims=True)


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
    }


def _log_epochs(max_epochs: int) -> set[int]:
    out, e, step = set(), 0, 1
    while e <= max_epochs:
        out.add(e)
        step *= 10 if e >= 10 * step else 1
        e += step
    return out
