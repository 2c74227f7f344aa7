"""The seed's network as written (``as_written.py``), exposing the gradient it follows.

``nnsweep doctor doctor-as-written.toml`` checks a trainer's gradient when it defines
``initial_weights`` and ``loss_and_gradients`` (README, "Doctor"). Here they give the
question's own update directions: the output weights' "gradient" sums the errors before
multiplying (``h.T @ f'(a2)`` times ``sum(yhat - Y)``), and the hidden weights' skips the
output weights (the missing chain-rule step). Finite differences of the loss the
question plots against disagree, and doctor's first line says so.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np


def _beside(name: str):
    """The module ``name``.py next to this file (a trainer file is loaded by its path)."""
    spec = importlib.util.spec_from_file_location(
        f"seed_{name}", Path(__file__).with_name(f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_written = _beside("as_written")
METRICS, PARAMS, X, Y, _act, fit_one = (
    _written.METRICS,
    _written.PARAMS,
    _written.X,
    _written.Y,
    _written._act,
    _written.fit_one,
)

__all__ = ["METRICS", "PARAMS", "fit_one", "initial_weights", "loss_and_gradients"]


def initial_weights(params: dict, seed: int) -> list[np.ndarray]:
    """The two weight matrices ``fit_one`` starts from for ``seed``."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((2, 6)) * params["init_scale"],
            rng.standard_normal((6, 1)) * params["init_scale"]]  # fmt: skip


def loss_and_gradients(params: dict, weights: list[np.ndarray]) -> tuple[float, list]:
    """Half the mean squared error, and the directions ``fit_one`` steps against."""
    f, fprime = _act(params["activation"])
    w1, w2 = weights
    a1 = X @ w1
    h = f(a1)
    a2 = h @ w2
    yhat = f(a2)
    loss = 0.5 * float(np.mean((yhat - Y) ** 2))
    delta = yhat - Y
    err2 = np.sum((h.T @ fprime(a2)) @ delta.T, axis=1).reshape(6, 1)
    err1 = (X.T @ fprime(a1)) @ err2
    return loss, [np.broadcast_to(err1, w1.shape).copy(), err2]
