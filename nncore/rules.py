"""The rulebook, and the one-line validation errors shared by every config in the project.

Every message names the field, the value received and what is allowed, and adds
a "did you mean" when a close match exists, so a user can fix a spec without
reading code.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "OPTIMIZER_NAMES",
    "RULES",
    "ConfigError",
    "Rule",
    "applies",
    "check",
    "check_choice",
    "check_hyper",
    "check_number",
    "did_you_mean",
    "extend_optimizer",
    "hyper_defaults",
    "hyper_names",
    "lookup",
    "member_hyper",
]


class ConfigError(ValueError):
    """A configuration value is invalid; the message is one line, ready to print."""


def did_you_mean(value: object, allowed: Iterable[object]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest allowed name, or ``""``."""
    names = [str(a) for a in allowed]
    close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_choice(field: str, value: Any, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise a one-line ConfigError."""
    allowed = sorted(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(f"{field}={value!r} not in {allowed}" + did_you_mean(value, allowed))
    return value


def check_number(
    field: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    integer: bool = False,
) -> float:
    """Check that ``value`` is a real number (an int if ``integer``) within bounds.

    ``low_open`` makes the lower bound strict (``value > low``).
    """
    kind = "an integer" if integer else "a number"
    # numbers.Integral/Real also admit NumPy scalars, e.g. seeds taken from np.arange.
    ok_type = isinstance(value, numbers.Integral if integer else numbers.Real)
    if isinstance(value, (bool, np.bool_)) or not ok_type:
        raise ConfigError(f"{field}={value!r} must be {kind}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"{field}={value!r} must be finite")
    if low is not None and (value <= low if low_open else value < low):
        op = ">" if low_open else ">="
        raise ConfigError(f"{field}={value!r} must be {op} {low:g}")
    if high is not None and value > high:
        raise ConfigError(f"{field}={value!r} must be <= {high:g}")
    return value


def lookup(registry: dict[str, Any], field: str, name: Any) -> Any:
    """Look ``name`` up in a registry, failing the same way for every registry."""
    return registry[check_choice(field, name, registry)]


# ---------------------------------------------------------------------------------------
# The rulebook: every training parameter's type, range, default and meaning, written once.
# nncore validates through it, and sweeps builds its spec checks and messages from it.
# ---------------------------------------------------------------------------------------

OPTIMIZER_NAMES = ("gd", "momentum", "nesterov", "adam", "rprop")


@dataclass(frozen=True)
class Rule:
    """One parameter: ``kind`` (float/int/str), default, bounds, and the optimisers it
    applies to (``None``: it applies to every run). ``default`` may be a mapping
    ``{optimizer: value}`` when each optimiser has its own."""

    name: str
    kind: type
    default: Any
    doc: str
    low: float | None = None
    low_open: bool = False
    high: float | None = None
    high_open: bool = False
    applies_to: tuple[str, ...] | None = None

    def default_for(self, optimizer: str | None = None) -> Any:
        if isinstance(self.default, Mapping):
            return self.default[optimizer]
        return self.default


_MOMENTUM = ("momentum", "nesterov")
RULES: dict[str, Rule] = {
    r.name: r
    for r in [
        # >= 0, not > 0: a zero start is a legitimate experiment (symmetric units never
        # separate); every initialiser just multiplies by it.
        Rule("init_scale", float, 1.0, "σ / limit, or multiplier of a scheme", low=0),
        # Per optimiser: momentum's 0.05 is the effective step of gd 0.5 with μ = 0.9;
        # adam's 0.001 is Kingma & Ba's; rprop's 0.1 is Riedmiller & Braun's Δ0.
        Rule("lr", float, {"gd": 0.5, "momentum": 0.05, "nesterov": 0.05, "adam": 0.001,
                           "rprop": 0.1},
             "learning rate (rprop: initial step Δ0)", low=0, low_open=True,
             applies_to=OPTIMIZER_NAMES),
        Rule("momentum", float, 0.9, "momentum, nesterov", low=0, high=1, high_open=True,
             applies_to=_MOMENTUM),
        Rule("beta1", float, 0.9, "adam", low=0, high=1, high_open=True, applies_to=("adam",)),
        Rule("beta2", float, 0.999, "adam", low=0, high=1, high_open=True,
             applies_to=("adam",)),
        # > 0: adam divides by sqrt(v) + eps, and v is 0 wherever a gradient stays 0.
        Rule("eps", float, 1e-8, "adam", low=0, low_open=True, applies_to=("adam",)),
        # Riedmiller & Braun: 0 < eta_minus < 1 <= eta_plus (1: steps never grow).
        Rule("eta_plus", float, 1.2, "rprop step growth", low=1, applies_to=("rprop",)),
        Rule("eta_minus", float, 0.5, "rprop step shrink", low=0, low_open=True, high=1,
             high_open=True, applies_to=("rprop",)),
        # delta_min <= delta_max as well: see check_hyper.
        Rule("delta_max", float, 50.0, "rprop largest step", low=0, low_open=True,
             applies_to=("rprop",)),
        Rule("delta_min", float, 1e-6, "rprop smallest step", low=0, applies_to=("rprop",)),
        Rule("batch_size", int, 0, "mini-batch size; 0 = full batch", low=0),
        Rule("seed", int, 0, "a member's seed: it alone decides its initial weights", low=0),
        Rule("max_epochs", int, 1000, "updates at most; 0 only evaluates the start", low=0),
        Rule("loss_below", float, None, "stop when the loss is below", low=0, low_open=True),
        Rule("max_error_below", float, None, "stop when every |ŷ - y| is strictly below",
             low=0, low_open=True),
    ]
}  # fmt: skip


def extend_optimizer(name: str, lr: float | None, uses: Sequence[str] = ()) -> None:
    """Let a registered optimiser ``name`` use ``lr`` (with that default) and the
    hyper-parameters ``uses``; ``lr=None`` takes ``name`` out of the rulebook again."""
    for key, rule in list(RULES.items()):
        if rule.applies_to is None:
            continue
        others = tuple(o for o in rule.applies_to if o != name)
        default = rule.default
        if isinstance(default, Mapping):
            default = {o: v for o, v in default.items() if o != name}
        joins = lr is not None and (key == "lr" or key in uses)
        if others == rule.applies_to and not joins:
            continue
        if joins and key == "lr":
            default[name] = lr
        applies_to = (*others, name) if joins else others
        RULES[key] = replace(rule, default=default, applies_to=applies_to)


def check(name: str, value: Any, field: str | None = None) -> Any:
    """Check ``value`` against rule ``name``; one-line ConfigError naming ``field``."""
    rule = RULES[name]
    field = field or name
    v = check_number(field, value, integer=rule.kind is int)
    bad_low = rule.low is not None and (v <= rule.low if rule.low_open else v < rule.low)
    bad_high = rule.high is not None and (v >= rule.high if rule.high_open else v > rule.high)
    if bad_low or bad_high:
        raise ConfigError(f"{field}={value!r} must be {_allowed(rule)}")
    return v


def _allowed(rule: Rule) -> str:
    if rule.low is not None and rule.high is not None:
        left, right = "(" if rule.low_open else "[", ")" if rule.high_open else "]"
        return f"in {left}{rule.low:g}, {rule.high:g}{right}"
    if rule.low is not None:
        return f"{'>' if rule.low_open else '>='} {rule.low:g}"
    return f"{'<' if rule.high_open else '<='} {rule.high:g}"


def hyper_names(optimizer: str | None = None) -> tuple[str, ...]:
    """The optimiser hyper-parameters (``lr`` first), or those ``optimizer`` uses."""
    return tuple(
        r.name
        for r in RULES.values()
        if r.applies_to is not None and (optimizer is None or optimizer in r.applies_to)
    )


def applies(name: str, optimizer: str) -> bool:
    """Whether parameter ``name`` means anything for ``optimizer`` (lr always does)."""
    rule = RULES.get(name)
    return rule is None or rule.applies_to is None or optimizer in rule.applies_to


def hyper_defaults(optimizer: str) -> dict[str, float]:
    """``optimizer``'s hyper-parameters and their defaults, in rulebook order."""
    return {k: RULES[k].default_for(optimizer) for k in hyper_names(optimizer)}


def check_hyper(optimizer: str, values: Mapping[str, Any], prefix: str = "") -> None:
    """Check one member's hyper-parameters together (the rules that join two of them).

    ``values`` holds those given; the others take their defaults.
    """
    if optimizer != "rprop":
        return
    low = values.get("delta_min", RULES["delta_min"].default)
    high = values.get("delta_max", RULES["delta_max"].default)
    if low > high:
        raise ConfigError(f"{prefix}delta_min={low!r} must be <= {prefix}delta_max={high!r}")


def member_hyper(
    optimizer: str, hyper: Mapping[str, float | Sequence[float]], n: int
) -> dict[str, NDArray[np.float64]]:
    """Every hyper-parameter of ``optimizer``, one value per member ``(n,)``, checked.

    ``hyper`` gives each one value or ``n``; the others take their defaults.
    """
    names = hyper_names(optimizer)
    unknown = sorted(set(hyper) - set(names))
    if unknown:
        k = unknown[0]
        raise ConfigError(
            f"{k}= is not a hyper-parameter of optimizer={optimizer!r}; "
            f"allowed: {list(names)}" + did_you_mean(k, names)
        )
    out = {}
    for k in names:
        items = _items(hyper.get(k, RULES[k].default_for(optimizer)), k, n)
        if len(items) not in (1, n):
            raise ConfigError(f"{k} has {len(items)} values for a population of {n}")
        for value in items:  # as given, so the message shows the value as a spec does
            check(k, value)
        out[k] = np.broadcast_to(np.asarray(items, dtype=np.float64), (n,))
    if optimizer == "rprop":  # the one rule that joins two values: first offending member
        bad = np.flatnonzero(out["delta_min"] > out["delta_max"])
        if len(bad):
            check_hyper(optimizer, {k: out[k][bad[0]].item() for k in out})
    return out


def _items(value: Any, name: str, n: int) -> list[Any]:
    """One value or a 1-d sequence of values, as a list of Python scalars."""
    if isinstance(value, np.ndarray):
        if value.ndim > 1:
            raise ConfigError(f"{name} has {value.size} values for a population of {n}")
        return value.reshape(-1).tolist()
    return list(value) if isinstance(value, (list, tuple)) else [value]
