"""The arithmetic of dense layers for a population, in one logical layout, two memory orders.

Arrays are indexed population-last: activations and deltas ``(B, units, N)``, weights
``(fan_in, fan_out, N)``, biases ``(1, fan_out, N)``. The first layer's input is shared by
every member, ``(B, n_in)``, or, for mini-batches, each member's own ``(B, n_in, N)``.
A :class:`Layout`, chosen from the layer sizes and the batch size alone (never from N),
says how those arrays sit in memory:

* member-last, ``(B, units, N)`` contiguous, for networks a few units wide: each product
  is a short loop of elementwise multiply-adds over the long member axis, cheaper than N
  tiny BLAS calls;
* member-first, ``(N, B, units)`` contiguous, for wider networks: each product is a
  stacked ``matmul``, one BLAS call per member with the same shapes for every member.

Either way a member goes through the same operations in the same order whatever the size
of its population and its place in it, so its results are bit-identical to training it
alone. That rules out numpy's reductions across the batch (their summation order changes
with the shape of the whole array, e.g. when N = 1) and one GEMM across members (BLAS
picks kernels by the whole matrix's shape): batch sums are a fixed pairwise tree of
elementwise adds (member-last) or a BLAS dot per member (member-first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# Member-last wins while a member's multiply-adds per pass (batch x fan_in x fan_out, summed
# over the layers) stay below this many per layer; member-first pays a BLAS call per member,
# product and layer instead. Measured with both layouts forced, N = 1000: 2-6-1 on 4 samples
# (72) is 1.8x faster member-last, 8-3-8 on 8 samples (384) 1.2x faster member-first.
MEMBER_LAST_MACS_PER_LAYER = 160


@dataclass(frozen=True)
class Layout:
    """How logical population-last arrays are stored: member-last or member-first."""

    member_last: bool

    def empty(self, shape: tuple[int, ...], n: int) -> Array:
        """An uninitialised logical ``shape + (n,)`` array stored in this layout."""
        if self.member_last:
            return np.empty((*shape, n))
        return members_last(np.empty((n, *shape)))

    def adopt(self, a: Array) -> Array:
        """A copy of the member-first array ``a`` ``(N, ...)`` as a logical ``(..., N)`` one."""
        out = self.empty(a.shape[1:], a.shape[0])
        np.copyto(out, members_last(a))
        return out

    def view(self, a: Array) -> Array:
        """The member-first array ``a`` as a logical one: a view if its order fits, else a copy."""
        return self.adopt(a) if self.member_last else members_last(a)

    def take(self, a: Array, keep: NDArray[np.intp]) -> Array:
        """Members ``keep`` (in that order) of the logical array ``a``, in this layout."""
        return self.adopt(members_first(a)[keep])

    def __repr__(self) -> str:
        return "Layout(member_last)" if self.member_last else "Layout(member_first)"


MEMBER_FIRST = Layout(member_last=False)


class Scratch:
    """Work arrays kept from epoch to epoch, one per role and shape; dropped when N changes.

    A fresh array of a few hundred kB comes from mmap, and its page faults cost more than
    the arithmetic an epoch does on it.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout, self.n = layout, -1
        self._arrays: dict[tuple, Array] = {}

    def get(
        self, role: str, shape: tuple[int, ...], n: int, layout: Layout | None = None
    ) -> Array:
        """A logical ``shape + (n,)`` array (contents undefined), stored in ``layout``."""
        if n != self.n:
            self._arrays.clear()
            self.n = n
        layout = layout or self.layout
        key = (role, shape, layout.member_last)
        a = self._arrays.get(key)
        if a is None:
            a = self._arrays[key] = layout.empty(shape, n)
        return a


def choose_layout(
    sizes: tuple[int, ...], batch: int, fan_ins: Sequence[int] | None = None
) -> Layout:
    """The faster layout for layer ``sizes`` on batches of ``batch`` samples (never N).

    ``fan_ins`` are the layers' true input widths where they are not ``sizes[:-1]``
    (shortcut connections)."""
    fan_ins = sizes[:-1] if fan_ins is None else fan_ins
    macs = batch * sum(i * o for i, o in zip(fan_ins, sizes[1:], strict=True))
    return Layout(member_last=macs <= MEMBER_LAST_MACS_PER_LAYER * (len(sizes) - 1))


def members_first(a: Array) -> Array:
    """A view of the logical ``(..., N)`` array ``a`` as ``(N, ...)`` (the public order)."""
    return a.transpose(a.ndim - 1, *range(a.ndim - 1))  # np.moveaxis costs 10x more


def members_last(a: Array) -> Array:
    """A view of the member-first array ``a`` ``(N, ...)`` as a logical ``(..., N)`` one."""
    return a.transpose(*range(1, a.ndim), 0)


def affine(a: Array, w: Array, b: Array, out: Array, work: Scratch) -> Array:
    """``out = a @ w + b`` per member: a (B, i) or (B, i, N), w (i, o, N) -> out (B, o, N)."""
    if work.layout.member_last:
        # z[b, o, n] = sum_i a[b, i, n] w[i, o, n], accumulated in order of i.
        col = (lambda i: a[:, i, None, None]) if a.ndim == 2 else (lambda i: a[:, i, None, :])
        np.multiply(col(0), w[0], out=out)
        tmp = work.get("affine", out.shape[:-1], out.shape[-1])
        for i in range(1, w.shape[0]):
            out += np.multiply(col(i), w[i], out=tmp)
    else:
        np.matmul(_stacked(a), members_first(w), out=members_first(out))
    out += b
    return out


def weight_grad(a: Array, delta: Array, out: Array, work: Scratch) -> Array:
    """``out = aᵀ δ`` per member: a (B, i) or (B, i, N), δ (B, o, N) -> out (i, o, N)."""
    if work.layout.member_last:
        col = a[:, :, None, None] if a.ndim == 2 else a[:, :, None, :]
        prod = work.get("weight_grad", (len(a), *out.shape[:-1]), out.shape[-1])
        return batch_sum(np.multiply(col, delta[:, None, :, :], out=prod), out)
    np.matmul(np.swapaxes(_stacked(a), -1, -2), members_first(delta), out=members_first(out))
    return out


def input_grad(delta: Array, w: Array, out: Array, work: Scratch) -> Array:
    """``out = δ wᵀ`` per member: δ (B, o, N), w (i, o, N) -> out (B, i, N)."""
    if work.layout.member_last:
        # da[b, i, n] = sum_o delta[b, o, n] w[i, o, n], accumulated in order of o.
        np.multiply(delta[:, 0, None, :], w[:, 0], out=out)
        tmp = work.get("input_grad", out.shape[:-1], out.shape[-1])
        for o in range(1, w.shape[1]):
            out += np.multiply(delta[:, o, None, :], w[:, o], out=tmp)
        return out
    if w.shape[1] == 1:
        # An outer product: einsum's product loop beats N BLAS calls and a broadcast multiply
        # (whose inner loops are only fan_in long); a one-term sum is exact, N cannot matter.
        np.einsum("nbo,nio->nbi", members_first(delta), members_first(w), out=members_first(out))
    else:
        wt = np.swapaxes(members_first(w), -1, -2)
        np.matmul(members_first(delta), wt, out=members_first(out))
    return out


def bias_grad(delta: Array, out: Array, work: Scratch) -> Array:
    """``out = Σ_b δ[b]`` per member: δ (B, o, N) -> out (1, o, N); δ may be overwritten."""
    if work.layout.member_last:
        batch_sum(delta, out[0])
        return out
    ones = np.ones(len(delta))  # a BLAS dot or gemv per member, its shapes set by B and o
    np.matmul(ones, members_first(delta), out=members_first(out)[:, 0])
    return out


def batch_sum(a: Array, out: Array) -> Array:
    """Sum ``a`` over its first axis in a fixed pairwise order, overwriting ``a``.

    ``a`` is ``(B, ...)``, ``out`` is ``(...)``: row i + B//2 is added to row i, halving
    until one or two rows remain (an odd last row goes into row 0).
    """
    rows = len(a)
    while rows > 2:
        half = rows // 2
        a[:half] += a[half : 2 * half]
        if rows % 2:
            a[0] += a[rows - 1]
        rows = half
    if rows == 2:
        return np.add(a[0], a[1], out=out)
    np.copyto(out, a[0])
    return out


def _stacked(a: Array) -> Array:
    # The shared input broadcasts against every member's weights; a member's own is (N, B, i).
    return a if a.ndim == 2 else members_first(a)
