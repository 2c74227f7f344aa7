"""Random search: a spec's ``[sample]`` table, and the points it draws.

Each dimension maps a number ``u`` in [0, 1) to a parameter value; a method
(plain pseudo-random, scrambled Sobol' or Latin hypercube) supplies an ``(n, d)``
array of such numbers from one seeded generator, so the same table gives the same
points on any machine ("random" relies on numpy's PCG64 stream alone; "sobol" and
"lhs" also on scipy's scrambling, which a scipy release could change). Sampled
floats are rounded to 12 significant digits, so they survive a CSV round trip.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nncore.rules import ConfigError, check_choice, check_number, did_you_mean

from .params import PARAMS

__all__ = [
    "DISTRIBUTIONS", "Dimension", "INTEGER_PARAMS", "METHODS", "SAMPLE_KEYS", "SIGNIFICANT_DIGITS",
    "Sample", "unit_points",
]  # fmt: skip

METHODS = ("random", "sobol", "lhs")
DISTRIBUTIONS = ("choice", "int_uniform", "log_uniform", "uniform")
SAMPLE_KEYS = ("n", "seed", "method")
SIGNIFICANT_DIGITS = 12
# int_uniform draws whole numbers: a batch size, or the width of one hidden layer.
INTEGER_PARAMS = ("batch_size", "hidden")


@dataclass(frozen=True)
class Dimension:
    """One sampled parameter: ``kind`` is a distribution, ``values`` its bounds or choices."""

    name: str
    kind: str
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        field = f"sample.{self.name}.{self.kind}"
        check_choice(f"sample.{self.name}", self.kind, DISTRIBUTIONS)
        param = PARAMS[check_choice("sample", self.name, PARAMS)]
        if self.kind == "choice":
            values = tuple(param.check(field, v) for v in self.values)
            if len(set(values)) < 2 or len(set(values)) < len(values):
                raise ConfigError(f"{field}={list(self.values)!r} needs 2 or more distinct values")
        else:
            values = self._bounds(field, param)
        object.__setattr__(self, "values", values)

    def _bounds(self, field: str, param: Any) -> tuple[Any, Any]:
        integer = self.kind == "int_uniform"
        if not (self.name in INTEGER_PARAMS if integer else param.kind is float):
            raise ConfigError(
                f"{field}: {self.name!r} cannot be drawn from {self.kind}; use {_ways(self.name)}"
            )
        if len(self.values) != 2:
            raise ConfigError(f"{field}={list(self.values)!r} must be [low, high]")
        lo, hi = (check_number(field, v, integer=integer) for v in self.values)
        for v in (lo, hi):
            param.check(field, v)
        if not lo < hi:
            raise ConfigError(f"{field}={[lo, hi]!r} must have low < high")
        if self.kind == "log_uniform" and lo <= 0:
            raise ConfigError(f"{field}={[lo, hi]!r} must have low > 0")
        return (int(lo), int(hi)) if integer else (float(lo), float(hi))

    def draw(self, u: NDArray[np.float64]) -> list[Any]:
        """Map numbers in [0, 1) to checked parameter values."""
        if self.kind == "choice" or self.kind == "int_uniform":
            lo, hi = self.values[0], self.values[-1]
            options = self.values if self.kind == "choice" else range(lo, hi + 1)
            raw = [options[min(int(x * len(options)), len(options) - 1)] for x in u]
        elif self.kind == "uniform":
            lo, hi = self.values
            raw = [_round(lo + x * (hi - lo)) for x in u.tolist()]
        else:
            # Python's math (not numpy's vectorised exp) so every machine computes the same.
            lo, hi = math.log(self.values[0]), math.log(self.values[1])
            raw = [_round(math.exp(lo + x * (hi - lo))) for x in u.tolist()]
        check = PARAMS[self.name].check
        return [check(f"sample.{self.name}", v) for v in raw]

    def to_dict(self) -> dict[str, list[Any]]:
        return {self.kind: list(self.values)}


@dataclass(frozen=True)
class Sample:
    """A random-search table: ``n`` points over ``dims``, drawn by ``method`` from ``seed``."""

    n: int
    dims: tuple[Dimension, ...]
    seed: int = 0
    method: str = "random"

    def __post_init__(self) -> None:
        check_number("sample.n", self.n, low=1, integer=True)
        check_number("sample.seed", self.seed, low=0, integer=True)
        check_choice("sample.method", self.method, METHODS)
        if not self.dims:
            raise ConfigError(
                "[sample] has no dimension; add e.g. lr = { log_uniform = [1e-3, 10] }"
            )
        if self.method == "sobol" and self.n & (self.n - 1):
            lower = 1 << (self.n.bit_length() - 1)
            raise ConfigError(
                f"sample.n={self.n} must be a power of 2 for method='sobol' "
                f"(Sobol' points lose their balance otherwise); e.g. {lower} or {2 * lower}"
            )

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Sample:
        """Build from a spec's ``[sample]`` table; unknown keys raise ConfigError."""
        allowed = [*SAMPLE_KEYS, *PARAMS]
        dims = []
        for key, value in raw.items():
            if key not in allowed:
                raise ConfigError(
                    f"unknown key {key!r} in [sample]; allowed: {list(SAMPLE_KEYS)} or a "
                    f"parameter {list(PARAMS)}" + did_you_mean(key, allowed)
                )
            if key not in SAMPLE_KEYS:
                dims.append(_dimension(key, value))
        if "n" not in raw:
            raise ConfigError("sample.n is missing: how many points to draw (an integer >= 1)")
        return cls(
            n=raw["n"],
            dims=tuple(dims),
            seed=raw.get("seed", 0),
            method=raw.get("method", "random"),
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dims)

    @cached_property
    def points(self) -> dict[str, list[Any]]:
        """The sampled values: ``{name: [value of point 0, point 1, ...]}`` in draw order."""
        u = unit_points(self.method, self.n, len(self.dims), self.seed)
        return {d.name: d.draw(u[:, j]) for j, d in enumerate(self.dims)}

    def to_dict(self) -> dict[str, Any]:
        """The table as a spec would write it (a valid ``[sample]`` table)."""
        out: dict[str, Any] = {"n": self.n, "seed": self.seed, "method": self.method}
        return out | {d.name: d.to_dict() for d in self.dims}


def _round(x: float) -> float:
    return float(f"{x:.{SIGNIFICANT_DIGITS}g}")


def _ways(name: str) -> str:
    if name in INTEGER_PARAMS:
        return "int_uniform or choice"
    return "uniform, log_uniform or choice" if PARAMS[name].kind is float else "choice"


def _dimension(name: str, value: Any) -> Dimension:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"sample.{name}={value!r} must be a table, e.g. {{ log_uniform = [low, high] }} "
            f"or {{ choice = [...] }}"
        )
    unknown = [k for k in value if k not in DISTRIBUTIONS]
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in [sample.{name}]; allowed: {list(DISTRIBUTIONS)}"
            + did_you_mean(unknown[0], DISTRIBUTIONS)
        )
    if len(value) != 1:
        raise ConfigError(f"sample.{name} must give exactly one of {list(DISTRIBUTIONS)}")
    ((kind, values),) = value.items()
    if not isinstance(values, (list, tuple)):
        raise ConfigError(f"sample.{name}.{kind}={values!r} must be a list")
    return Dimension(name, kind, tuple(values))


def unit_points(method: str, n: int, d: int, seed: int) -> NDArray[np.float64]:
    """``(n, d)`` numbers in [0, 1) from ``method``, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    if method == "random":
        return rng.random((n, d))
    from scipy.stats import qmc

    engine = {"sobol": qmc.Sobol, "lhs": qmc.LatinHypercube}[method]
    # A Generator gives the same points through scipy's old ``seed=`` and new ``rng=``.
    key = "rng" if "rng" in inspect.signature(engine).parameters else "seed"
    return engine(d, **{key: rng}).random(n)
