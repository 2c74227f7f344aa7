"""Read a sweep's results directory for the reports: runs, manifest and loss curves.

Reports read only these files, never the spec or the trainer, so a directory
copied to another machine reports the same.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nncore import ConfigError, log_epochs
from nncore.rules import check_choice, did_you_mean
from sweeps.config.plugins import load_listed

from .partial import finished_runs, is_unfinished
from .schema import read_runs
from .validate import check_runs

__all__ = ["REQUIRED", "ResultsDir", "load", "read_curves"]

REQUIRED = ("runs.csv", "manifest.json")
CURVE_CHUNK = 200_000  # rows of curves.csv.gz read at a time


@dataclass(frozen=True, eq=False)
class ResultsDir:
    """A results directory's runs table and manifest, checked on load."""

    path: Path
    runs: pd.DataFrame
    manifest: dict[str, Any]
    # Read from the finished chunks of a sweep that has not ended (load(partial=True)).
    from_chunks: bool = False
    skipped: tuple[str, ...] = ()  # one line per damaged chunk left out

    @property
    def n_planned(self) -> int:
        """The number of runs the sweep has in all (its manifest's ``n_runs``)."""
        n = self.manifest.get("n_runs")
        return n if isinstance(n, int) else len(self.runs)

    @property
    def partial(self) -> bool:
        """True when these are only the runs finished so far, not the whole sweep."""
        return self.from_chunks and len(self.runs) < self.n_planned

    @property
    def axes(self) -> list[str]:
        """The parameters that vary across runs, in spec order (never the seed)."""
        return [a for a in self.manifest.get("axes", []) if a != "seed" and a in self.runs]

    @property
    def max_epochs(self) -> int:
        if "max_epochs" in self.manifest:
            return int(self.manifest["max_epochs"])
        return int(self.runs["max_epochs"].max())

    def check_axis(self, field: str, value: str | None) -> str | None:
        """``value`` if it is one of the axes (or None), else a one-line ConfigError."""
        if value is None:
            return None
        if not self.axes:
            raise ConfigError(
                f"{field}={value!r}: this sweep has no axes (every run differs only by its seed)"
            )
        return check_choice(field, value, self.axes)


def load(results_dir: str | os.PathLike, partial: bool = False) -> ResultsDir:
    """Load ``runs.csv`` and ``manifest.json``; one-line ConfigError when they are missing.

    With ``partial``, a sweep that has not finished (no runs.csv yet, or one older than
    its chunk files) is read from its finished chunks instead (see
    :mod:`sweeps.results.partial`): the result's ``partial`` says so. The plugins the
    manifest lists are loaded too, and refused if they changed since.
    """
    path = Path(results_dir)
    if not path.is_dir():
        raise ConfigError(f"results_dir={str(path)!r} does not exist" + _nearby(path))
    if partial and (path / "manifest.json").is_file() and is_unfinished(path):
        return _load_partial(path)
    missing = [f for f in REQUIRED if not (path / f).is_file()]
    if missing:
        raise ConfigError(
            f"results_dir={str(path)!r} is not a results directory: missing {', '.join(missing)}"
            "; allowed: a directory written by 'nnsweep run'" + _nearby(path)
        )
    try:
        manifest = json.loads((path / "manifest.json").read_text())
        trainer = manifest.get("trainer") if isinstance(manifest, dict) else None
        columns = trainer.get("columns") if isinstance(trainer, dict) else None
        runs = read_runs(path / "runs.csv", columns if isinstance(columns, dict) else None)
    except (ValueError, json.JSONDecodeError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ConfigError(f"results_dir={str(path)!r} is unreadable: {msg}") from None
    if not isinstance(manifest, dict):
        raise ConfigError(f"results_dir={str(path)!r}: manifest.json is not a JSON object")
    if runs.empty:
        raise ConfigError(f"results_dir={str(path)!r} has no runs yet (runs.csv is empty)")
    n = manifest.get("n_runs")
    check_runs(runs, f"{str(path / 'runs.csv')!r}", n if isinstance(n, int) else None)
    _load_plugins(manifest, path)
    return ResultsDir(path, runs, manifest)


def _load_partial(path: Path) -> ResultsDir:
    """The runs finished so far of the sweep in ``path``, from its chunk files."""
    manifest = _manifest(path)
    trainer = manifest.get("trainer")
    columns = trainer.get("columns") if isinstance(trainer, dict) else None
    runs, skipped = finished_runs(path, manifest, columns if isinstance(columns, dict) else None)
    check_runs(runs, f"the chunks of {str(path)!r}")
    _load_plugins(manifest, path)
    return ResultsDir(path, runs, manifest, from_chunks=True, skipped=tuple(skipped))


def _manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (ValueError, UnicodeDecodeError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ConfigError(f"results_dir={str(path)!r} is unreadable: {msg}") from None
    if not isinstance(manifest, dict):
        raise ConfigError(f"results_dir={str(path)!r}: manifest.json is not a JSON object")
    return manifest


def _load_plugins(manifest: dict[str, Any], path: Path) -> None:
    # The parts the runs used (explain, boundaries, diagnostics), the very code they ran.
    plugins = manifest.get("plugins", [])
    if plugins:
        load_listed(plugins if isinstance(plugins, list) else [plugins], path)


def _nearby(path: Path) -> str:
    """Results directories inside ``path``, or a did-you-mean among its siblings."""
    inside = (
        sorted(p.name for p in path.iterdir() if (p / "manifest.json").is_file())
        if path.is_dir()
        else []
    )
    if inside:
        return f"; results directories inside it: {inside[:10]}"
    if not path.parent.is_dir():
        return ""
    names = [str(p) for p in path.parent.iterdir() if (p / "manifest.json").is_file()]
    return did_you_mean(str(path), [n for n in names if n != str(path)])


def read_curves(path: Path, run_ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Loss of every run at the log-spaced epochs, the last value carried forward.

    Returns ``(epochs, loss)``: ``epochs`` (E,) from 1 up to the largest epoch
    recorded, and ``loss`` (len(run_ids), E) aligned with ``run_ids``. A run that
    stopped early keeps its last loss (a diverged run: inf); NaN only where a run
    has no curve at all.
    """
    ids = pd.Index(run_ids.astype(str))
    parts = []
    # In chunks, keeping three numeric columns of each: the rows of a large sweep's curves
    # never sit in memory as text or Python objects all at once.
    reader = pd.read_csv(
        path,
        usecols=["run_id", "epoch", "loss"],
        engine="c",
        dtype={"run_id": "category", "epoch": np.int64, "loss": np.float64},
        chunksize=CURVE_CHUNK,
    )
    with reader:
        for chunk in reader:
            row = chunk["run_id"].cat.set_categories(ids).cat.codes.to_numpy()
            keep = row >= 0
            parts.append(
                (row[keep], chunk["epoch"].to_numpy()[keep], chunk["loss"].to_numpy()[keep])
            )
    row, epoch, loss = (
        np.concatenate([p[k] for p in parts]) if parts else np.empty(0) for k in range(3)
    )
    row, epoch = row.astype(np.int64), epoch.astype(np.int64)
    grid = log_epochs(max(int(epoch.max()) if len(epoch) else 1, 1))
    # An off-grid last epoch (a run that stopped early) lands on the next grid point,
    # which that run has no value of its own for.
    col = np.searchsorted(grid, epoch, side="left")
    table = np.full((len(run_ids), len(grid)), np.nan)
    table[row, col] = np.where(np.isnan(loss), np.inf, loss)  # NaN loss: it diverged
    return grid[1:], _carry_forward(table)[:, 1:]


def _carry_forward(table: np.ndarray) -> np.ndarray:
    """Fill each row's NaNs with the last value before them (left to right)."""
    idx = np.where(np.isnan(table), 0, np.arange(table.shape[1]))
    np.maximum.accumulate(idx, axis=1, out=idx)
    filled = table[np.arange(len(table))[:, None], idx]
    return filled
