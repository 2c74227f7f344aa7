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
            # The losses and stop criteria read the output member-first.
            z_out = work.get("z_out", shape, n, _dense.MEMBER_FIRST)
            z = work.get("z", shape, n) if work.layout.member_last else z_out
            _dense.affine(acts[-1], w, b, z, work)
            if z is not z_out:
                np.copyto(z_out, z)
            z = _dense.members_first(z_out)
            a_out = work.get("a_out", shape, n, _dense.MEMBER_FIRST)
            a = arch.output_fn.forward(z, _dense.members_first(a_out))
        zs.append(z if l == last or hidden.needs_z else None)
        acts.append(a)
    return acts, zs


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
    belong to ``work``, like those of :func:`forward_pass`.
    """
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


def logical(
    arch: Architecture, weights: Sequence[Array], biases: Sequence[Array], batch: int
) -> tuple[list[Array], list[Array], _dense.Scratch]:
    """Member-first parameters as the logical arrays the passes take, in the layout the
    trainer picks for this batch size, with the scratch space to run them."""
    layout = _dense.choose_layout(arch.sizes, batch)
    ws = [layout.adopt(w) for w in weights]
    bs = [layout.adopt(b) for b in biases]
    return ws, bs, _dense.Scratch(layout)
