"""A population of N networks with one architecture, stacked and computed together.

Public layout: ``weights[l]`` is ``(N, fan_in, fan_out)`` and ``biases[l]`` is
``(N, 1, fan_out)``; outputs are ``(N, batch, n_out)``. Inputs ``X`` are ``(B, n_in)``,
shared by every member. The forward and backward passes work on population-last copies
stored in the memory order that suits the layer sizes (see ``_dense``). A single network
is a population of size 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _dense, engines, rules
from ._passes import backward_pass, forward_pass, logical, member_rng
from .architecture import Architecture
from .diagnostics import Recorder
from .engines import Progress
from .initializers import get_initializer
from .rules import ConfigError
from .train import RunRecord, train

__all__ = ["Architecture", "Population"]

Array = NDArray[np.float64]


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
    shortcut : also feed every layer the inputs and all earlier layers' outputs; layer l's
        weights are then ``(N, sizes[0] + ... + sizes[l], sizes[l+1])``, their rows in the
        order inputs, layer 0's output, layer 1's ... (see :mod:`nncore.architecture`).
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
        shortcut: bool = False,
    ) -> None:
        self.arch = Architecture(tuple(sizes), activation, output_activation, loss, shortcut)
        self.seeds = [int(rules.check("seed", s)) for s in seeds]
        n = len(self.seeds)
        if n == 0:
            raise ConfigError("seeds=[] must name at least one seed")
        inits = [get_initializer(i) for i in _per_member("init", init, n)]
        scales = [rules.check("init_scale", s) for s in _per_member("init_scale", init_scale, n)]
        pairs = self.arch.weight_shapes  # initialisers get the true fan_in
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
        wiring = ", shortcut=True" if a.shortcut else ""
        return (
            f"Population(N={len(self)}, sizes={list(a.sizes)}, activation={a.activation!r}, "
            f"output_activation={a.output_activation!r}, loss={a.loss!r}{wiring})"
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
        return logical(self.arch, self.weights, self.biases, batch)

    def fit(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        *,
        optimizer: str = "gd",
        max_epochs: int = rules.RULES["max_epochs"].default,
        stop: Mapping[str, float | bool] | None = None,
        batch_size: int | None = None,
        diagnostics: bool = False,
        validation: tuple[ArrayLike, ArrayLike] | None = None,
        engine: str | None = None,
        progress: Progress | None = None,
        **hyper: float | Sequence[float],
    ) -> list[RunRecord]:
        """Train every member in place; return one RunRecord per member.

        ``hyper`` holds the optimiser's hyper-parameters (``lr``, ``momentum`` ...), each
        one value or one per member; those not given take the rulebook's defaults for
        this optimiser (:func:`nncore.rules.hyper_defaults`: lr 0.5 for gd, 0.001 for
        adam ...). Each member stops when it meets every ``stop``
        criterion, diverges, or reaches ``max_epochs``; its weights are left as they
        were at that moment. With ``diagnostics=True`` each record's ``diagnostics``
        holds its per-layer metrics (see :mod:`nncore.diagnostics`) at the loss curve's
        epochs while it trained; training itself is unchanged. With ``validation=(X_val,
        Y_val)`` (held-out data, never trained on) each record also has the validation
        loss at the curve's epochs and its loss, max error and accuracy at the end.

        ``engine`` names the code that trains (:mod:`nncore.engines`; None: the default);
        each record's ``engine`` says which one trained it. ``progress``, if given, is
        called as ``progress(n_ended, epoch)`` as members end, so a caller can count them.
        """
        engine = engines.resolve(engine)
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
            validation=validation,
            progress=progress,
        )
        if recorder is not None:
            for rec, diag in zip(records, recorder.members(len(records)), strict=True):
                rec.diagnostics = diag
        return records


def _as_input(X: ArrayLike) -> Array:
    x = np.require(X, np.float64, ("C", "A"))  # as in training (nncore.train)
    if x.ndim != 2:
        raise ConfigError(f"X has shape {x.shape}; expected (n_samples, n_features)")
    return x
