"""A held-out set: checked against the architecture, measured at each member's end.

Shared by the engines: whichever trains a population, its validation measures come from
here, with the population's final parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._passes import forward_pass, logical
from .architecture import Architecture
from .rules import ConfigError
from .stop import accuracy, max_error

__all__ = ["measure_validation", "validation_set"]

Array = NDArray[np.float64]


def validation_set(
    validation: tuple[ArrayLike, ArrayLike], arch: Architecture
) -> tuple[Array, Array]:
    """``(X_val, Y_val)`` as float64 arrays, checked against the architecture."""
    xv = np.require(validation[0], np.float64, ("C", "A"))  # as the training set (train.py)
    yv = np.require(validation[1], np.float64, ("C", "A"))
    fits = xv.ndim == yv.ndim == 2 and len(xv) == len(yv) > 0
    if not fits or xv.shape[1] != arch.sizes[0] or yv.shape[1] != arch.sizes[-1]:
        raise ConfigError(
            f"validation X {xv.shape} and Y {yv.shape} do not fit sizes={list(arch.sizes)}"
        )
    return xv, yv


def measure_validation(pop: Any, records: Sequence[Any], xv: Array, yv: Array) -> None:
    """Each member's validation loss, max error and accuracy with its final parameters
    (also the last point of its validation curve)."""
    arch = pop.arch
    ws, bs, work = logical(arch, pop.weights, pop.biases, len(xv))
    acts, zs = forward_pass(arch, xv, ws, bs, work)
    loss, _ = arch.loss_fn.value_and_delta(zs[-1], acts[-1], yv, arch.output_fn)
    err, acc = max_error(acts[-1], yv), accuracy(acts[-1], yv)
    for k, rec in enumerate(records):
        rec.val_loss, rec.val_max_error, rec.val_accuracy = (
            float(loss[k]),
            float(err[k]),
            float(acc[k]),
        )
        if rec.curve_val_loss is not None:
            rec.curve_val_loss[-1] = loss[k]
