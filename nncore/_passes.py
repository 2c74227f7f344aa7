"""The forward and backward passes of a population, on the stacked arrays of ``_dense``.

Shared by the trainer and by :class:`~nncore.population.Population`'s own forward and
gradient calls, so a gradient checked there comes from the very code that trains.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from . import _dense
from .architecture import Architecture

Array = NDArray[np.float64]


def member_rng(seed: int, stream: int) -> np.random.Generator:
    """The generator of one member for one purpose (0: weights, 1: mini-batch order).

    It depends on the member's own seed only, never on its place in a population.
    """
    return np.random.default_rng([int(seed), stream])


def forward_pass(
    arch: Architecture,
    x: Array,
    ws: Sequence[Array],
    bs: Sequence[Array],
    work: _dense.Scratch,
) -> tuple[list[Array], list[Array | None]]:
    """Run the network, keeping what the backward pass needs.

    ``x`` is the shared input ``(B, n_in)`` or each member's ``(B, n_in, N)``; ``ws`` and
    ``bs`` are logical ``(i, o, N)`` and ``(1, o, N)`` arrays stored in ``work.layout``.
    Returns ``(acts, zs)``: ``acts[0]`` is ``x`` and ``acts[l+1]`` the output of layer l;
    ``zs[l]`` is layer l's pre-activation where the derivative needs it, else None.
    Hidden layers are logical ``(B, units, N)``; the output layer's ``acts[-1]`` and
    ``zs[-1]`` are member-first ``(N, B, n_out)``, the order of losses and stop criteria.
    The arrays returned belong to ``work`` and are overwritten by its next use.
    """
    if arch.shortcut:
        return _shortcut_forward(arch, x, ws, bs, work)
    hidden, last = arch.hidden_fn, arch.n_layers - 1
    batch, n = len(x), ws[0].shape[-1]
    acts: list[Array] = [x]
    zs: list[Array | None] = []
    for l, (w, b) in enumerate(zip(ws, bs, strict=True)):
        shape = (batch, w.shape[1])
        if l < last:
            z = _dense.affine(acts[-1], w, b, work.get(f"z{l}", shape, n), work)
            # In place (fewer arrays to stream through the caches) unless z is kept.
            a = hidden.forward(z, work.get(f"a{l}", shape, n) if hidden.needs_z else z)
        else:
            z, a = output_layer(arch, acts[-1], w, b, work)
        zs.append(z if l == last or hidden.needs_z else None)
        acts.append(a)
    return acts, zs


def output_layer(
    arch: Architecture, a_in: Array, w: Array, b: Array, work: _dense.Scratch
) -> tuple[Array, Array]:
    """The output layer's pre-activation and output, both member-first ``(N, B, n_out)``:
    the order the losses and stop criteria read."""
    shape, n = (len(a_in), w.shape[1]), w.shape[-1]
    z_out = work.get("z_out", shape, n, _dense.MEMBER_FIRST)
    z = work.get("z", shape, n) if work.layout.member_last else z_out
    _dense.affine(a_in, w, b, z, work)
    if z is not z_out:
        np.copyto(z_out, z)
    z = _dense.members_first(z_out)
    a_out = work.get("a_out", shape, n, _dense.MEMBER_FIRST)
    return z, arch.output_fn.forward(z, _dense.members_first(a_out))


def backward_pass(
    arch: Architecture,
    acts: Sequence[Array],
    zs: Sequence[Array | None],
    delta: Array,
    ws: Sequence[Array],
    work: _dense.Scratch,
) -> tuple[list[Array], list[Array]]:
    """Backpropagate the output delta ``dL/dz_out`` ``(N, B, n_out)`` (overwritten).

    Returns ``(dW, db)`` per layer, logical ``(i, o, N)`` and ``(1, o, N)`` arrays that
    belong to ``work``, like those of :func:`forward_pass`. ``work`` must be the scratch
    the forward pass that gave ``acts`` and ``zs`` used (with shortcut connections the
    layers' inputs are read from it).
    """
    if arch.shortcut:
        return _shortcut_backward(arch, acts, zs, delta, ws, work)
    n_layers, n = len(ws), ws[0].shape[-1]
    dws: list[Array] = [None] * n_layers  # type: ignore[list-item]
    dbs: list[Array] = [None] * n_layers  # type: ignore[list-item]
    hidden = arch.hidden_fn
    delta = _dense.members_last(delta)
    if work.layout.member_last:  # into the layout's order
        delta_out = work.get("delta_out", delta.shape[:-1], n)
        np.copyto(delta_out, delta)
        delta = delta_out
    for l in range(n_layers - 1, -1, -1):
        fan_in, fan_out = ws[l].shape[:2]
        dws[l] = _dense.weight_grad(acts[l], delta, work.get(f"dw{l}", (fan_in, fan_out), n), work)
        if l:
            da = _dense.input_grad(delta, ws[l], work.get("da", acts[l].shape[:-1], n), work)
        # The last use of this delta: bias_grad may overwrite it.
        dbs[l] = _dense.bias_grad(delta, work.get(f"db{l}", (1, fan_out), n), work)
        if l:
            delta = hidden.derivative(zs[l - 1], acts[l], work.get("delta", da.shape[:-1], n))
            delta *= da
    return dws, dbs


def _shortcut_forward(
    arch: Architecture,
    x: Array,
    ws: Sequence[Array],
    bs: Sequence[Array],
    work: _dense.Scratch,
) -> tuple[list[Array], list[Array | None]]:
    """:func:`forward_pass` with shortcut connections.

    One logical array ``(B, sizes[0] + ... + sizes[-2], N)`` holds the inputs followed by
    every hidden layer's output, each written into its own slice; layer l reads its
    leading ``fan_in`` columns, so its input is a view and nothing is concatenated.
    ``acts`` are as without shortcuts (``acts[l+1]`` is layer l's output, a view into it).
    """
    hidden, last = arch.hidden_fn, arch.n_layers - 1
    batch, n, n_in = len(x), ws[0].shape[-1], arch.sizes[0]
    feed = work.get("feed", (batch, arch.fan_ins[-1]), n)
    np.copyto(feed[:, :n_in], x if x.ndim == 3 else x[:, :, None])
    acts: list[Array] = [x]
    zs: list[Array | None] = []
    for l, (w, b) in enumerate(zip(ws, bs, strict=True)):
        fan_in, fan_out = w.shape[:2]
        a_in = x if l == 0 else feed[:, :fan_in]  # layer 0's input is x alone
        if l < last:
            z = _dense.affine(a_in, w, b, work.get(f"z{l}", (batch, fan_out), n), work)
            a = hidden.forward(z, feed[:, fan_in : fan_in + fan_out])
        else:
            z, a = output_layer(arch, a_in, w, b, work)
        zs.append(z if l == last or hidden.needs_z else None)
        acts.append(a)
    return acts, zs


def _shortcut_backward(
    arch: Architecture,
    acts: Sequence[Array],
    zs: Sequence[Array | None],
    delta: Array,
    ws: Sequence[Array],
    work: _dense.Scratch,
) -> tuple[list[Array], list[Array]]:
    """:func:`backward_pass` with shortcut connections.

    Layer l's input gradient ``δ_l W_lᵀ`` is added, slice by slice, into one array of
    gradients for the inputs and hidden outputs (layers from the last down, so each
    sum runs in a fixed order); a hidden layer's slice is complete once every layer it
    feeds is done, which is when its own delta is needed.
    """
    n_layers, n = len(ws), ws[0].shape[-1]
    dws: list[Array] = [None] * n_layers  # type: ignore[list-item]
    dbs: list[Array] = [None] * n_layers  # type: ignore[list-item]
    hidden, n_in = arch.hidden_fn, arch.sizes[0]
    delta = _dense.members_last(delta)
    if work.layout.member_last:  # into the layout's order
        delta_out = work.get("delta_out", delta.shape[:-1], n)
        np.copyto(delta_out, delta)
        delta = delta_out
    batch = len(delta)
    feed = work.get("feed", (batch, arch.fan_ins[-1]), n)  # the forward pass's inputs
    grad = work.get("dfeed", (batch, arch.fan_ins[-1]), n)  # dL/d(feed), hidden part
    for l in range(n_layers - 1, -1, -1):
        fan_in, fan_out = ws[l].shape[:2]
        a_in = acts[0] if l == 0 else feed[:, :fan_in]
        dws[l] = _dense.weight_grad(a_in, delta, work.get(f"dw{l}", (fan_in, fan_out), n), work)
        if l:
            da = _dense.input_grad(delta, ws[l], work.get("da", (batch, fan_in), n), work)
            if l == n_layers - 1:
                np.copyto(grad[:, n_in:fan_in], da[:, n_in:])
            else:
                grad[:, n_in:fan_in] += da[:, n_in:]
        dbs[l] = _dense.bias_grad(delta, work.get(f"db{l}", (1, fan_out), n), work)
        if l:
            units = arch.sizes[l]
            delta = hidden.derivative(zs[l - 1], acts[l], work.get("delta", (batch, units), n))
            delta *= grad[:, fan_in - units : fan_in]
    return dws, dbs


def logical(
    arch: Architecture, weights: Sequence[Array], biases: Sequence[Array], batch: int
) -> tuple[list[Array], list[Array], _dense.Scratch]:
    """Member-first parameters as the logical arrays the passes take, in the layout the
    trainer picks for this batch size, with the scratch space to run them."""
    layout = _dense.choose_layout(arch.sizes, batch, arch.fan_ins)
    ws = [layout.adopt(w) for w in weights]
    bs = [layout.adopt(b) for b in biases]
    return ws, bs, _dense.Scratch(layout)
