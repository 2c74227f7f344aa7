"""The diagnostics story of the original and of the best change, from ``nnsweep explain``
of a typical run of each: its plateau and its first layer during it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sweeps.report.explain import explain

from .measure import ORIGINAL, Measured

if TYPE_CHECKING:
    from .search import Diagnosis

__all__ = ["stories", "typical"]


def typical(m: Measured) -> str:
    """The run id of the median run (by epochs run, then final loss)."""
    runs = m.runs.sort_values(["epochs_run", "final_loss"], kind="stable")
    return str(runs["run_id"].iloc[(len(runs) - 1) // 2])


def _story(m: Measured) -> str:
    lines = explain(m.path, typical(m)).splitlines()
    keep = [ln.strip() for ln in lines if ln.startswith("plateau:")]
    inside = [i for i, ln in enumerate(lines) if ln.startswith("inside:")]
    if inside and inside[0] + 1 < len(lines):
        keep.append(lines[inside[0] + 1].strip())
    return "; ".join(k.rstrip(".") for k in keep)


def stories(d: Diagnosis) -> list[str]:
    """Two lines: the original's typical run, and the best change's."""
    out = []
    best = next((e for e in d.ranked if e.kind in ("fix", "speed-up")), None)
    for label, key in (
        ("as given", ORIGINAL),
        (best.change if best else "", best.key if best else ""),
    ):
        if key and key in d.measured:
            try:
                out.append(f"story ({label}): {_story(d.measured[key])}")
            except (OSError, ValueError, KeyError, pd.errors.ParserError):
                continue  # a story is a courtesy: never a reason to fail
    return out
