"""Finite-difference gradient checks, for nncore's network and for a user trainer.

A user trainer can let doctor check its gradient by defining, next to its training
function, two module-level functions::

    def initial_weights(params: dict, seed: int) -> list[np.ndarray]: ...
    def loss_and_gradients(params: dict, weights: list[np.ndarray]) -> tuple[float, list]:
        ...   # the loss it minimises, and d loss / d weights shaped like ``weights``

doctor compares the gradients with central finite differences of the loss at the
initial weights of a few seeds. A trainer without them is not checked (and doctor says
so). Elements next to a kink (the one-sided differences disagree) are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nncore.rules import ConfigError
from sweeps.config.spec import SweepSpec
from sweeps.config.trainer import import_function

__all__ = ["HOOKS", "check_trainer_gradient", "has_hooks", "worst_mismatch"]

Array = NDArray[np.float64]
HOOKS = ("initial_weights", "loss_and_gradients")
STEP = 1e-6
RTOL, ATOL = 1e-3, 1e-8
KINK = 1e-3


def worst_mismatch(
    params: Sequence[Array], grads: Sequence[Array], loss: Callable[[], Array]
) -> tuple[tuple[int, tuple], float, float, float] | None:
    """The worst element where ``grads`` disagree with central differences of ``loss``.

    ``params`` are arrays ``(members, ...)`` changed in place (and put back), ``loss()``
    the loss of every member ``(members,)``. Returns ``((array, index), claimed, finite
    difference, relative error)``, or None when every element agrees.
    """
    worst, found = 1.0, None
    for a, (p, g) in enumerate(zip(params, grads, strict=True)):
        for idx in np.ndindex(p.shape[1:]):
            at = (slice(None), *idx)
            keep = p[at].copy()
            h = STEP * np.maximum(1.0, np.abs(keep))
            mid = loss()
            p[at] = keep + h
            up = loss()
            p[at] = keep - h
            down = loss()
            p[at] = keep
            fd = (up - down) / (2 * h)
            left, right = (mid - down) / h, (up - mid) / h
            smooth = np.abs(left - right) <= KINK * np.maximum(1.0, np.abs(fd))
            claimed = np.asarray(g[at], dtype=np.float64)
            with np.errstate(all="ignore"):
                score = np.where(
                    smooth & np.isfinite(fd),
                    np.abs(claimed - fd) / (RTOL * np.abs(fd) + ATOL),
                    0.0,
                )
            k = int(np.argmax(score))
            if score[k] > worst:
                rel = abs(claimed[k] - fd[k]) / abs(fd[k]) if fd[k] else float("inf")
                worst, found = score[k], ((a, idx), float(claimed[k]), float(fd[k]), rel)
    return found


def has_hooks(spec: SweepSpec) -> bool:
    """Whether the spec's trainer exposes its gradient (:data:`HOOKS`)."""
    return all(callable(getattr(_module(spec), h, None)) for h in HOOKS)


def _module(spec: SweepSpec) -> Any:
    base = spec.path.parent if spec.path is not None else None
    return import_function(spec.trainer, base)[1]


def check_trainer_gradient(spec: SweepSpec, n_seeds: int = 3) -> str:
    """One line when the trainer's exposed gradient is wrong; ``""`` when it agrees or
    the trainer exposes none."""
    if not has_hooks(spec):
        return ""
    module = _module(spec)
    params = {k: v[0] for k, v in spec.params.items()}
    for seed in spec.seeds[:n_seeds]:
        try:
            weights = [np.array(w, dtype=np.float64) for w in module.initial_weights(params, seed)]
            _, grads = module.loss_and_gradients(params, weights)
            grads = [np.asarray(g, dtype=np.float64)[None] for g in grads]
        except Exception as e:  # the user's code: one line
            raise ConfigError(
                f"trainer={spec.trainer!r}: its gradient hooks failed: {type(e).__name__}: {e}"
            ) from None
        views = [w[None] for w in weights]

        def loss(ws: list[Array] = weights) -> Array:
            return np.array([float(module.loss_and_gradients(params, ws)[0])])

        bad = worst_mismatch(views, grads, loss)
        if bad:
            (a, idx), claimed, fd, rel = bad
            return (
                f"the gradient is wrong: trainer {spec.trainer_def.name}'s loss_and_gradients "
                f"gives {claimed:.6g} for weights[{a}][{', '.join(map(str, idx))}] where finite "
                f"differences of its loss give {fd:.6g} (relative error {rel:.2g}, seed {seed}); "
                "fix it before anything else"
            )
    return ""
