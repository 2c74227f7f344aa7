"""Two-dimensional toy data sets in the spirit of TensorFlow Playground's, made in NumPy.

Each generator takes ``n`` (points), ``noise`` and ``seed`` and returns ``(X, labels)``:
``X`` is ``(n, 2)`` float64 and ``labels`` ``(n,)`` int64 class numbers 0, 1, ... The
classes are as even as ``n`` allows (the first ones take the odd points). The same
arguments give the same points on any machine: one ``numpy.random.default_rng(seed)``
draws everything, in a fixed order.

- ``moons``: two interleaving half circles; ``noise`` is the standard deviation of the
  Gaussian added to every coordinate.
- ``circles``: a circle of radius 1 (class 0) around one of radius 0.5 (class 1);
  ``noise`` as for moons.
- ``blobs``: ``classes`` Gaussian clusters (default 2) centred on a circle of radius 2;
  ``noise`` is each cluster's standard deviation (plus 0.1, so ``noise = 0`` still
  spreads the points).
- ``spiral``: two interleaved spirals of 1.75 turns, out to radius 5 (Playground's);
  ``noise`` is the half-width of the uniform jitter of each coordinate.
- ``xor_noisy``: points uniform in [-1, 1]², class 1 where x·y > 0; ``noise`` is the
  standard deviation of the Gaussian added after labelling (so labels near the axes
  are noisy).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from .rules import ConfigError, check_choice, check_number

__all__ = ["GENERATORS", "GENERATOR_LIMITS", "generate"]

Points = tuple[NDArray[np.float64], NDArray[np.int64]]

# The range of each generator parameter: (low, high, integer).
GENERATOR_LIMITS: dict[str, tuple[float, float, bool]] = {
    "n": (4, 1_000_000, True),
    "noise": (0.0, 10.0, False),
    "seed": (0, 2**63 - 1, True),
    "classes": (2, 10, True),
}
DEFAULT_NOISE = 0.1


def _sizes(n: int, k: int) -> list[int]:
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _labels(sizes: list[int]) -> NDArray[np.int64]:
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _moons(rng: np.random.Generator, n: int, noise: float, classes: int) -> Points:
    a, b = _sizes(n, 2)
    t0, t1 = np.linspace(0, np.pi, a), np.linspace(0, np.pi, b)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    x = np.concatenate([outer, inner]) + rng.normal(0.0, 1.0, (n, 2)) * noise
    return x, _labels([a, b])


def _circles(rng: np.random.Generator, n: int, noise: float, classes: int) -> Points:
    a, b = _sizes(n, 2)
    t0 = np.linspace(0, 2 * np.pi, a, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, b, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = 0.5 * np.column_stack([np.cos(t1), np.sin(t1)])
    x = np.concatenate([outer, inner]) + rng.normal(0.0, 1.0, (n, 2)) * noise
    return x, _labels([a, b])


def _blobs(rng: np.random.Generator, n: int, noise: float, classes: int) -> Points:
    sizes = _sizes(n, classes)
    angles = 2 * np.pi * np.arange(classes) / classes + np.pi / 4
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    labels = _labels(sizes)
    x = centres[labels] + rng.normal(0.0, 1.0, (n, 2)) * (noise + 0.1)
    return x, labels


def _spiral(rng: np.random.Generator, n: int, noise: float, classes: int) -> Points:
    parts = []
    for k, m in enumerate(_sizes(n, 2)):
        i = np.arange(m)
        r = 5.0 * i / m
        t = 1.75 * i / m * 2 * np.pi + np.pi * k
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    x = np.concatenate(parts) + rng.uniform(-1.0, 1.0, (n, 2)) * noise
    return x, _labels(_sizes(n, 2))


def _xor_noisy(rng: np.random.Generator, n: int, noise: float, classes: int) -> Points:
    # Drawn until both classes have their share, so the classes are as even as elsewhere.
    want = _sizes(n, 2)
    pts = rng.uniform(-1.0, 1.0, (4 * n + 16, 2))
    side = (pts[:, 0] * pts[:, 1] > 0).astype(np.int64)
    x = np.concatenate([pts[side == k][: want[k]] for k in (0, 1)])
    x = x + rng.normal(0.0, 1.0, (n, 2)) * noise
    return x, _labels(want)


GENERATORS: dict[str, Callable[[np.random.Generator, int, float, int], Points]] = {
    "moons": _moons,
    "circles": _circles,
    "blobs": _blobs,
    "spiral": _spiral,
    "xor_noisy": _xor_noisy,
}


def generate(
    name: str,
    n: int = 200,
    noise: float = DEFAULT_NOISE,
    seed: int = 0,
    classes: int | None = None,
    prefix: str = "",
) -> Points:
    """The points of generator ``name``; a bad argument raises a one-line ConfigError
    naming ``prefix + field`` (``classes`` is for ``blobs`` only)."""
    check_choice(f"{prefix}generator", name, GENERATORS)
    values = {"n": n, "noise": noise, "seed": seed}
    if classes is not None:
        if name != "blobs":
            raise ConfigError(f"{prefix}classes={classes!r} applies to generator 'blobs' only")
        values["classes"] = classes
    for field, value in values.items():
        low, high, integer = GENERATOR_LIMITS[field]
        check_number(prefix + field, value, low=low, high=high, integer=integer)
    rng = np.random.default_rng(int(seed))
    x, labels = GENERATORS[name](rng, int(n), float(noise), int(classes or 2))
    return np.ascontiguousarray(x, dtype=np.float64), labels
