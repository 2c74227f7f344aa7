"""A user trainer's record, checked: a well-formed dict becomes a runs.csv row, anything
else a reason why the run ``failed`` (one line).

What is accepted is the protocol of :mod:`sweeps.config.trainer`. A non-finite
``final_loss`` (or best loss, or curve loss) is allowed only in a diverged run: NaN in
a converged or censored run is a broken record, not a result.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nncore import log_epochs
from nncore.rules import did_you_mean

__all__ = ["FIELDS", "STATUSES", "Malformed", "failed_row", "parse_record"]

STATUSES = ("converged", "censored", "diverged")
FIELDS = (
    "status", "epochs_to_threshold", "epochs_run", "final_loss", "best_loss", "max_error",
    "accuracy", "curve",
)  # fmt: skip


class Malformed(ValueError):
    """A record that breaks the protocol; its message is the reason (one line)."""


def _int(name: str, v: Any, low: int, high: int) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise Malformed(f"{name}={v!r} is not an integer")
    if not low <= v <= high:
        raise Malformed(f"{name}={v!r} is outside {low}..{high}")
    return int(v)


def _float(name: str, v: Any, finite: bool) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise Malformed(f"{name}={v!r} is not a number")
    if finite and not math.isfinite(v):
        raise Malformed(f"{name}={float(v)!r} in a run that did not diverge")
    return float(v)


def parse_record(
    rec: Any, max_epochs: int, metrics: Sequence[str]
) -> tuple[dict[str, Any], list[int], list[float]]:
    """``(row, curve epochs, curve losses)`` of a record; raises :class:`Malformed`.

    ``row`` has the metric columns a trainer gives (``best_loss`` defaults to the
    lowest loss seen, ``max_error`` and ``accuracy`` to empty) and ``metrics``.
    The curve keeps nncore's log-spaced epochs and the last point; without one,
    it is the final loss at ``epochs_run``.
    """
    if not isinstance(rec, Mapping):
        raise Malformed(f"the trainer returned {type(rec).__name__}, not a dict")
    allowed = (*FIELDS, *metrics)
    for key in rec:
        if key not in allowed:
            raise Malformed(
                f"unknown key {key!r}; allowed: {list(allowed)}" + did_you_mean(key, allowed)
            )
    for key in ("status", "epochs_run", "final_loss"):
        if key not in rec:
            raise Malformed(f"no {key!r}")
    status = rec["status"]
    if status not in STATUSES:
        raise Malformed(f"status={status!r} not in {list(STATUSES)}")
    finite = status != "diverged"
    run = _int("epochs_run", rec["epochs_run"], 0, max_epochs)
    reached = rec.get("epochs_to_threshold")
    if status == "converged":
        reached = _int("epochs_to_threshold", reached, 0, run)
    elif reached is not None:
        raise Malformed(
            f"epochs_to_threshold={reached!r} in a {status} run (None unless converged)"
        )
    final = _float("final_loss", rec["final_loss"], finite)
    epochs, losses = _curve(rec.get("curve"), run, final, finite)
    seen = [x for x in [*losses, final] if not math.isnan(x)]
    best = rec.get("best_loss")
    best = (min(seen) if seen else math.nan) if best is None else best
    row = {
        "status": status,
        "epochs_to_threshold": reached,
        "epochs_run": run,
        "final_loss": final,
        "best_loss": _float("best_loss", best, finite),
        "max_error": _optional("max_error", rec.get("max_error"), finite),
        "accuracy": _optional("accuracy", rec.get("accuracy"), True),
        "error": None,
    }
    if row["accuracy"] is not None and not 0 <= row["accuracy"] <= 1:
        raise Malformed(f"accuracy={row['accuracy']!r} is outside [0, 1]")
    for m in metrics:  # extra metrics: numbers, or missing (an empty cell)
        v = rec.get(m)
        row[m] = (
            None if v is None or (isinstance(v, float) and math.isnan(v)) else _float(m, v, False)
        )
    return row, epochs, losses


def _optional(name: str, v: Any, finite: bool) -> float | None:
    return None if v is None else _float(name, v, finite)


def _curve(curve: Any, run: int, final: float, finite: bool) -> tuple[list[int], list[float]]:
    if curve is None:
        return [run], [final]
    if isinstance(curve, (str, bytes, Mapping)) or not isinstance(curve, (Sequence, np.ndarray)):
        raise Malformed(f"curve is a {type(curve).__name__}, not a list of (epoch, loss) pairs")
    epochs, losses = [], []
    for i, pair in enumerate(curve):
        if not isinstance(pair, (Sequence, np.ndarray)) or len(pair) != 2:
            raise Malformed(f"curve[{i}]={pair!r} is not an (epoch, loss) pair")
        e = pair[0]
        if isinstance(e, (float, np.floating)) and float(e).is_integer():
            e = int(e)  # a curve given as one float array, epochs and losses
        e = _int(f"curve[{i}] epoch", e, 0, run)
        if epochs and e <= epochs[-1]:
            raise Malformed(f"curve[{i}] epoch {e} does not come after epoch {epochs[-1]}")
        epochs.append(e)
        losses.append(_float(f"curve[{i}] loss", pair[1], finite))
    if not epochs:
        return [run], [final]
    logged = set(log_epochs(run).tolist())
    keep = [i for i, e in enumerate(epochs) if e in logged or i == len(epochs) - 1]
    return [epochs[i] for i in keep], [losses[i] for i in keep]


def failed_row(reason: str, metrics: Sequence[str]) -> dict[str, Any]:
    """The metric columns of a run that failed: status ``failed``, the reason in ``error``."""
    row: dict[str, Any] = {
        "status": "failed",
        "epochs_to_threshold": None,
        "epochs_run": 0,
        "final_loss": None,
        "best_loss": None,
        "max_error": None,
        "accuracy": None,
        "error": " ".join(str(reason).split())[:300],
    }
    return row | dict.fromkeys(metrics)
