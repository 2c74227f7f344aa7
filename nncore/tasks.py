"""Training tasks: small classic data sets, made on demand, keyed by name.

A task name is a gate (``or``, ``xor`` ...), ``parity<n>`` (n-bit parity),
``encoder<n>`` (the n-m-n encoder: n one-hot patterns reproduced at the output;
m is the hidden width) or ``two_spirals`` (Lang & Witbrock's 194 points).
Inputs are in {0, 1} (``inputs="binary"``) or centred in {-1, 1}
(``inputs="centred"``); targets are always in {0, 1}. A task registered with
:func:`nncore.register_task` is the arrays it was given (``inputs`` leaves them be).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .rules import ConfigError, check_choice, did_you_mean

__all__ = [
    "GATES",
    "INPUTS",
    "REGISTERED",
    "TASK_NAMES",
    "Dataset",
    "get_task",
    "parse_task",
    "two_spirals_points",
]

GATES = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "nand": lambda a, b: 1 - (a & b),
    "nor": lambda a, b: 1 - (a | b),
    "xor": lambda a, b: a ^ b,
    "xnor": lambda a, b: 1 - (a ^ b),
}
INPUTS = ("binary", "centred")
TASK_NAMES = [*GATES, "parity<n>", "encoder<n>", "two_spirals"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A task's training set: ``X`` is ``(B, n_in)``, ``Y`` is ``(B, n_out)`` in {0, 1}."""

    name: str
    X: NDArray[np.float64] = field(repr=False)
    Y: NDArray[np.float64] = field(repr=False)

    @property
    def n_in(self) -> int:
        return self.X.shape[1]

    @property
    def n_out(self) -> int:
        return self.Y.shape[1]

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, X={self.X.shape}, Y={self.Y.shape})"


# Tasks registered by name (nncore.register_task): arrays given by the user.
REGISTERED: dict[str, Dataset] = {}


def _bits(n: int) -> NDArray[np.int64]:
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=np.int64)


def _gate(name: str) -> tuple[NDArray, NDArray]:
    x = _bits(2)
    return x, GATES[name](x[:, 0], x[:, 1])[:, None]


def _parity(n: int) -> tuple[NDArray, NDArray]:
    x = _bits(n)
    return x, (x.sum(axis=1) % 2)[:, None]


def _encoder(n: int) -> tuple[NDArray, NDArray]:
    eye = np.eye(n, dtype=np.int64)
    return eye, eye.copy()


def two_spirals_points() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The classic two-spirals set (Lang & Witbrock 1988): 97 points per spiral."""
    i = np.arange(97)
    angle = i * np.pi / 16.0
    radius = 6.5 * (104 - i) / 104.0
    a = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    x = np.concatenate([a, -a])
    y = np.concatenate([np.ones(97), np.zeros(97)])[:, None]
    return x, y


def parse_task(name: str) -> tuple[str, int]:
    """Split a task name into ``(family, n)``; one-line ConfigError when unknown.

    A registered task (:func:`nncore.register_task`) is its own family, ``n`` its inputs.
    """
    names = [*TASK_NAMES, *REGISTERED]
    if not isinstance(name, str):
        raise ConfigError(f"task={name!r} must be a string, one of {names}")
    if name in REGISTERED:
        return name, REGISTERED[name].n_in
    if name in GATES or name == "two_spirals":
        return name, 2
    m = re.fullmatch(r"(parity|encoder)(\d+)", name)
    if m:
        n = int(m.group(2))
        lo, hi = (2, 16) if m.group(1) == "parity" else (2, 64)
        if not lo <= n <= hi:
            raise ConfigError(f"task={name!r}: n must be in [{lo}, {hi}] for {m.group(1)}<n>")
        return m.group(1), n
    raise ConfigError(f"task={name!r} not in {names}" + did_you_mean(name, names))


@lru_cache(maxsize=64)
def get_task(name: str, inputs: str = "binary") -> Dataset:
    """Return the data set for task ``name`` with ``inputs`` encoding (cached, read-only)."""
    family, n = parse_task(name)
    check_choice("inputs", inputs, INPUTS)
    if family in REGISTERED:  # its own inputs: the encoding is for the binary tasks
        x, y = REGISTERED[family].X, REGISTERED[family].Y
    elif family == "two_spirals":
        x, y = two_spirals_points()
    else:
        x, y = {"parity": _parity, "encoder": _encoder}.get(family, lambda _: _gate(family))(n)
        x = x.astype(np.float64)
        if inputs == "centred":
            x = 2.0 * x - 1.0
    x, y = np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)
    x.flags.writeable = False
    y.flags.writeable = False
    return Dataset(name if inputs == "binary" else f"{name}[centred]", x, y)
