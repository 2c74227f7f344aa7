"""Your own parts: register an activation, loss, initialiser, optimiser or task by name.

Once registered, a part is known everywhere a built-in one is: the rulebook's checks
(with "did you mean"), ``Network``, ``Population`` and every sweep. Registration
checks what it can and refuses in one line (:class:`nncore.rules.ConfigError`):

- a name taken by a built-in part, or by another plugin, or not a plain name;
- an activation's or loss's derivative that disagrees with central finite
  differences on a spread of points (the line names the worst point and the
  relative error), a function that is not finite on finite inputs, leaves its
  declared range, changes its input or does not work element by element;
- an initialiser scale that is not a finite positive number; task arrays that are
  not finite 2-d tables with one row per sample.

Parts registered while a plugin loads (:func:`registering`) belong to that plugin:
sweeps name the plugin and its file hash in the ids of the runs that use them.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _fdcheck, tasks
from .activations import ACTIVATIONS, Activation
from .initializers import INITIALIZERS, Initializer
from .losses import LOSSES, OUTPUT_ACTIVATIONS, Loss
from .optimizers import OPTIMIZERS, Optimizer
from .rules import RULES, ConfigError, check, extend_optimizer, hyper_names

__all__ = [
    "KINDS",
    "Origin",
    "claim",
    "origin",
    "register_activation",
    "register_initializer",
    "register_loss",
    "register_optimizer",
    "register_task",
    "registering",
    "unregister",
]

Array = NDArray[np.float64]
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
REGISTRIES: dict[str, dict] = {
    "activation": ACTIVATIONS,
    "initializer": INITIALIZERS,
    "loss": LOSSES,
    "optimizer": OPTIMIZERS,
    "task": tasks.REGISTERED,
}
KINDS = tuple(REGISTRIES)
BUILTIN = {kind: frozenset(reg) for kind, reg in REGISTRIES.items()}
BUILTIN_OUTPUTS = frozenset(OUTPUT_ACTIVATIONS)


@dataclass(frozen=True)
class Origin:
    """Who registered a part: the plugin loading then (None: none), and the module."""

    plugin: str | None
    label: str
    module: str


ORIGINS: dict[tuple[str, str], Origin] = {}
_loading: list[tuple[str, str]] = []  # (plugin key, label) of the plugins being imported


@contextlib.contextmanager
def registering(plugin: str, label: str | None = None) -> Iterator[None]:
    """Parts registered inside belong to ``plugin`` (``label`` names it in messages)."""
    _loading.append((plugin, label or plugin))
    try:
        yield
    finally:
        _loading.pop()


def origin(kind: str, name: str) -> Origin | None:
    """Who registered part ``name`` of ``kind``; None for a built-in part."""
    return ORIGINS.get((kind, name))


def claim(plugin: str, label: str, module: str) -> None:
    """Give ``plugin`` the parts that module ``module`` (or a submodule) registered
    outside any plugin: it was imported before it was loaded as a plugin."""
    for key, o in list(ORIGINS.items()):
        if o.plugin is None and (o.module == module or o.module.startswith(module + ".")):
            ORIGINS[key] = Origin(plugin, label, o.module)


def unregister(plugin: str) -> None:
    """Remove every part ``plugin`` registered (before it is loaded again, or after a
    failed import, so that the process holds no half-loaded plugin)."""
    for (kind, name), o in list(ORIGINS.items()):
        if o.plugin == plugin:
            del ORIGINS[(kind, name)]
            REGISTRIES[kind].pop(name, None)
            if kind == "activation":
                OUTPUT_ACTIVATIONS.pop(name, None)
            if kind == "optimizer":
                extend_optimizer(name, None)
    tasks.get_task.cache_clear()


def _claim_name(kind: str, name: object) -> tuple[str, Origin]:
    """Check that ``name`` is free for this registrant; return the message prefix."""
    plugin, label = _loading[-1] if _loading else (None, "")
    where = f"plugin {label!r}: " if plugin else ""
    what = f"{where}register_{kind}({name!r})"
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise ConfigError(f"{what}: the name must match {NAME_RE.pattern}")
    taken = name in BUILTIN[kind] or (kind == "activation" and name in BUILTIN_OUTPUTS)
    if kind == "task" and not taken:
        taken = name in tasks.GATES or re.fullmatch(r"(parity|encoder)\d+|two_spirals", name)
    if taken:
        raise ConfigError(f"{what}: {name!r} is a built-in {kind}; choose another name")
    here = Origin(plugin, label, _caller_module())
    old = ORIGINS.get((kind, name))
    if old is not None and (old.plugin, old.module) != (here.plugin, here.module):
        by = f"module {old.module!r}"
        if old.plugin:
            by = f"plugin {old.label!r}" + (f" ({old.plugin})" if old.plugin != old.label else "")
        raise ConfigError(f"{what}: {name!r} is already registered by {by}")
    return what, here


def _caller_module() -> str:
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "nncore":
        frame = frame.f_back
    return frame.f_globals.get("__name__", "") if frame is not None else ""


def _add(kind: str, name: str, part: object, here: Origin) -> None:
    REGISTRIES[kind][name] = part
    ORIGINS[(kind, name)] = here
    if kind == "activation":
        OUTPUT_ACTIVATIONS[name] = part
    if kind == "task":
        tasks.get_task.cache_clear()


def register_activation(
    name: str,
    forward: Callable[[Array], Array],
    derivative: Callable[[Array], Array],
    *,
    low: float = -np.inf,
    high: float = np.inf,
    max_derivative: float | None = None,
) -> Activation:
    """Register an activation ``forward(z)`` with ``derivative(z)`` = f'(z).

    Both take an array of pre-activations and return a new array of its shape,
    element by element. ``low``/``high`` bound the output (a sigmoid's 0 and 1);
    ``max_derivative`` is the largest f'(z) (default: the largest seen on the check's
    points), the scale of the diagnostics' "saturated". Returns the registered part.
    """
    what, here = _claim_name("activation", name)
    if not (isinstance(low, (int, float)) and isinstance(high, (int, float)) and low < high):
        raise ConfigError(f"{what}: low={low!r} and high={high!r} must be numbers, low < high")
    z = np.concatenate([_fdcheck.SPREAD, _fdcheck.LARGE])
    _fdcheck.elementwise(f"{what}: forward", forward, z)
    a = _fdcheck.finite(f"{what}: forward", forward, z)
    _fdcheck.finite(f"{what}: derivative", derivative, z)
    bad = np.flatnonzero((a < low - 1e-12) | (a > high + 1e-12))
    if len(bad):
        raise ConfigError(
            f"{what}: forward({z[bad[0]]:g}) = {a[bad[0]]:g} is outside its declared range "
            f"[{low:g}, {high:g}]"
        )
    seen = _fdcheck.derivative(what, forward, derivative, _fdcheck.SPREAD)
    top = seen if max_derivative is None else max_derivative
    if not isinstance(top, (int, float)) or not np.isfinite(top) or top <= 0:
        raise ConfigError(f"{what}: max_derivative={max_derivative!r} must be a number > 0")

    def fwd(z: Array, out: Array) -> Array:
        np.copyto(out, forward(z))  # computed whole first: out may be z itself
        return out

    def der(z: Array, a: Array, out: Array) -> Array:
        np.copyto(out, derivative(z))
        return out

    part = Activation(name, fwd, der, needs_z=True, low=float(low), high=float(high),
                      max_derivative=float(top))  # fmt: skip
    _add("activation", name, part, here)
    return part


def register_loss(
    name: str,
    value: Callable[[Array, Array], Array],
    derivative: Callable[[Array, Array], Array],
    *,
    outputs: tuple[str, ...] | None = None,
) -> Loss:
    """Register a loss: the mean over samples and outputs of ``value(a, y)``.

    ``value(a, y)`` is the loss of each output ``a`` against its target ``y``, element
    by element; ``derivative(a, y)`` is its derivative in ``a``. ``outputs`` lists the
    output activations it may follow (default: any but softmax); its derivative is
    checked on outputs inside their range, against targets 0, 0.3 and 1.
    """
    what, here = _claim_name("loss", name)
    allowed = tuple(outputs) if outputs is not None else None
    for out in allowed or ():
        if out not in ACTIVATIONS:
            raise ConfigError(f"{what}: outputs names {out!r}, not an activation")
    lows = [ACTIVATIONS[o].low for o in allowed or ()] + [-3.0]
    highs = [ACTIVATIONS[o].high for o in allowed or ()] + [3.0]
    lo, hi = max(lows), min(highs)
    if not lo < hi:
        raise ConfigError(f"{what}: outputs={list(allowed or ())} share no output range")
    inset = 1e-2 * (hi - lo)
    grid = np.linspace(lo + inset, hi - inset, 61)
    a = np.tile(grid, 3)
    y = np.repeat([0.0, 0.3, 1.0], len(grid))
    _fdcheck.elementwise(f"{what}: value", value, a, y)
    _fdcheck.broadcasts(f"{what}: value", value, a, y)
    _fdcheck.broadcasts(f"{what}: derivative", derivative, a, y)
    _fdcheck.finite(f"{what}: value", value, a, y)
    _fdcheck.finite(f"{what}: derivative", derivative, a, y)
    _fdcheck.derivative(what, lambda t: value(t, y), lambda t: derivative(t, y), a, var="a")

    def value_and_delta(z: Array, a: Array, y: Array, act: Activation) -> tuple[Array, Array]:
        n = a.shape[-2] * a.shape[-1]
        per = np.ascontiguousarray(value(a, y), dtype=np.float64)
        loss = per.reshape(per.shape[0], -1).sum(axis=1) / n
        delta = act.derivative(z, a, np.empty_like(a))
        delta *= derivative(a, y)
        delta *= 1.0 / n
        return loss, delta

    part = Loss(name, value_and_delta, allowed)
    _add("loss", name, part, here)
    return part


def register_initializer(
    name: str, scale: Callable[[int, int], float], *, draw: str = "normal"
) -> Initializer:
    """Register an initialiser: standard ``draw`` variates ("normal", or "uniform" on
    [-1, 1]) times ``scale(fan_in, fan_out)``, as every built-in scheme does (so runs
    with the same seed start from the same directions, whatever the scheme)."""
    what, here = _claim_name("initializer", name)
    if draw not in ("normal", "uniform"):
        raise ConfigError(f"{what}: draw={draw!r} not in ['normal', 'uniform']")
    for fan_in, fan_out in [(1, 1), (2, 6), (6, 1), (16, 16), (64, 3), (1000, 1000)]:
        try:
            s = scale(fan_in, fan_out)
        except Exception as e:  # the user's code
            raise ConfigError(f"{what}: scale({fan_in}, {fan_out}) failed: {e!r}") from None
        ok = isinstance(s, (int, float, np.floating)) and not isinstance(s, bool)
        if not ok or not np.isfinite(s) or s <= 0:
            raise ConfigError(f"{what}: scale({fan_in}, {fan_out}) = {s!r} must be a number > 0")
    part = Initializer(name, draw, lambda i, o: float(scale(i, o)))
    _add("initializer", name, part, here)
    return part


def register_task(name: str, X: ArrayLike, Y: ArrayLike) -> tasks.Dataset:
    """Register a training set by name: ``X`` ``(samples, inputs)``, ``Y`` ``(samples,
    outputs)`` (a 1-d ``Y`` is one output). Stored as read-only float64 copies."""
    what, here = _claim_name("task", name)
    arrays = []
    for label, v in (("X", X), ("Y", Y)):
        try:
            arr = np.array(v, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"{what}: {label} is not numeric: {e}") from None
        arr = arr[:, None] if label == "Y" and arr.ndim == 1 else arr
        if arr.ndim != 2 or 0 in arr.shape:
            raise ConfigError(f"{what}: {label} has shape {arr.shape}; it must be 2-d, non-empty")
        if not np.isfinite(arr).all():
            raise ConfigError(f"{what}: {label} holds a value that is not finite")
        arr.flags.writeable = False
        arrays.append(arr)
    x, y = arrays
    if len(x) != len(y):
        raise ConfigError(f"{what}: X has {len(x)} rows and Y {len(y)}; one per sample each")
    part = tasks.Dataset(name, x, y)
    _add("task", name, part, here)
    return part


def register_optimizer(
    name: str, cls: type[Optimizer], *, lr: float, uses: tuple[str, ...] = ()
) -> type[Optimizer]:
    """Register a subclass of :class:`nncore.optimizers.Optimizer` as ``name``.

    It takes the rulebook's hyper-parameters: ``lr`` (default ``lr``) and those in
    ``uses`` (e.g. ``("momentum",)``), each with its rulebook default, range and
    runs.csv column; it cannot add new ones. Its ``_update(i, p, g)`` updates
    parameter ``i`` in place from its gradient (``self.h(name, p.ndim)`` gives each
    member's value of a hyper-parameter). Twenty steps are tried on a small problem:
    they must stay finite and move each member as if it were alone.
    """
    what, here = _claim_name("optimizer", name)
    if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
        raise ConfigError(f"{what}: {cls!r} is not a subclass of nncore.optimizers.Optimizer")
    known = hyper_names()[1:]
    for k in uses:
        if k not in known:
            raise ConfigError(f"{what}: uses names {k!r}; allowed: {list(known)}")
    check("lr", lr, f"{what}: lr")
    hyper = {"lr": float(lr), **{k: RULES[k].default_for(None) for k in uses}}
    cls.name, cls.defaults = name, hyper
    _fdcheck.optimizer(what, cls, hyper)
    extend_optimizer(name, float(lr), tuple(uses))
    _add("optimizer", name, cls, here)
    return cls
