"""One-line validation errors shared by every config in the project.

Every message names the field, the value received and what is allowed, and adds
a "did you mean" when a close match exists, so a user can fix a spec without
reading code.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


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
