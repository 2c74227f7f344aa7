"""The seed's network with each of its bugs on a switch (the Stack Overflow question 48970179).

The same 2-6-1 OR-gate network as ``as_written.py``; with every switch at its default
it trains exactly as that file does (the tests check it). Each switch fixes one bug:

* ``bias``: ``"per-sample"`` is the question's first-layer bias, one row per training
  sample and never updated (all zeros, so in effect no bias at all); ``"trained"`` is one
  bias per unit, trained with the weights;
* ``output_error``: ``"signed-sum"`` is the question's update, which multiplies every sample's
  output slope by the signed sum of the errors, sum(Yhat - Y), so errors of opposite sign
  cancel; ``"per-sample"`` uses each sample's own error (the gradient of the loss);
* ``chain``: ``"missing"`` sends the output weights' gradient, summed over the units,
  back to the hidden layer in place of the output weights times the error, so every
  hidden unit receives the same update; ``"full"`` is the chain rule;
* ``lr`` and ``budget``: the question ran 5,000,000 epochs at lr 1e-6, a budget
  lr x epochs = 5. With ``budget`` > 0 a run takes ceil(budget / lr) epochs (at most the
  spec's ``max_epochs``), so the question's budget can be spent at a larger step.

With every bug fixed this is gradient descent on half the *summed* squared error, the
question's own units (nncore's ``mse`` is half the *mean*, a quarter of the gradient).
The hidden and output activations are separate parameters: the accepted answer used
tanh for both. The extra metrics are the four outputs when the run stopped.
"""

from __future__ import annotations

import math

import numpy as np

_ACTS = ["sigmoid", "tanh"]
PARAMS = {
    "lr": {"type": "float", "default": 1e-6, "low": 0, "low_open": True, "doc": "step size"},
    "budget": {"type": "float", "default": 0.0, "low": 0, "doc": "lr x epochs; 0: max_epochs"},
    "init_scale": {"type": "float", "default": 0.01, "low": 0, "low_open": True},
    "activation": {"type": "str", "default": "sigmoid", "choices": _ACTS, "doc": "hidden"},
    "output_activation": {"type": "str", "default": "sigmoid", "choices": _ACTS},
    "bias": {"type": "str", "default": "per-sample", "choices": ["per-sample", "trained"]},
    "output_error": {
        "type": "str",
        "default": "signed-sum",
        "choices": ["signed-sum", "per-sample"],
    },
    "chain": {"type": "str", "default": "missing", "choices": ["missing", "full"]},
}
METRICS = ["out_00", "out_01", "out_10", "out_11", "signed_loss"]

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
    if not stop:
        return False  # no stop rule: train for the whole budget
    ok = "max_error_below" not in stop or np.max(np.abs(yhat - Y)) < stop["max_error_below"]
    return bool(ok and ("loss_below" not in stop or loss < stop["loss_below"]))


def fit_one(params: dict, seed: int, max_epochs: int, stop: dict) -> dict:
    f, fp = _act(params["activation"])
    g, gp = _act(params["output_activation"])
    rng = np.random.default_rng(seed)  # the same draws, in the same order, as as_written.py
    w1 = rng.standard_normal((2, 6)) * params["init_scale"]
    w2 = rng.standard_normal((6, 1)) * params["init_scale"]
    trained = params["bias"] == "trained"
    b1, b2 = (np.zeros((1, 6)), np.zeros((1, 1))) if trained else (np.zeros((4, 1)), 0.0)
    lr = params["lr"]
    epochs = max_epochs
    if params["budget"] > 0:
        epochs = min(max_epochs, math.ceil(params["budget"] / lr - 1e-9))
    curve, logged = [], _log_epochs(epochs)
    with np.errstate(all="ignore"):
        for epoch in range(epochs + 1):
            a1 = X @ w1 + b1
            h = f(a1)
            a2 = h @ w2 + b2
            yhat = g(a2)
            loss = 0.5 * float(np.mean((yhat - Y) ** 2))  # nncore's mse, for comparison
            if epoch in logged:
                curve.append((epoch, loss))
            if not np.isfinite(loss):
                return _record("diverged", None, epoch, loss, yhat, curve)
            if _met(yhat, loss, stop):
                return _record("converged", epoch, epoch, loss, yhat, curve)
            if epoch == epochs:
                return _record("censored", None, epoch, loss, yhat, curve)
            delta = yhat - Y
            if params["output_error"] == "signed-sum":
                delta = np.full_like(delta, delta.sum())
            d2 = delta * gp(a2)  # (4, 1): the error at the output's net input
            grad2 = h.T @ d2
            if params["chain"] == "full":
                d1 = (d2 @ w2.T) * fp(a1)
            else:  # the question's X.T . f'(a1) . grad2: the same column for every unit
                d1 = np.repeat(fp(a1) @ grad2, 6, axis=1)
            w2 -= lr * grad2
            w1 -= lr * (X.T @ d1)
            if trained:
                b2 -= lr * d2.sum(axis=0, keepdims=True)
                b1 -= lr * d1.sum(axis=0, keepdims=True)


def _record(status, reached, epoch, loss, yhat, curve) -> dict:
    if curve[-1][0] != epoch:
        curve.append((epoch, loss))
    out = yhat[:, 0]
    return {
        "status": status,
        "epochs_to_threshold": reached,
        "epochs_run": epoch,
        "final_loss": loss,
        "max_error": float(np.max(np.abs(yhat - Y))),
        "accuracy": float(np.mean((yhat > 0.5) == (Y > 0.5))),
        "curve": curve,
        **{f"out_{k}": float(v) for k, v in zip(["00", "01", "10", "11"], out, strict=True)},
        "signed_loss": float(np.sum(Y - yhat)),
    }


def _log_epochs(max_epochs: int) -> set[int]:
    out, e, step = set(), 0, 1
    while e <= max_epochs:
        out.add(e)
        step *= 10 if e >= 10 * step else 1
        e += step
    return out
