"""When a member stops: the stop criteria and the measures they judge, no I/O.

Criteria are judged on the forward pass over the whole training set that starts each
epoch. ``max_error_below`` and ``loss_below`` are strict: an output exactly ``tol`` away
from its target has not converged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import rules
from .rules import ConfigError, did_you_mean

__all__ = ["EXPLODED_LOSS", "STOP_CRITERIA", "StopCriteria", "accuracy", "max_error"]

Array = NDArray[np.float64]

STOP_CRITERIA = ("loss_below", "max_error_below", "bits_40_20_40")
# A loss this large means the outputs are ~1e5 away from {0, 1} targets: it has exploded.
EXPLODED_LOSS = 1e10


@dataclass(frozen=True)
class StopCriteria:
    """Converged when every given criterion holds on the whole training set."""

    loss_below: float | None = None
    max_error_below: float | None = None
    bits_40_20_40: bool = False

    @classmethod
    def from_mapping(cls, stop: Mapping[str, float | bool] | None) -> StopCriteria:
        """Build from ``{"max_error_below": 0.1, ...}``; unknown keys raise ConfigError."""
        stop = dict(stop or {})
        for k in stop:
            if k not in STOP_CRITERIA:
                raise ConfigError(
                    f"stop.{k} is not a stop criterion; allowed: {list(STOP_CRITERIA)}"
                    + did_you_mean(k, STOP_CRITERIA)
                )
        for k in ("loss_below", "max_error_below"):
            if k in stop:
                rules.check(k, stop[k], f"stop.{k}")
        bits = stop.get("bits_40_20_40", False)
        if not isinstance(bits, bool):
            raise ConfigError(f"stop.bits_40_20_40={bits!r} must be true or false")
        return cls(stop.get("loss_below"), stop.get("max_error_below"), bits)

    def met(self, out: Array, y: Array, loss: Array) -> NDArray[np.bool_]:
        """Which members meet every criterion: ``out`` (N, B, o), ``loss`` (N,)."""
        ok = np.ones(loss.shape, dtype=bool)
        if self.loss_below is not None:
            ok &= loss < self.loss_below
        if self.max_error_below is not None:
            ok &= max_error(out, y) < self.max_error_below
        if self.bits_40_20_40:
            # Targets are 0/1: an output counts when it lies in the outer 40% on its side.
            margin = (out - 0.5) * (2.0 * y - 1.0)
            ok &= margin.reshape(len(margin), -1).min(axis=1) >= 0.1
        return ok

    @property
    def empty(self) -> bool:
        return self.loss_below is None and self.max_error_below is None and not self.bits_40_20_40


def max_error(out: Array, y: Array) -> Array:
    """max |ŷ - y| per member over samples and outputs: (N, B, o) -> (N,)."""
    return np.abs(out - y).reshape(len(out), -1).max(axis=1)


def accuracy(out: Array, y: Array) -> Array:
    """Share of samples classified right per member (threshold 0.5, or argmax)."""
    if out.shape[-1] == 1:
        return ((out[..., 0] > 0.5) == (y[..., 0] > 0.5)).mean(axis=-1)
    return (out.argmax(axis=-1) == y.argmax(axis=-1)).mean(axis=-1)
