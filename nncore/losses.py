"""Losses, keyed by name: a per-network value and the output-layer delta.

Arrays follow the population layout ``(N, batch, outputs)``. Each loss returns
``(loss, delta)``: ``loss`` has shape ``(N,)`` and ``delta = dL/dz`` is the
gradient with respect to the output layer's pre-activation, so the backward pass
does not care which output activation produced it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .activations import ACTIVATIONS, Activation
from .rules import ConfigError, lookup

__all__ = ["LOSSES", "OUTPUT_ACTIVATIONS", "SOFTMAX", "Loss", "get_loss"]

Array = NDArray[np.float64]


def _softmax(z: Array, out: Array) -> Array:
    # Subtracting the row max keeps exp finite; the result is unchanged.
    np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _no_derivative(z: Array, a: Array, out: Array) -> Array:
    raise ConfigError("output_activation='softmax' is only differentiable through loss='ce'")


SOFTMAX = Activation("softmax", _softmax, _no_derivative, low=0.0, high=1.0)
OUTPUT_ACTIVATIONS: dict[str, Activation] = {**ACTIVATIONS, "softmax": SOFTMAX}


@dataclass(frozen=True)
class Loss:
    """``value_and_delta(z, a, y, act) -> (loss (N,), delta (N, B, out))``."""

    name: str
    value_and_delta: Callable[[Array, Array, Array, Activation], tuple[Array, Array]]
    outputs: tuple[str, ...] | None  # allowed output activations; None = any but softmax

    def check_output(self, output_activation: str) -> None:
        """Raise a one-line ConfigError if this loss cannot follow ``output_activation``."""
        allowed = self.outputs or tuple(a for a in ACTIVATIONS)
        if output_activation not in allowed:
            raise ConfigError(
                f"output_activation={output_activation!r} cannot be used with "
                f"loss={self.name!r}; allowed: {sorted(allowed)}"
            )

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


def _mse(z: Array, a: Array, y: Array, act: Activation) -> tuple[Array, Array]:
    """½ · mean over batch and outputs of (a - y)² (scikit-learn's convention)."""
    n = a.shape[-2] * a.shape[-1]
    diff = a - y
    loss = np.einsum("nbo,nbo->n", diff, diff) * (0.5 / n)
    delta = act.derivative(z, a, np.empty_like(a))
    delta *= diff
    delta *= 1.0 / n
    return loss, delta


def _bce(z: Array, a: Array, y: Array, act: Activation) -> tuple[Array, Array]:
    """Mean binary cross-entropy, from the logits: log(1 + e^z) - y z never takes log 0."""
    n = a.shape[-2] * a.shape[-1]
    per = np.logaddexp(0.0, z)
    per -= y * z
    loss = per.reshape(per.shape[0], -1).sum(axis=1) / n
    delta = a - y
    delta *= 1.0 / n
    return loss, delta


def _ce(z: Array, a: Array, y: Array, act: Activation) -> tuple[Array, Array]:
    """Softmax cross-entropy for one-hot targets, mean over the batch, from the logits."""
    batch = a.shape[-2]
    m = z.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(z - m).sum(axis=-1)) + m[..., 0]
    per = lse - (y * z).sum(axis=-1)
    loss = per.sum(axis=1) / batch
    delta = a - y
    delta *= 1.0 / batch
    return loss, delta


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss("mse", _mse, None),
        Loss("bce", _bce, ("sigmoid",)),
        Loss("ce", _ce, ("softmax",)),
    ]
}


def get_loss(name: str) -> Loss:
    """Return the registered loss ``name`` (one-line error when unknown)."""
    return lookup(LOSSES, "loss", name)
