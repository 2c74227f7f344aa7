"""A population of N networks with one architecture, stacked and computed together.

Public layout: ``weights[l]`` is ``(N, fan_in, fan_out)`` and ``biases[l]`` is
``(N, 1, fan_out)``; outputs are ``(N, batch, n_out)``. Inputs ``X`` are ``(B, n_in)``,
shared by every member. The forward and backward passes work on population-last copies
stored in the memory order that suits the layer sizes (see ``_dense``). A single network
is a population of size 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _dense
from .activations import Activation, get_activation
from .initializers import get_initializer
from .losses import OUTPUT_ACTIVATIONS, Loss, get_loss
from .rules import ConfigError, check_number, lookup

if TYPE_CHECKING:
    from .network import Network
    from .train import RunRecord

Array = NDArray[np.float64]


def member_rng(seed: int, stream: int) -> np.random.Generator:
    """The generator of one member for one purpose (0: weights, 1: mini-batch order).

    It depends on the member's own seed only, never on its place in a population.
    """
    return np.random.default_rng([int(seed), stream])


@dataclass(frozen=True)
class Architecture:
    """What every member of a population shares: layer sizes, activations and loss."""

    sizes: tuple[int, ...]
    activation: str = "tanh"
    output_activation: str = "sigmoid"
    loss: str = "mse"

    def __post_init__(self) -> None:
        sizes = tuple(self.sizes)
        if len(sizes) < 2:
            raise ConfigError(f"sizes={list(sizes)} needs at least an input and an output size")
        for s in sizes:
            check_number("sizes", s, low=1, integer=True)
        object.__setattr__(self, "sizes", sizes)
        get_activation(self.activation)
        lookup(OUTPUT_ACTIVATIONS, "output_activation", self.output_activation)
        get_loss(self.loss).check_output(self.output_activation)

    @property
    def hidden_fn(self) -> Activation:
        return get_activation(self.activation)

    @property
    def output_fn(self) -> Activation:
        return OUTPUT_ACTIVATIONS[self.output_activation]

    @property
    def loss_fn(self) -> Loss:
        return get_loss(self.loss)

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1


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


def _per_member(name: str, value: Any, n: int) -> list[Any]:
    if isinstance(value, (str, int, float)):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ConfigError(f"{name} has {len(values)} values for a population of {n}")
    return values


class Population:
    """N networks of one architecture, each with its own seed and initial scale.

    Parameters
    ----------
    sizes : layer widths, e.g. ``[2, 6, 1]``.
    activation, output_activation, loss : registry names, shared by all members.
    init, init_scale : initialiser name and scale, one value or one per member.
    seeds : one seed per member; it alone decides the member's initial weights.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        activation: str = "tanh",
        output_activation: str = "sigmoid",
        loss: str = "mse",
        init: str | Sequence[str] = "normal",
        init_scale: float | Sequence[float] = 1.0,
        seeds: Sequence[int] = (0,),
    ) -> None:
        self.arch = Architecture(tuple(sizes), activation, output_activation, loss)
        self.seeds = [int(check_number("seed", s, low=0, integer=True)) for s in seeds]
        n = len(self.seeds)
        if n == 0:
            raise ConfigError("seeds=[] must name at least one seed")
        inits = [get_initializer(i) for i in _per_member("init", init, n)]
        scales = [
            check_number("init_scale", s, low=0) for s in _per_member("init_scale", init_scale, n)
        ]
        pairs = list(zip(self.arch.sizes[:-1], self.arch.sizes[1:], strict=True))
        self.weights = [np.empty((n, i, o)) for i, o in pairs]
        self.biases = [np.zeros((n, 1, o)) for _, o in pairs]
        for k, (seed, fn, scale) in enumerate(zip(self.seeds, inits, scales, strict=True)):
            rng = member_rng(seed, 0)
            for w, (i, o) in zip(self.weights, pairs, strict=True):
                w[k] = fn(rng, i, o, scale)

    def __len__(self) -> int:
        return len(self.seeds)

    def __repr__(self) -> str:
        a = self.arch
        return (
            f"Population(N={len(self)}, sizes={list(a.sizes)}, activation={a.activation!r}, "
            f"output_activation={a.output_activation!r}, loss={a.loss!r})"
        )

    def forward(self, X: ArrayLike) -> Array:
        """Outputs of every member: ``X`` (B, n_in) -> (N, B, n_out)."""
        x = _as_input(X)
        ws, bs, work = self._logical(len(x))
        with np.errstate(all="ignore"):
            acts, _ = forward_pass(self.arch, x, ws, bs, work)
        return acts[-1]

    def loss_and_gradients(
        self, X: ArrayLike, Y: ArrayLike
    ) -> tuple[Array, list[Array], list[Array]]:
        """Loss per member ``(N,)`` and its exact gradients, shaped like the parameters."""
        x, y = _as_input(X), np.asarray(Y, dtype=np.float64)
        ws, bs, work = self._logical(len(x))
        with np.errstate(all="ignore"):
            acts, zs = forward_pass(self.arch, x, ws, bs, work)
            loss, delta = self.arch.loss_fn.value_and_delta(
                zs[-1], acts[-1], y, self.arch.output_fn
            )
            dws, dbs = backward_pass(self.arch, acts, zs, delta, ws, work)
        grads = [np.ascontiguousarray(_dense.members_first(g)) for g in dws + dbs]
        return loss, grads[: len(dws)], grads[len(dws) :]

    def _logical(self, batch: int) -> tuple[list[Array], list[Array], _dense.Scratch]:
        # The layout the trainer picks for this batch size: the gradients checked here
        # come from the very code that trains.
        layout = _dense.choose_layout(self.arch.sizes, batch)
        ws = [layout.adopt(w) for w in self.weights]
        bs = [layout.adopt(b) for b in self.biases]
        return ws, bs, _dense.Scratch(layout)

    def member(self, k: int) -> Network:
        """A copy of member ``k`` as a standalone Network."""
        from .network import Network

        a = self.arch
        net = Network(list(a.sizes), a.activation, a.output_activation, a.loss, seed=self.seeds[k])
        net.weights = [w[k] for w in self.weights]
        net.biases = [b[k, 0] for b in self.biases]
        return net

    def fit(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        *,
        optimizer: str = "gd",
        max_epochs: int = 1000,
        stop: Mapping[str, float | bool] | None = None,
        batch_size: int | None = None,
        diagnostics: bool = False,
        **hyper: float | Sequence[float],
    ) -> list[RunRecord]:
        """Train every member in place; return one RunRecord per member.

        ``hyper`` holds the optimiser's hyper-parameters (``lr``, ``momentum`` ...), each
        one value or one per member. Each member stops when it meets every ``stop``
        criterion, diverges, or reaches ``max_epochs``; its weights are left as they
        were at that moment. With ``diagnostics=True`` each record's ``diagnostics``
        holds its per-layer metrics (see :mod:`nncore.diagnostics`) at the loss curve's
        epochs while it trained; training itself is unchanged.
        """
        from .diagnostics import Recorder
        from .train import train

        recorder = Recorder(self.arch) if diagnostics else None
        records = train(
            self,
            X,
            Y,
            optimizer=optimizer,
            max_epochs=max_epochs,
            stop=stop,
            batch_size=batch_size,
            hyper=hyper,
            observer=recorder,
        )
        if recorder is not None:
            for rec, diag in zip(records, recorder.members(len(records)), strict=True):
                rec.diagnostics = diag
        return records


def _as_input(X: ArrayLike) -> Array:
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 2:
        raise ConfigError(f"X has shape {x.shape}; expected (n_samples, n_features)")
    return x
