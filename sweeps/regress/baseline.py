"""Regression baselines: a spec's per-run results, kept to compare later runs against.

A baseline is two files side by side: ``NAME.csv``, one row per run (``run_id``,
the spec's axes, ``seed``, ``status``, ``epochs_to_threshold``, ``epochs_run``,
``final_loss``; no wall time, so a baseline of the same code is reproduced bit
for bit), and ``NAME.json``: the spec's name, hash and canonical form, its axes,
``max_epochs``, package versions, git commit, the date it was recorded and the
numerics signature of the machine that recorded it (what the last bits depend on).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from nncore import ConfigError
from nncore.engines.signature import bits_signature
from sweeps.config.grid import n_runs
from sweeps.config.spec import SweepSpec
from sweeps.execute.runner import run
from sweeps.results.files import write_text
from sweeps.results.read import ResultsDir, load
from sweeps.results.schema import DTYPES, write_csv_atomic
from sweeps.results.validate import check_runs

__all__ = [
    "Baseline", "COMPARED", "META_KEYS", "METRICS", "canonical", "check_comparable",
    "check_matches", "columns", "csv_path", "read_baseline", "read_bench_baseline", "record",
    "results_for", "save_json", "side_file", "spec_differences",
]  # fmt: skip

METRICS = ["status", "epochs_to_threshold", "epochs_run", "final_loss"]
COMPARED = ("params", "sample", "max_epochs", "stop")  # what decides a run's outcome
_UNSET = "(not set)"
META_KEYS = ("spec_name", "spec_hash", "spec", "axes", "max_epochs", "n_runs")


@dataclass(frozen=True, eq=False)
class Baseline:
    """A recorded baseline: its per-run table and its side file's metadata."""

    path: Path
    runs: pd.DataFrame
    meta: dict[str, Any]

    @property
    def axes(self) -> list[str]:
        return list(self.meta["axes"])

    @property
    def max_epochs(self) -> int:
        return int(self.meta["max_epochs"])

    @property
    def spec(self) -> dict[str, Any]:
        return dict(self.meta["spec"])


def side_file(path: str | os.PathLike) -> Path:
    """The metadata file that goes with a baseline CSV: ``NAME.json`` beside ``NAME.csv``."""
    return Path(path).with_suffix(".json")


def csv_path(path: str | os.PathLike) -> Path:
    """``path`` if it names a CSV file, else a one-line ConfigError (checked before any run)."""
    path = Path(path)
    if path.suffix != ".csv":
        raise ConfigError(f"out={str(path)!r} must end in .csv (its side file is NAME.json)")
    return path


def columns(axes: list[str]) -> list[str]:
    """The columns of a baseline CSV, in order."""
    return ["run_id", *axes, "seed", *METRICS]


def results_for(
    spec: SweepSpec, results: str | os.PathLike | None = None, jobs: int | None = None
) -> ResultsDir:
    """The results of ``spec``: read from ``results`` (checked to match), or run afresh.

    A fresh run goes to a temporary directory that is removed afterwards, so nothing
    from an earlier run (of older code) can be resumed into it.
    """
    if results is not None:
        res = load(results)
        check_matches(res, spec)
        return res
    with tempfile.TemporaryDirectory(prefix=f"nnsweep-{spec.name}-") as tmp:
        run(spec, Path(tmp) / spec.name, jobs)
        return load(Path(tmp) / spec.name)


def check_matches(res: ResultsDir, spec: SweepSpec) -> None:
    """Raise a one-line ConfigError unless ``res`` holds every run of ``spec``."""
    where = f"results={str(res.path)!r}"
    if res.manifest.get("spec_hash") != spec.spec_hash:
        diffs = spec_differences(
            res.manifest.get("spec", {}), canonical(spec), seeds=True, names=("results", "spec")
        )
        raise ConfigError(
            f"{where} holds results of another spec than {spec.name!r} (spec_hash "
            f"{str(res.manifest.get('spec_hash'))[:12]} != {spec.spec_hash[:12]})"
            + (": " + "; ".join(diffs) if diffs else "")
        )
    expected = n_runs(spec)
    if res.manifest.get("finished") is None or len(res.runs) != expected:
        command = shlex.join(["nnsweep", "run", spec.source or spec.name, *spec.overrides])
        raise ConfigError(
            f"{where} is incomplete ({len(res.runs):,} of {expected:,} runs); "
            f"finish it with '{command} -o {res.path}'"
        )


def canonical(spec: SweepSpec) -> dict[str, Any]:
    """The spec's canonical form as it reads back from JSON (lists, not tuples)."""
    return json.loads(json.dumps(spec.to_dict()))


def record(res: ResultsDir, path: str | os.PathLike) -> Baseline:
    """Write ``res`` as a baseline: ``path`` (CSV) and its side file; return it."""
    path = csv_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    m = res.manifest
    axes = res.axes
    table = res.runs[columns(axes)]
    meta = {
        "spec_name": m["spec"]["name"],
        "spec_hash": m["spec_hash"],
        "spec": m["spec"],
        "axes": axes,
        "max_epochs": res.max_epochs,
        "n_runs": len(table),
        "versions": m.get("versions", {}),
        "git_commit": m.get("git_commit"),
        "recorded": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "results_started": m.get("started"),
        # what the runs' last bits depend on besides the code (sweeps.regress.numerics)
        "numerics": bits_signature(str(m.get("engine") or "numpy")),
    }
    if isinstance(m.get("trainer"), dict):  # a user trainer's sweep: which code it gated
        meta["trainer"] = {k: m["trainer"].get(k) for k in ("ref", "name", "sha256")}
    write_csv_atomic(table, path)
    save_json(meta, side_file(path))
    return Baseline(path, table, meta)


def read_baseline(path: str | os.PathLike) -> Baseline:
    """Read a baseline CSV and its side file; a one-line ConfigError when unusable."""
    path = Path(path)
    where = f"baseline={str(path)!r}"
    if not path.is_file():
        raise ConfigError(
            f"{where}: no such file; record one with 'nnsweep baseline SPEC -o {path}'"
        )
    if not side_file(path).is_file():
        raise ConfigError(f"{where}: its side file {side_file(path).name} is missing")
    try:
        meta = json.loads(side_file(path).read_text())
    except (OSError, ValueError) as e:
        raise ConfigError(f"{where}: {side_file(path).name} is unreadable: {e}") from None
    missing = [k for k in META_KEYS if not isinstance(meta, dict) or k not in meta]
    if missing:
        raise ConfigError(f"{where}: {side_file(path).name} lacks {missing}")
    runs = _read_table(path, list(meta["axes"]), where)
    if len(runs) != meta["n_runs"]:
        raise ConfigError(f"{where} has {len(runs)} runs; its side file says {meta['n_runs']}")
    return Baseline(path, runs, meta)


def _read_table(path: Path, axes: list[str], where: str) -> pd.DataFrame:
    want = columns(axes)
    try:
        df = pd.read_csv(
            path,
            dtype={"hidden": "string", "run_id": "string"},
            keep_default_na=False,
            na_values=[""],
        )
    except (OSError, ValueError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ConfigError(f"{where} is unreadable: {msg}") from None
    missing = [c for c in want if c not in df.columns]
    if missing:
        raise ConfigError(f"{where} is not a baseline: missing columns {missing}")
    if "hidden" in df:
        df["hidden"] = df["hidden"].fillna("")
    try:
        df = df[want].astype({c: DTYPES[c] for c in want if c in DTYPES})
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where} has a malformed column: {e}") from None
    return check_runs(df, where)


def spec_differences(
    old: dict[str, Any],
    new: dict[str, Any],
    seeds: bool = False,
    names: tuple[str, str] = ("baseline", "now"),
) -> list[str]:
    """What differs between two canonical specs, among what decides a run's outcome.

    Returns one short phrase per difference (``"axis lr: baseline [1.0, 4.0], now
    [1.0, 2.0]"``, the sides called ``names``); the seeds count only when ``seeds``.
    """
    out = []
    was, now = names
    old_p, new_p = old.get("params", {}), new.get("params", {})
    for name in dict.fromkeys([*old_p, *new_p]):
        a, b = old_p.get(name, _UNSET), new_p.get(name, _UNSET)
        if _norm(a) != _norm(b):
            label = f"axis {name}" if isinstance(a, list) or isinstance(b, list) else name
            out.append(f"{label}: {was} {_short(a)}, {now} {_short(b)}")
    for key in [k for k in COMPARED if k != "params"] + (["seeds"] if seeds else []):
        a, b = old.get(key), new.get(key)
        if _norm(a) != _norm(b):
            out.append(f"{key}: {was} {_short(a)}, {now} {_short(b)}")
    return out


def _norm(value: Any) -> Any:
    """Lists compare as sets (an axis in another order has the same cells)."""
    return sorted(map(repr, value)) if isinstance(value, list) else value


def _short(value: Any) -> str:
    text = value if value is _UNSET else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_comparable(baseline: Baseline, spec: dict[str, Any], spec_hash: str) -> None:
    """Raise a one-line ConfigError unless ``spec`` (canonical) can be compared with the
    baseline: the same parameters, budget and stop rule; the seeds may differ."""
    diffs = spec_differences(baseline.spec, spec)
    if diffs:
        raise ConfigError(
            f"baseline={str(baseline.path)!r} is from a different spec (spec_hash "
            f"{str(baseline.meta['spec_hash'])[:12]} != {str(spec_hash)[:12]}): "
            + "; ".join(diffs)
        )


def read_bench_baseline(path: str | os.PathLike) -> dict[str, Any]:
    """Read a bench baseline (the JSON of ``nnsweep bench --json``); one-line errors."""
    where = f"baseline={str(path)!r}"
    try:
        doc = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(
            f"{where}: no such file; record one with 'nnsweep bench --save {path}'"
        ) from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"{where} is unreadable: {str(e).splitlines()[0]}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise ConfigError(f"{where} is not the JSON of 'nnsweep bench --json'")
    return doc


def save_json(doc: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write ``doc`` as indented JSON, atomically (NaN is refused: it is not JSON)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(doc, indent=2, allow_nan=False) + "\n")
    return path
