"""The three products of a dense layer, for a population laid out ``(N, batch, units)``.

Weights are ``(N, fan_in, fan_out)``. The input of the first layer is shared by
every member, ``(B, fan_in)``; deeper inputs are ``(N, B, fan_in)``. Each
function picks its method from the shapes alone, never from N, so a member's
arithmetic is the same in a population of any size (results are bit-identical
to training it alone). For layers a few units wide, broadcast products over the
population beat N tiny BLAS calls; wider layers go to stacked ``matmul``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# Below this many input units a loop of broadcast multiply-adds is cheaper than matmul.
SMALL_FAN_IN = 8


def affine(a: Array, w: Array, b: Array) -> Array:
    """``z = a @ w + b`` per member: ``a`` (B, i) or (N, B, i), ``w`` (N, i, o) -> (N, B, o)."""
    fan_in, fan_out = w.shape[1], w.shape[2]
    if a.ndim == 3 and fan_out == 1:
        z = np.einsum("nbi,ni->nb", a, w[:, :, 0])[:, :, None]
    elif fan_in <= SMALL_FAN_IN:
        col = (lambda i: a[None, :, i, None]) if a.ndim == 2 else (lambda i: a[:, :, i, None])
        z = col(0) * w[:, None, 0, :]
        for i in range(1, fan_in):
            z += col(i) * w[:, None, i, :]
    else:
        z = np.matmul(a, w)
    z += b
    return z


def weight_grad(a: Array, delta: Array) -> Array:
    """``dW = aᵀ δ`` per member: ``a`` (B, i) or (N, B, i), ``δ`` (N, B, o) -> (N, i, o)."""
    if a.ndim == 2:
        return np.matmul(a.T, delta)
    if delta.shape[2] == 1:
        return np.einsum("nbi,nb->ni", a, delta[:, :, 0])[:, :, None]
    return np.matmul(a.transpose(0, 2, 1), delta)


def input_grad(delta: Array, w: Array) -> Array:
    """``dA = δ wᵀ`` per member: ``δ`` (N, B, o), ``w`` (N, i, o) -> (N, B, i)."""
    fan_out = w.shape[2]
    if fan_out == 1:
        return delta * w[:, None, :, 0]
    if fan_out <= SMALL_FAN_IN:
        da = delta[:, :, 0, None] * w[:, None, :, 0]
        for o in range(1, fan_out):
            da += delta[:, :, o, None] * w[:, None, :, o]
        return da
    return np.matmul(delta, w.transpose(0, 2, 1))
