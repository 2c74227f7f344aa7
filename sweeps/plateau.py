"""Plateaus: the longest stretch where the loss hardly falls, read off a loss curve.

The curve is sampled at log-spaced epochs, so the fall is measured per decade of
epochs: between epochs e1 < e2 the loss falls by ``1 - (L2/L1)^(1/log10(e2/e1))`` per
decade. A plateau is a maximal run of consecutive intervals where that fall is
below ``PLATEAU_FALL`` (1%). Its length is counted in epochs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

PLATEAU_FALL = 0.01


def plateau(epochs: NDArray[np.int64], loss: NDArray[np.float64]) -> tuple[int, int | None]:
    """``(length, end)`` of the longest plateau of one curve; ``(0, None)`` if none.

    ``epochs`` must be increasing; epoch 0 is skipped (a decade needs e1 > 0).
    """
    keep = (epochs > 0) & np.isfinite(loss) & (loss > 0)
    e, l = epochs[keep].astype(float), loss[keep]
    if len(e) < 2:
        return 0, None
    with np.errstate(all="ignore"):
        decades = np.log10(e[1:] / e[:-1])
        fall = 1.0 - (l[1:] / l[:-1]) ** (1.0 / decades)
    flat = fall < PLATEAU_FALL
    best, best_end, start = 0, None, None
    for i, f in enumerate(flat):
        if f and start is None:
            start = i
        if start is not None and (not f or i == len(flat) - 1):
            stop = i + 1 if f else i  # interval i spans e[i] .. e[i+1]
            length = int(e[stop] - e[start])
            if length > best:
                best, best_end = length, int(e[stop])
            start = None
    return best, best_end
