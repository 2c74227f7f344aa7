"""Why a network learns slowly: per-layer measurements of the signal that passes through it.

Each metric is a pure function of one layer's arrays, member-first: outputs ``a`` and
derivatives ``f'(z)`` ``(n, B, units)`` on the whole training set, the weight gradient
``dW`` ``(n, fan_in, fan_out)``; each returns one value per member ``(n,)``.

* ``grad_norm``: the Frobenius norm of the layer's weight gradient (full training set).
* ``mean_abs_deriv``: mean of ``|f'(z)|`` over samples and units: how much of the backward
  signal the layer lets through (at most the activation's ``max_derivative``).
* ``saturated``: the share of units whose mean ``|f'(z)|`` over the samples is below
  ``SATURATION`` (5%) of the activation's ``max_derivative``: units that barely learn.
* ``dead``: the share of units whose output is exactly 0 on every sample.
* ``spread``: how unlike the layer's units are: the mean over samples of the (population)
  standard deviation of the units' outputs across the layer, in the activation's own units.
  It is 0 when every unit computes the same function on the training set (a symmetric
  start) and small when all of them sit at one point (a tiny initialisation). Layers of a
  single unit have no spread.

A softmax output has no elementwise derivative: its layer has no ``mean_abs_deriv`` or
``saturated``. With ``bce`` or ``ce`` the output derivative cancels in the loss gradient,
so an output layer's saturation then says nothing about its learning.

Every sum runs in an order fixed by the layer's shape alone (never by n), so a member's
values are the same bit for bit whatever population it trains in. :class:`Recorder` is
the trainer's observer that collects them at the loss curve's epochs
(``Population.fit(..., diagnostics=True)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .activations import Activation

if TYPE_CHECKING:
    from .architecture import Architecture

__all__ = [
    "METRICS",
    "SATURATION",
    "Diagnostics",
    "Recorder",
    "dead",
    "grad_norm",
    "has_derivative",
    "layer_metric_names",
    "layer_metrics",
    "mean_abs_deriv",
    "saturated",
    "spread",
]

Array = NDArray[np.float64]

METRICS = ("grad_norm", "mean_abs_deriv", "saturated", "dead", "spread")
SATURATION = 0.05  # a unit is saturated below this share of the largest derivative


def _row_sum(x: Array) -> Array:
    """Sum over the last axis in an order that depends on that axis alone (never on n)."""
    return np.ascontiguousarray(x).sum(axis=-1)


def _first_sum(x: Array) -> Array:
    """Sum over the first (short) axis in order: one whole-array add per row, faster than
    a reduction over a short strided axis, and as independent of n."""
    out = x[0].copy()
    for row in x[1:]:
        out += row
    return out


def grad_norm(dw: Array) -> Array:
    """Frobenius norm of each member's weight gradient: ``(n, fan_in, fan_out) -> (n,)``."""
    flat = dw.reshape(len(dw), -1)
    return np.sqrt(_row_sum(flat * flat))


def mean_abs_deriv(deriv: Array) -> Array:
    """Mean ``|f'(z)|`` over samples and units: ``(n, B, units) -> (n,)``."""
    n, batch, units = deriv.shape
    return _row_sum(np.abs(deriv).reshape(n, -1)) / (batch * units)


def saturated(deriv: Array, max_derivative: float) -> Array:
    """Share of units whose mean ``|f'(z)|`` over samples is below 5% of ``max_derivative``.

    ``deriv`` is ``(n, B, units)``; returns ``(n,)``.
    """
    per_unit = _first_sum(np.abs(deriv).transpose(1, 0, 2)) / deriv.shape[1]  # (n, units)
    return (per_unit < SATURATION * max_derivative).sum(axis=-1) / deriv.shape[2]


def dead(a: Array) -> Array:
    """Share of units whose output is exactly 0 on every sample: ``(n, B, units) -> (n,)``."""
    return (a == 0.0).all(axis=1).sum(axis=-1) / a.shape[2]


def spread(a: Array) -> Array:
    """Mean over samples of the standard deviation of the outputs across units.

    ``a`` is ``(n, B, units)``; returns ``(n,)``: 0 when every unit computes the same
    function on these samples.
    """
    units, batch = a.shape[2], a.shape[1]
    by_unit = a.transpose(2, 0, 1)  # (units, n, B): whole-array operations per unit
    # Shifted by the first unit first, so that identical units give exactly 0.
    centred = by_unit - by_unit[0]
    centred -= _first_sum(centred) / units
    centred *= centred
    std = np.sqrt(_first_sum(centred) / units)  # (n, B)
    return _row_sum(std) / batch


def has_derivative(act: Activation) -> bool:
    """Whether ``act`` has an elementwise derivative (every activation but softmax)."""
    return act.name != "softmax"


def layer_metric_names(act: Activation, units: int) -> tuple[str, ...]:
    """The metrics a layer of ``units`` units with activation ``act`` has, in METRICS order."""
    skip = set() if has_derivative(act) else {"mean_abs_deriv", "saturated"}
    if units < 2:
        skip.add("spread")
    return tuple(m for m in METRICS if m not in skip)


def layer_metrics(act: Activation, z: Array | None, a: Array, dw: Array) -> dict[str, Array]:
    """Every metric of one layer: pre-activation ``z`` (None where ``act`` can do without
    it) and output ``a`` ``(n, B, units)``, weight gradient ``dw`` ``(n, i, o)``.

    Returns ``{metric: (n,) values}`` for :func:`layer_metric_names`.
    """
    names = layer_metric_names(act, a.shape[-1])
    out = {"grad_norm": grad_norm(dw), "dead": dead(a)}
    if "saturated" in names:
        deriv = act.derivative(z, a, np.empty_like(a))
        out["mean_abs_deriv"] = mean_abs_deriv(deriv)
        out["saturated"] = saturated(deriv, act.max_derivative)
    if "spread" in names:
        out["spread"] = spread(a)
    return {m: out[m] for m in names}


@dataclass(frozen=True)
class Diagnostics:
    """One run's metrics: ``values[e, c]`` is metric ``columns[c]`` at ``epochs[e]``.

    ``columns`` are ``(layer, metric)`` pairs; layer 1 is the first hidden layer and
    the last one the output layer.
    """

    epochs: NDArray[np.int64]
    columns: tuple[tuple[int, str], ...]
    values: Array

    def get(self, metric: str, layer: int) -> Array:
        """The values of ``metric`` of ``layer`` at :attr:`epochs` (KeyError if it has none)."""
        try:
            c = self.columns.index((layer, metric))
        except ValueError:
            raise KeyError(f"no {metric!r} for layer {layer}; columns: {self.columns}") from None
        return self.values[:, c]

    def long(self) -> dict[str, NDArray]:
        """Long form, one row per epoch, layer and metric: ``epoch, layer, metric, value``."""
        n_cols = len(self.columns)
        return {
            "epoch": np.repeat(self.epochs, n_cols),
            "layer": np.tile(np.array([c[0] for c in self.columns], dtype=np.int64), len(self)),
            "metric": np.tile(np.array([c[1] for c in self.columns], dtype=object), len(self)),
            "value": self.values.reshape(-1),
        }

    def __len__(self) -> int:
        return len(self.epochs)


class Recorder:
    """The trainer's observer: every layer's metrics for the members it is shown.

    Called as ``recorder(epoch, ids, outputs, pre_activations, weight_grads)`` with
    member-first arrays for the members ``ids`` (population indices); see
    :func:`nncore.train.train`.
    """

    def __init__(self, arch: Architecture) -> None:
        last = arch.n_layers - 1
        self.acts = [arch.output_fn if l == last else arch.hidden_fn for l in range(last + 1)]
        self.columns = tuple(
            (l + 1, m)
            for l, act in enumerate(self.acts)
            for m in layer_metric_names(act, arch.sizes[l + 1])
        )
        self._epochs: list[NDArray[np.int64]] = []
        self._ids: list[NDArray[np.intp]] = []
        self._values: list[Array] = []

    def __call__(
        self,
        epoch: int,
        ids: NDArray[np.intp],
        outputs: Sequence[Array],
        pre: Sequence[Array | None],
        grads: Sequence[Array],
    ) -> None:
        cols = []
        for act, z, a, dw in zip(self.acts, pre, outputs, grads, strict=True):
            cols += layer_metrics(act, z, a, dw).values()
        self._epochs.append(np.full(len(ids), epoch, dtype=np.int64))
        self._ids.append(np.asarray(ids))
        self._values.append(np.stack(cols, axis=1))

    def members(self, n: int) -> list[Diagnostics]:
        """One :class:`Diagnostics` per population member ``0 .. n-1``, epochs ascending."""
        if not self._ids:
            empty = np.empty((0, len(self.columns)))
            return [Diagnostics(np.empty(0, np.int64), self.columns, empty) for _ in range(n)]
        ids = np.concatenate(self._ids)
        order = np.argsort(ids, kind="stable")  # calls come in epoch order: stable keeps it
        cuts = np.searchsorted(ids[order], np.arange(1, n))
        epochs, values = np.concatenate(self._epochs)[order], np.concatenate(self._values)[order]
        return [
            Diagnostics(e, self.columns, v)
            for e, v in zip(np.split(epochs, cuts), np.split(values, cuts), strict=True)
        ]
