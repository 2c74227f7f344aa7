"""Weight initialisers, keyed by name.

Every scheme draws *standard* variates (normal, or uniform on [-1, 1]) and
multiplies them by a scale. Two runs with the same seed and layer sizes therefore
start from the same directions whatever the scheme's scale, so a sweep over
``init_scale`` or activation compares like with like (common random numbers).
For the named schemes ``init_scale`` multiplies the scheme's own scale.

``glorot_standard`` (alias ``standard``) is the "commonly used heuristic" that Glorot &
Bengio (2010, "Understanding the difficulty of training deep feedforward neural
networks", eq. 1) compare their normalised initialisation (``glorot_uniform``) with:
W ~ U[-1/sqrt(fan_in), +1/sqrt(fan_in)], the start under which their deep sigmoid and
tanh networks saturated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .rules import lookup

__all__ = ["INITIALIZERS", "Initializer", "get_initializer"]


@dataclass(frozen=True)
class Initializer:
    """``draw`` is ``"normal"`` or ``"uniform"``; ``scale(fan_in, fan_out)`` its σ or limit."""

    name: str
    draw: str
    scale: Callable[[int, int], float]

    def __call__(
        self, rng: np.random.Generator, fan_in: int, fan_out: int, init_scale: float = 1.0
    ) -> NDArray[np.float64]:
        """Return a ``(fan_in, fan_out)`` weight matrix."""
        if self.draw == "normal":
            w = rng.standard_normal((fan_in, fan_out))
        else:
            w = rng.uniform(-1.0, 1.0, (fan_in, fan_out))
        return w * (init_scale * self.scale(fan_in, fan_out))

    def __repr__(self) -> str:
        return f"Initializer({self.name!r})"


def _const(_i: int, _o: int) -> float:
    return 1.0


INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in [
        Initializer("normal", "normal", _const),
        Initializer("uniform", "uniform", _const),
        Initializer("glorot_normal", "normal", lambda i, o: math.sqrt(2.0 / (i + o))),
        Initializer("glorot_uniform", "uniform", lambda i, o: math.sqrt(6.0 / (i + o))),
        Initializer("he_normal", "normal", lambda i, o: math.sqrt(2.0 / i)),
        Initializer("he_uniform", "uniform", lambda i, o: math.sqrt(6.0 / i)),
        Initializer("lecun_normal", "normal", lambda i, o: math.sqrt(1.0 / i)),
        Initializer("lecun_uniform", "uniform", lambda i, o: math.sqrt(3.0 / i)),
        Initializer("glorot_standard", "uniform", lambda i, o: 1.0 / math.sqrt(i)),
    ]
}
INITIALIZERS["standard"] = INITIALIZERS["glorot_standard"]
INITIALIZERS["xavier_normal"] = INITIALIZERS["glorot_normal"]
INITIALIZERS["xavier_uniform"] = INITIALIZERS["glorot_uniform"]


def get_initializer(name: str) -> Initializer:
    """Return the registered initialiser ``name`` (one-line error when unknown)."""
    return lookup(INITIALIZERS, "init", name)
