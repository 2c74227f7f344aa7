"""Optimisers that turn gradients into in-place parameter updates, keyed by name.

Every parameter array carries the population on its first axis, ``(N, ...)``, and
every hyper-parameter is a per-member array of shape ``(N,)``, so one population
can mix learning rates, momenta and betas. ``step`` may overwrite the gradients
(they are scratch space in the training loop). ``take(keep)`` drops finished
members from the state, so a population gets cheaper as it finishes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from . import rules
from .rules import check_choice

__all__ = ["OPTIMIZERS", "Optimizer", "get_optimizer", "hyper_names"]

Array = NDArray[np.float64]


class Optimizer:
    """Base class: holds per-member hyper-parameters and per-parameter state."""

    name: ClassVar[str] = ""
    # The hyper-parameters it uses and their defaults: the rulebook's (see nncore.rules).
    defaults: ClassVar[dict[str, float]] = {}
    state_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: Sequence[Array], hyper: Mapping[str, Array]) -> None:
        n = params[0].shape[0]
        self.hyper = {
            k: np.broadcast_to(np.asarray(hyper.get(k, v), dtype=np.float64), (n,)).copy()
            for k, v in self.defaults.items()
        }
        self.state = {s: [np.zeros_like(p) for p in params] for s in self.state_names}
        self.t = 0

    def h(self, name: str, ndim: int) -> Array:
        """Hyper-parameter ``name`` shaped ``(N, 1, ...)`` to broadcast over an ndim array."""
        return self.hyper[name].reshape((-1,) + (1,) * (ndim - 1))

    def take(self, keep: NDArray[np.intp]) -> None:
        """Keep only members ``keep`` (in that order) in hyper-parameters and state."""
        self.hyper = {k: v[keep] for k, v in self.hyper.items()}
        self.state = {s: [_take(a, keep) for a in arrs] for s, arrs in self.state.items()}

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Update ``params`` in place from ``grads`` (which may be overwritten)."""
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self._update(i, p, g)

    def _update(self, i: int, p: Array, g: Array) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(N={len(self.hyper['lr'])})"


class GD(Optimizer):
    """Plain gradient descent: ``p -= lr * g``."""

    name = "gd"
    defaults = rules.hyper_defaults("gd")

    def _update(self, i: int, p: Array, g: Array) -> None:
        g *= self.h("lr", g.ndim)
        p -= g


class Momentum(Optimizer):
    """Classical momentum: ``v = μ v - lr g``; ``p += v``."""

    name = "momentum"
    defaults = rules.hyper_defaults("momentum")
    state_names = ("velocity",)

    def _update(self, i: int, p: Array, g: Array) -> None:
        v = self.state["velocity"][i]
        v *= self.h("momentum", v.ndim)
        g *= self.h("lr", g.ndim)
        v -= g
        p += v


class Nesterov(Momentum):
    """Nesterov momentum (Sutskever's form): ``v = μ v - lr g``; ``p += μ v - lr g``."""

    name = "nesterov"
    defaults = rules.hyper_defaults("nesterov")

    def _update(self, i: int, p: Array, g: Array) -> None:
        v = self.state["velocity"][i]
        mu = self.h("momentum", v.ndim)
        v *= mu
        g *= self.h("lr", g.ndim)
        v -= g
        p += mu * v
        p -= g


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction."""

    name = "adam"
    defaults = rules.hyper_defaults("adam")
    state_names = ("m", "v")

    def _update(self, i: int, p: Array, g: Array) -> None:
        m, v = self.state["m"][i], self.state["v"][i]
        b1, b2 = self.h("beta1", p.ndim), self.h("beta2", p.ndim)
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        g *= g
        g *= 1.0 - b2
        v += g
        vhat = np.sqrt(v / (1.0 - b2**self.t))
        vhat += self.h("eps", p.ndim)
        step = m * (self.h("lr", p.ndim) / (1.0 - b1**self.t))
        step /= vhat
        p -= step


class Rprop(Optimizer):
    """iRprop- (Igel & Hüsken 2000): sign-based steps; ``lr`` is the initial step Δ0."""

    name = "rprop"
    defaults = rules.hyper_defaults("rprop")
    state_names = ("prev", "delta")

    def __init__(self, params: Sequence[Array], hyper: Mapping[str, Array]) -> None:
        super().__init__(params, hyper)
        for d in self.state["delta"]:
            d += self.h("lr", d.ndim)

    def _update(self, i: int, p: Array, g: Array) -> None:
        prev, delta = self.state["prev"][i], self.state["delta"][i]
        same = g * prev
        grow, shrink = same > 0.0, same < 0.0
        nd = p.ndim
        np.multiply(delta, np.where(grow, self.h("eta_plus", nd), 1.0), out=delta)
        np.multiply(delta, np.where(shrink, self.h("eta_minus", nd), 1.0), out=delta)
        np.minimum(delta, self.h("delta_max", nd), out=delta)
        np.maximum(delta, self.h("delta_min", nd), out=delta)
        g[shrink] = 0.0  # iRprop-: after a sign change, skip this step and forget the gradient
        p -= np.sign(g) * delta
        prev[...] = g


def _take(a: Array, keep: NDArray[np.intp]) -> Array:
    # Rows ``keep`` of ``a`` in a's memory order: the trainer may store the population last.
    out = np.empty_like(a, shape=(len(keep), *a.shape[1:]))
    np.take(a, keep, axis=0, out=out)
    return out


OPTIMIZERS: dict[str, type[Optimizer]] = {o.name: o for o in (GD, Momentum, Nesterov, Adam, Rprop)}


def get_optimizer(name: str) -> type[Optimizer]:
    """Return the optimiser class registered as ``name`` (one-line error when unknown)."""
    return OPTIMIZERS[check_choice("optimizer", name, OPTIMIZERS)]


def hyper_names() -> list[str]:
    """Every optimiser hyper-parameter name (``lr`` first): the rulebook's."""
    return list(rules.hyper_names())
