"""What registration can check of a user's function before any network uses it.

A derivative is compared with central finite differences on a spread of points;
points next to a kink (where the left and right one-sided differences disagree, as
at hardtanh's ±1) are skipped, so a piecewise function passes and a derivative off
by a factor (the seed question's very bug) does not. Every check raises a one-line
:class:`nncore.rules.ConfigError` naming the function, the worst point and the error.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from .rules import ConfigError

Array = NDArray[np.float64]

# An odd offset keeps every point off the integers and halves where kinks usually sit.
SPREAD = np.concatenate([np.linspace(-6.0, 6.0, 121) + 0.0137, [-40.3, -15.1, 15.1, 40.3]])
LARGE = np.array([-1e6, -1e3, 0.0, 1e3, 1e6])  # finite in, finite out
STEP = 1e-6
RTOL, ATOL = 1e-4, 1e-6  # central differences at this step are good to ~1e-9 here
KINK = 1e-3  # one-sided differences further apart than this: a kink within the step


def call(what: str, f: Callable[..., Array], *args: Array) -> Array:
    """``f(*args)`` as a float64 array of the arguments' shape; one-line errors."""
    kept = [a.copy() for a in args]
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(f(*args), dtype=np.float64)
    except Exception as e:  # the user's code: any failure is reported in one line
        raise ConfigError(f"{what} failed: {type(e).__name__}: {_first_line(e)}") from None
    if out.shape != args[0].shape:
        raise ConfigError(f"{what} returned shape {out.shape} for input shape {args[0].shape}")
    if any(not np.array_equal(a, k, equal_nan=True) for a, k in zip(args, kept, strict=True)):
        raise ConfigError(f"{what} changed its input array; return a new array instead")
    return out


def finite(what: str, f: Callable[..., Array], *args: Array) -> Array:
    """``call`` that also refuses a non-finite value, naming the first input giving one."""
    out = call(what, f, *args)
    bad = np.flatnonzero(~np.isfinite(out))
    if len(bad):
        at = ", ".join(f"{a.flat[bad[0]]:g}" for a in args)
        raise ConfigError(f"{what} is {out.flat[bad[0]]:g} at {at}: it must be finite there")
    return out


def elementwise(what: str, f: Callable[..., Array], *args: Array) -> None:
    """``f`` must act element by element: a population's members are independent, so
    the value at a point may not depend on the array's shape or its other entries."""
    flat = call(what, f, *args)
    n = args[0].size
    cut = n - n % 6
    shaped = call(what, f, *(a.flat[:cut].reshape(2, 3, -1) for a in args))
    if not np.array_equal(shaped.reshape(-1), flat[:cut], equal_nan=True):
        raise ConfigError(
            f"{what} gives other values for the same points in an array of another shape; "
            "it must work element by element"
        )


def broadcasts(what: str, f: Callable[[Array, Array], Array], a: Array, y: Array) -> None:
    """The targets ``y`` are shared by a population's members: ``f(a, y)`` for a stack
    of outputs ``a`` must give each member what it gets alone."""
    rows = np.stack([a, a[::-1]])
    together = call(what, f, rows, y)
    for k in range(2):
        if not np.array_equal(together[k], call(what, f, rows[k].copy(), y), equal_nan=True):
            raise ConfigError(
                f"{what} gives other values when the outputs of several networks share the "
                "targets; it must broadcast the targets element by element"
            )


def derivative(
    what: str,
    f: Callable[[Array], Array],
    d: Callable[[Array], Array],
    z: Array,
    var: str = "z",
) -> float:
    """Compare ``d`` with central differences of ``f`` at ``z``; return the largest |d|.

    ``f`` and ``d`` are functions of one array (the others fixed by the caller).
    """
    h = STEP * np.maximum(1.0, np.abs(z))
    up, down, mid = f(z + h), f(z - h), f(z)
    step = (z + h) - (z - h)  # the step actually taken, after rounding
    fd = (up - down) / step
    left, right = (mid - down) / (z - (z - h)), (up - mid) / ((z + h) - z)
    smooth = np.abs(left - right) <= KINK * np.maximum(1.0, np.abs(fd))
    claimed = d(z)
    score = np.where(smooth, np.abs(claimed - fd) / (RTOL * np.abs(fd) + ATOL), 0.0)
    worst = int(np.argmax(score))
    if score[worst] > 1.0:
        c, n = claimed[worst], fd[worst]
        rel = abs(c - n) / abs(n) if n != 0 else float("inf")
        raise ConfigError(
            f"{what}: the derivative does not match central finite differences; worst at "
            f"{var}={z[worst]:.6g}: derivative {c:.6g}, finite difference {n:.6g} "
            f"(relative error {rel:.3g})"
        )
    return float(np.max(np.abs(claimed[smooth]))) if smooth.any() else 1.0


def optimizer(what: str, cls: type, hyper: dict[str, float]) -> None:
    """Twenty steps on ½‖p‖² must stay finite, and a member's steps must not depend on
    its population: member 1 of 3 moves exactly as it does alone, also after ``take``."""

    def steps(params: list[Array], n: int, times: int = 20) -> list[Array]:
        opt = cls(params, {k: np.full(n, v) for k, v in hyper.items()})
        for _ in range(times):
            opt.step(params, [p.copy() for p in params])
        if n == 3:  # members 2 and 1 are kept, in that order: 1 is now at position 1
            opt.take(np.array([2, 1], dtype=np.intp))
            params[:] = [p[[2, 1]].copy() for p in params]
            opt.step(params, [p.copy() for p in params])
            return [p[1:2] for p in params]
        opt.step(params, [p.copy() for p in params])
        return params

    rng = np.random.default_rng(0)
    start = [rng.standard_normal((3, 2, 4)), rng.standard_normal((3, 1, 4))]
    try:
        together = steps([p.copy() for p in start], 3)
        alone = steps([p[1:2].copy() for p in start], 1)
    except Exception as e:  # the user's code
        raise ConfigError(f"{what}: a step failed: {type(e).__name__}: {_first_line(e)}") from None
    if not all(np.isfinite(p).all() for p in together):
        raise ConfigError(f"{what}: twenty steps on 0.5 * |p|^2 gave a value that is not finite")
    if any(not np.array_equal(a, b) for a, b in zip(together, alone, strict=True)):
        raise ConfigError(
            f"{what}: a member's steps depend on the other members of its population; "
            "each member must be updated from its own gradients and hyper-parameters alone"
        )


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else "(no message)"
