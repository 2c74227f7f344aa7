"""The check's report: an aligned text table for the terminal, a CSV and a JSON file."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sweeps.results.read import ResultsDir
from sweeps.results.schema import write_csv_atomic
from sweeps.stats.levels import cell_label
from sweeps.stats.survival import format_epochs

from .baseline import Baseline, save_json
from .check import CheckResult

__all__ = ["MAX_NOTES", "format_bench", "format_check", "to_json", "write_check"]

MAX_NOTES = 8  # cells noted one by one; more are counted


def format_check(result: CheckResult) -> str:
    """The check as aligned text: one line per cell, then the verdict (for the terminal)."""
    t, me = result.table, result.max_epochs

    def pair(col: str, fmt) -> list[str]:
        base, now = t[col + "_base"], t[col + "_now"]
        return [f"{fmt(a)} -> {fmt(b)}" for a, b in zip(base, now, strict=True)]

    def p(col: str) -> list[str]:
        return [f"{v:.2g}" if np.isfinite(v) else "n/a" for v in t[f"{col}_holm"]]

    head = ["cell", "success", "p", "median epochs", "ratio", "p", "diverged", "p", "verdict"]
    rows = zip(
        [cell_label(result.axes, tuple(r[result.axes])) for _, r in t.iterrows()],
        pair("success", "{:.0%}".format),
        p("success_p"),
        pair("median", lambda v: format_epochs(v, me)),
        [f"{r:.2f}" if np.isfinite(r) else "n/a" for r in t["median_ratio"]],
        p("epochs_p"),
        pair("diverged", str),
        p("diverged_p"),
        t["verdict"],
        strict=True,
    )
    return "\n".join([*_aligned([head, *rows]), *_footer(result)])


def _aligned(rows: list) -> list[str]:
    """Rows of strings as columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("  ".join(cells))
    return out


def _footer(result: CheckResult) -> list[str]:
    th, t = result.thresholds, result.table
    tests = (
        "paired sign tests, each run against its baseline run"
        if result.paired
        else "tests of independent samples (Fisher, log-rank)"
    )
    lines = [
        f"p: one-sided {tests}, Holm-adjusted over the {len(t)} cells.",
        f"A cell FAILs at p < {th.alpha:g} when its median ratio exceeds {th.tolerance:g}, "
        f"its success rate fell by more than {100 * th.success_tolerance:g} points,",
        "or more runs diverged.",
    ]
    for _, r in t[t["verdict"] == "FAIL"].iterrows():
        lines.append(f"FAIL {cell_label(result.axes, tuple(r[result.axes]))}: {r['reason']}")
    noted = t[(t["median_note"] != "") & (t["epochs_verdict"] != "FAIL")]
    if len(noted) > MAX_NOTES:  # one line per kind of note; the CSV names every cell
        for note, n in noted["median_note"].str.split(":").str[0].value_counts().items():
            lines.append(f"note {n} cells: {note} (their median_note in the CSV)")
    for _, r in noted.iterrows() if len(noted) <= MAX_NOTES else ():
        lines.append(f"note {cell_label(result.axes, tuple(r[result.axes]))}: {r['median_note']}")
    n_fail = int((t["verdict"] == "FAIL").sum())
    if n_fail:
        return [*lines, f"FAIL: {n_fail} of {len(t)} cells regressed"]
    return [*lines, f"PASS: no regression in {len(t)} cells"]


def to_json(result: CheckResult, baseline: Baseline, current: ResultsDir) -> dict[str, Any]:
    """The check as a JSON-ready dict (NaN as null): verdict, notes, provenance, cells."""
    m = current.manifest
    cells = result.table.astype(object).where(result.table.notna(), None)
    return {
        "verdict": "FAIL" if result.failed else "PASS",
        "identical": result.identical,
        "paired": result.paired,
        "notes": list(result.notes),
        "thresholds": asdict(result.thresholds),
        "axes": result.axes,
        "max_epochs": result.max_epochs,
        "runs_base": result.n_base,
        "runs_now": result.n_now,
        "baseline": {
            "path": str(baseline.path),
            **{
                k: baseline.meta.get(k)
                for k in ("spec_hash", "git_commit", "recorded", "versions")
            },
        },
        "current": {k: m.get(k) for k in ("spec_hash", "git_commit", "started", "versions")},
        "cells": [{k: _plain(v) for k, v in row.items()} for row in cells.to_dict("records")],
    }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def write_check(
    result: CheckResult, baseline: Baseline, current: ResultsDir, path: str | os.PathLike
) -> tuple[Path, Path]:
    """Write the cell table as ``NAME.csv`` and the whole check as ``NAME.json``."""
    path = Path(path)
    csv, doc = path.with_suffix(".csv"), path.with_suffix(".json")
    csv.parent.mkdir(parents=True, exist_ok=True)
    write_csv_atomic(result.table, csv)
    save_json(to_json(result, baseline, current), doc)
    return csv, doc


def format_bench(table: pd.DataFrame, max_drop: float) -> str:
    """The bench comparison as aligned text, with the verdict last."""
    rows = [
        [r["case"], f"{r['ratio_base']:.1f}x", f"{r['ratio_now']:.1f}x", f"{r['change']:+.0%}",
         r["verdict"]]
        for _, r in table.iterrows()
    ]  # fmt: skip
    n_fail = int((table["verdict"] == "FAIL").sum())
    verdict = (
        f"FAIL: {n_fail} of {len(table)} ratios fell by more than {max_drop:.0%}"
        if n_fail
        else f"PASS: no ratio fell by more than {max_drop:.0%}"
    )
    head = ["case", "baseline ratio", "ratio now", "change", "verdict"]
    return "\n".join([*_aligned([head, *rows]), verdict])
