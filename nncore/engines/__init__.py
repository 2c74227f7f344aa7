"""Engines: the code that trains a population.

``numpy`` is the reference: the population trainer of :mod:`nncore.train`, NumPy and
BLAS. ``compiled`` trains the same networks in compiled kernels where its optional
dependency is installed; for a combination it does not cover it hands the population to
the ``numpy`` engine, and the records say which engine trained each run
(:attr:`RunRecord.engine <nncore.train.RunRecord>`).

``engine=None`` (or ``"auto"``) means :func:`default_engine`: ``compiled`` wherever it
can run, else ``numpy``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..rules import ConfigError, did_you_mean

__all__ = ["ENGINES", "Progress", "available_engines", "default_engine", "resolve"]

# Called by an engine as members end: progress(n_ended, epoch). See Population.fit.
Progress = Callable[[int, int], None]

ENGINES = ("numpy", "compiled")


def _compiled_unavailable() -> str | None:
    """Why the compiled engine cannot run here (one line), or None when it can."""
    return "the compiled engine is not built yet"


def available_engines() -> dict[str, str | None]:
    """Each engine's name with None where it can run, else the reason it cannot."""
    return {"numpy": None, "compiled": _compiled_unavailable()}


def default_engine() -> str:
    """``compiled`` where it can run, else ``numpy``."""
    return "compiled" if _compiled_unavailable() is None else "numpy"


def resolve(name: str | None) -> str:
    """The engine ``name`` stands for (None/"auto" → the default); one-line ConfigError."""
    if name is None or name == "auto":
        return default_engine()
    if name not in ENGINES:
        allowed = ["auto", *ENGINES]
        raise ConfigError(f"engine={name!r} not in {allowed}" + did_you_mean(name, allowed))
    reason = available_engines()[name]
    if reason is not None:
        raise ConfigError(f"engine={name!r} cannot run here: {reason}")
    return name
