"""Expand a spec into one row per run, and cut the runs into populations and chunks.

A run's ``run_id`` hashes its whole configuration (parameters, budget, seed, stop
criteria, and the name and sha256 of any plugin whose part it uses), so the same
run has the same id in any spec, at any grid position.
Chunks are cut from the expanded frame alone, so their composition, and with it
every result, is the same for any number of workers.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nncore.rules import RULES, ConfigError, applies, check_hyper, hyper_names

from .columns import DTYPES, PARAM_COLUMNS
from .params import OPTIMIZER_PARAMS, PARAMS, STRUCTURAL, UNHASHED_DEFAULTS
from .plugins import Plugin, loaded, run_plugins

if TYPE_CHECKING:
    from .spec import SweepSpec

RUN_ID_HEX = 16
POPULATION_KEY = (*STRUCTURAL, "max_epochs")


def cells(spec: SweepSpec) -> pd.DataFrame:
    """The distinct configurations without the seed, in grid order (one row per cell).

    Grid axes vary in spec order, the first slowest, then the sampled point. Each row
    holds the hyper-parameters its optimiser uses (the rulebook says which; an unset
    ``lr`` is that optimiser's default) and none of the others (missing: empty cells in
    runs.csv); rows that become identical are kept once (the first).
    """
    axes = [a for a in spec.axes if a in spec.params]
    lengths = [len(spec.params[a]) for a in axes]
    n_grid = math.prod(lengths)
    n_points = spec.sample.n if spec.sample else 1
    where = np.unravel_index(np.arange(n_grid), lengths) if axes else ()
    cols: dict[str, Any] = {}
    for name, values in spec.params.items():
        if len(values) == 1:
            cols[name] = [values[0]] * (n_grid * n_points)
        else:
            picked = _column(values)[where[axes.index(name)]]
            cols[name] = np.repeat(picked, n_points)
    for name, values in (spec.sample.points if spec.sample else {}).items():
        cols[name] = np.tile(_column(values), n_grid)
    cols["max_epochs"] = spec.max_epochs
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n_grid * n_points))
    if spec.trainer:  # the trainer's own parameters, in its declared order
        return frame[[*spec.trainer_def.params, "max_epochs"]]
    frame = _hyper_per_optimizer(frame[[c for c in PARAM_COLUMNS if c != "seed"]])
    return frame.drop_duplicates(keep="first").reset_index(drop=True)


def _column(values: Any) -> NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _hyper_per_optimizer(frame: pd.DataFrame) -> pd.DataFrame:
    """Give each row the hyper-parameters of its own optimiser, and only those."""
    frame = frame.copy()
    unset_lr = frame["lr"].isna().to_numpy()  # lr not given in the spec
    for opt in frame["optimizer"].unique():
        rows = (frame["optimizer"] == opt).to_numpy()
        frame.loc[rows & unset_lr, "lr"] = RULES["lr"].default_for(opt)
        used = hyper_names(opt)
        for name in OPTIMIZER_PARAMS:
            if name not in used:
                frame.loc[rows, name] = None
        pairs = frame.loc[rows, list(used)].drop_duplicates()
        for values in pairs.to_dict("records"):
            check_hyper(opt, values, prefix="params.")
    return frame


def expand(spec: SweepSpec) -> pd.DataFrame:
    """One row per run: ``run_id`` and every parameter, ``max_epochs`` and ``seed``.

    Rows follow :func:`cells`, each cell repeated for every seed (the fastest).
    """
    base = cells(spec)
    n_seeds = len(spec.seeds)
    frame = base.loc[base.index.repeat(n_seeds)].reset_index(drop=True)
    frame["seed"] = np.tile(np.asarray(spec.seeds, dtype=np.int64), len(base))
    if spec.trainer:
        keys = [spec.trainer_def.run_text(row, spec.stop) for row in base.to_dict("records")]
    else:
        own = {name: dict(t.settings) for name, t in spec.tasks.items()}
        keys = [
            _config_text(row, spec.stop, own.get(row["task"]), spec.plugins)
            for row in base.to_dict("records")
        ]
    ids = [_hash(f"{k}|seed={s}") for k in keys for s in spec.seeds]
    frame.insert(0, "run_id", ids)
    dtypes = DTYPES | (spec.trainer_def.dtypes() if spec.trainer else {})
    frame = frame.astype({c: dtypes[c] for c in frame.columns})
    if spec.trainer:  # its runs are independent: one group, whatever its parameters' names
        frame.attrs["population_key"] = ["max_epochs"]
    return frame


def run_id(
    config: Mapping[str, Any],
    stop: Mapping[str, Any] | None = None,
    task: Mapping[str, Any] | None = None,
) -> str:
    """A run's stable id: a hash of its parameters, ``max_epochs``, ``seed`` and stop rule.

    ``config`` holds every parameter (those the optimiser ignores may be missing or
    NaN), ``max_epochs``, ``seed`` and, unless given as ``stop``, a ``stop`` mapping;
    any other key (a runs.csv row's metrics) is ignored. A run on one of the spec's
    own tasks also hashes that task's settings (``task``: its file's sha256 among them).
    """
    stop = config.get("stop", {}) if stop is None else stop
    return _hash(f"{_config_text(config, stop, task)}|seed={int(config['seed'])}")


def _config_text(
    config: Mapping[str, Any],
    stop: Mapping[str, Any],
    task: Mapping[str, Any] | None = None,
    plugins: tuple[Plugin, ...] | None = None,
) -> str:
    """Canonical JSON of a configuration without its seed (floats by repr).

    A run on a spec's own task adds ``task_settings``; a run that uses a plugin's part
    also hashes that plugin's name and sha256 (``plugins``: the spec's; default: those
    loaded in this process). Any other run hashes exactly what it hashed before tasks
    and plugins existed; so does a parameter of :data:`UNHASHED_DEFAULTS` (``shortcut``)
    at its default.
    """
    opt = config["optimizer"]
    out: dict[str, Any] = {}
    for name, p in PARAMS.items():
        if name in OPTIMIZER_PARAMS and not applies(name, opt):
            continue
        if name in UNHASHED_DEFAULTS and _is_default(p, config.get(name, p.default)):
            continue  # hashed only when set: every run from before it keeps its id
        if name not in config or pd.isna(config[name]):
            raise ConfigError(f"run_id: config has no value for {name!r}")
        out[name] = p.kind(config[name]) if name != "hidden" else p.check(name, config[name])
    out["max_epochs"] = int(config["max_epochs"])
    out["stop"] = {k: v if isinstance(v, bool) else float(v) for k, v in stop.items() if v}
    if task is not None:
        out["task_settings"] = dict(task)
    used = run_plugins(config, loaded() if plugins is None else plugins)
    if used:
        out["plugins"] = used
    return json.dumps(out, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _is_default(p: Any, value: Any) -> bool:
    return pd.isna(value) or p.kind(value) == p.default


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:RUN_ID_HEX]


def chunk_id(run_ids: Sequence[str]) -> str:
    """The id :func:`chunks` gives the chunk of ``run_ids`` (in grid order): a reader
    of a chunk file can tell from it that the file holds that chunk's runs."""
    return _hash("\n".join(run_ids))


def groups(df: pd.DataFrame) -> list[NDArray[np.intp]]:
    """Positions of the runs that can share one Population, group by group.

    Runs share a population when they agree on every structural parameter and on
    ``max_epochs``; groups come in order of first appearance, rows in frame order.
    A trainer sweep's runs are one group (``df.attrs["population_key"]``, set by expand).
    """
    if len(df) == 0:
        return []
    key = list(df.attrs.get("population_key", POPULATION_KEY))
    codes = df.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return np.split(order.astype(np.intp), bounds)


@dataclass(frozen=True, eq=False)
class Chunk:
    """A unit of work: ``rows`` (positions in the expanded frame) trained as one population.

    ``population`` numbers the group of runs it was cut from (chunks of one group are
    alike: the same structure, other seeds and hyper-parameters).
    """

    chunk_id: str
    rows: NDArray[np.intp]
    population: int = 0

    def __len__(self) -> int:
        return len(self.rows)


def chunks(df: pd.DataFrame, chunk_size: int) -> list[Chunk]:
    """Cut each population group into near-equal chunks of at most ``chunk_size`` runs.

    ``chunk_id`` hashes the chunk's run ids, so it names the same work in any session.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ConfigError(f"chunk_size={chunk_size!r} must be an integer >= 1")
    ids = df["run_id"].to_numpy(dtype=object)
    out = []
    for population, idx in enumerate(groups(df)):
        for part in np.array_split(idx, -(-len(idx) // chunk_size)):
            part.flags.writeable = False
            out.append(Chunk(_hash("\n".join(ids[part])), part, population))
    return out


def cost(spec_or_df: SweepSpec | pd.DataFrame, chunk_size: int | None = None) -> dict[str, int]:
    """Upper bounds on a sweep's work: runs, cells, network-epochs, populations, chunks.

    ``network_epochs`` counts every run at its whole budget (runs stop early when
    they converge or diverge). ``chunk_size`` defaults to the spec's (256 for a frame).
    """
    if isinstance(spec_or_df, pd.DataFrame):
        df, size = spec_or_df, chunk_size or 256
    else:
        df, size = expand(spec_or_df), chunk_size or spec_or_df.chunk_size
    params = [c for c in df.columns if c not in ("run_id", "seed")]
    return {
        "runs": len(df),
        "cells": len(df[params].drop_duplicates()) if len(df) else 0,
        "network_epochs": int(df["max_epochs"].sum()),
        "populations": len(groups(df)),
        "chunks": len(chunks(df, size)),
    }


def n_runs(spec: SweepSpec) -> int:
    """The number of runs :func:`expand` gives, counted without building them.

    Per optimiser: the grid axes it uses, times its distinct sampled points (on the
    names it uses), times the seeds; a hyper-parameter it ignores multiplies nothing,
    as the rows that masking makes identical are kept once.
    """
    if spec.trainer:
        return math.prod(len(v) for v in spec.params.values()) * len(spec.seeds)
    points = spec.sample.points if spec.sample else {}
    n_points = spec.sample.n if spec.sample else 1
    optimizers = dict.fromkeys(points.get("optimizer", spec.params.get("optimizer", ())))
    total = 0
    for opt in optimizers:
        grid = math.prod(
            len(v) for k, v in spec.params.items() if k != "optimizer" and applies(k, opt)
        )
        names = [k for k in points if applies(k, opt)]
        rows = [i for i in range(n_points) if points.get("optimizer", [opt] * n_points)[i] == opt]
        total += grid * len({tuple(points[k][i] for k in names) for i in rows})
    return total * len(spec.seeds)
