"""A plain training loop for one network: the yardstick the population trainer is timed against.

This is what a careful person writes for a single network in NumPy: ``X @ W + b``,
``np.tanh`` hidden units, a sigmoid output, the mean squared error (½·mean, as in
``nncore.losses``), backpropagation and ``W -= lr * dW``, full batch. It follows nncore's
conventions, so the two can be compared run for run: epoch t means "after t updates", and
the stop rule is judged on the forward pass that starts each epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .stop import EXPLODED_LOSS

__all__ = ["ReferenceRun", "train_reference"]

Array = NDArray[np.float64]


@dataclass
class ReferenceRun:
    """How the run went, with the same meanings as the fields of ``nncore.RunRecord``."""

    status: str  # "converged" | "censored" | "diverged"
    epochs_to_threshold: int | None
    epochs_run: int
    final_loss: float
    max_error: float
    weights: list[Array]
    biases: list[Array]


def train_reference(
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike],
    X: ArrayLike,
    Y: ArrayLike,
    lr: float,
    max_epochs: int,
    max_error_below: float | None = None,
) -> ReferenceRun:
    """Train one tanh-hidden, sigmoid-output MSE network by full-batch gradient descent.

    ``weights[l]`` is ``(fan_in, fan_out)`` and ``biases[l]`` is ``(fan_out,)``; they are
    copied, not changed. Stops when every output is within ``max_error_below`` of its
    target (if given), when the loss is non-finite or exploded, or after ``max_epochs``.
    """
    ws = [np.array(w, dtype=np.float64) for w in weights]
    bs = [np.array(b, dtype=np.float64) for b in biases]
    x, y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    n = y.size
    t = 0
    with np.errstate(all="ignore"):  # a diverging run shows in its loss
        while True:
            acts = [x]
            for w, b in zip(ws[:-1], bs[:-1], strict=True):
                acts.append(np.tanh(acts[-1] @ w + b))
            out = 1.0 / (1.0 + np.exp(-(acts[-1] @ ws[-1] + bs[-1])))
            err = out - y
            loss = 0.5 * (err * err).sum() / n
            status = _status(loss, err, max_error_below, t == max_epochs)
            if status:
                max_error = float(np.abs(err).max())
                reached = t if status == "converged" else None
                return ReferenceRun(status, reached, t, float(loss), max_error, ws, bs)
            delta = err * out * (1.0 - out) / n
            for l in range(len(ws) - 1, -1, -1):
                dw, db = acts[l].T @ delta, delta.sum(axis=0)
                if l:
                    delta = (delta @ ws[l].T) * (1.0 - acts[l] * acts[l])
                ws[l] -= lr * dw
                bs[l] -= lr * db
            t += 1


def _status(loss: float, err: Array, tol: float | None, last: bool) -> str:
    if not np.isfinite(loss) or loss > EXPLODED_LOSS:
        return "diverged"
    if tol is not None and np.abs(err).max() < tol:
        return "converged"
    return "censored" if last else ""
