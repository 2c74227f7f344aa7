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

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["PLATEAU_FALL", "plateau", "plateaus"]

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


def plateaus(
    epochs: Sequence[NDArray[np.int64]], losses: Sequence[NDArray[np.float64]]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``plateau`` of many curves at once: ``(lengths, ends)``, ``end = -1`` for none.

    The same answers as calling ``plateau`` on each curve (ties go to the earliest
    plateau), in a few array operations over all curves: a chunk holds hundreds.
    """
    n = len(epochs)
    curve = np.repeat(np.arange(n), [len(e) for e in epochs])
    e = np.concatenate(epochs).astype(float) if n else np.zeros(0)
    loss = np.concatenate(losses) if n else np.zeros(0)
    keep = (e > 0) & np.isfinite(loss) & (loss > 0)
    curve, e, loss = curve[keep], e[keep], loss[keep]
    with np.errstate(all="ignore"):
        fall = 1.0 - (loss[1:] / loss[:-1]) ** (1.0 / np.log10(e[1:] / e[:-1]))
    # Interval k spans points k, k+1; it is flat only inside one curve.
    flat = (np.abs(fall) < PLATEAU_FALL) & (curve[1:] == curve[:-1])
    edges = np.diff(np.concatenate([[False], flat, [False]]).astype(np.int8))
    first, stop = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # stop: past last
    length = (e[stop] - e[first]).astype(np.int64)
    owner = curve[first]
    lengths, ends = np.zeros(n, np.int64), np.full(n, -1, np.int64)
    # Longest per curve, earliest among equals: sort by (curve, -length, start).
    best = np.lexsort((first, -length, owner))
    head = best[np.r_[True, owner[best][1:] != owner[best][:-1]]] if len(best) else best
    lengths[owner[head]] = length[head]
    ends[owner[head]] = e[stop[head]].astype(np.int64)
    return lengths, ends
