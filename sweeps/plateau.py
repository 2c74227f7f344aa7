"""Plateaus: the longest stretch where the loss hardly falls, read off a loss curve.

The curve is sampled at log-spaced epochs, so the fall is measured per decade of
epochs: between epochs e1 < e2 the loss falls by ``1 - (L2/L1)^(1/log10(e2/e1))`` per
decade. A plateau is a maximal run of consecutive intervals where the loss neither
falls nor rises by ``PLATEAU_FALL`` (10%) per decade or more: a loss on its way up (a
run diverging) is not on a plateau. Its length is counted in epochs.

Why 10%: at that pace the loss would take 6.6 decades of epochs to halve, longer than
any budget, so the curve is flat on a log-log plot. Gradient descent with a non-zero
gradient rarely falls as slowly as 1% per decade: in the bundled or-sigmoid-vs-tanh
sweep, sigmoid runs from a small init sit near the loss of always answering the mean
target (0.094) from about epoch 20 to 300 at lr 0.5, falling 2-9% per decade, a plateau
plain to see on the loss curves that a 1% threshold finds in only 7% of sigmoid runs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

PLATEAU_FALL = 0.1


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
    flat = np.abs(fall) < PLATEAU_FALL
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
