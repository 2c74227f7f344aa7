"""A spec's own tasks: ``[tasks.NAME]`` tables, read and prepared once, in the main process.

::

    [tasks.iris]
    file = "data/iris.csv"     # relative to the spec file; .csv, .npz (arrays X, Y),
                               # .parquet (with pyarrow installed)
    sha256 = "..."             # optional: the file's hash, checked (a manifest's spec has it)
    target = "species"         # one column or a list; a string target becomes one-hot
    inputs = ["sepal_length"]  # default: every column but the target(s)
    scale = "standard"         # "standard" (default) | "minmax" (to [0, 1]) | "none"
    holdout = 0.3              # share kept out of training for validation; 0 (default): none
    seed = 0                   # draws the holdout (stratified by class); default 0

    [tasks.moons]
    generator = "moons"        # moons | circles | blobs | spiral | xor_noisy (nncore.generators)
    n = 200                    # points, default 200
    noise = 0.2                # default 0.1
    seed = 0                   # draws the points and the holdout; default 0
    classes = 3                # blobs only: clusters, default 2
    scale = "none"             # and holdout, as for a file

The scaling is fitted on the training part alone and applied to both parts. A task's
settings, with the sha256 of its file, are its :meth:`TaskData.settings`: they enter
the run id of every run on it and the manifest, so an edited file makes new runs.
A name must not be a built-in task's; bad data raises a one-line ConfigError.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nncore.generators import DEFAULT_NOISE, GENERATORS, generate
from nncore.rules import ConfigError, check_choice, check_number, did_you_mean
from nncore.tasks import GATES

from . import _tables

__all__ = ["SCALES", "TaskData", "check_payload", "parse_tasks"]

SCALES = ("standard", "minmax", "none")
FILE_KEYS = ("file", "sha256", "target", "inputs", "scale", "holdout", "seed")
GENERATOR_KEYS = ("generator", "n", "noise", "seed", "classes", "scale", "holdout")
MAX_HOLDOUT = 0.9
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
BUILT_IN_RE = re.compile(r"(parity|encoder)\d+|two_spirals|" + "|".join(GATES))

Array = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class TaskData:
    """A spec-defined task, prepared: training arrays ``X, Y`` and, with a holdout,
    validation arrays ``X_val, Y_val`` (else None); ``classes`` names the one-hot
    columns of a class target (empty otherwise)."""

    name: str
    settings: dict[str, Any]  # JSON-ready; read back by parse_tasks
    X: Array = field(repr=False)
    Y: Array = field(repr=False)
    X_val: Array | None = field(default=None, repr=False)
    Y_val: Array | None = field(default=None, repr=False)
    classes: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:  # the settings hold the file's hash
        return isinstance(other, TaskData) and (self.name, self.settings) == (
            other.name,
            other.settings,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.digest))

    @property
    def n_in(self) -> int:
        return self.X.shape[1]

    @property
    def n_out(self) -> int:
        return self.Y.shape[1]

    @property
    def digest(self) -> str:
        """sha256 of the prepared arrays: what a worker checks it received."""
        return _digest(self.X, self.Y, self.X_val, self.Y_val)

    def shape(self) -> dict[str, Any]:
        """Sizes and classes, JSON-ready (the manifest records them)."""
        return {
            "n_in": self.n_in,
            "n_out": self.n_out,
            "n_train": len(self.X),
            "n_val": 0 if self.X_val is None else len(self.X_val),
            "classes": list(self.classes),
        }

    def payload(self) -> dict[str, Any]:
        """What a worker gets with each chunk on this task (a plain dict: never scattered)."""
        return {"task": self.name, "digest": self.digest, "X": self.X, "Y": self.Y,
                "X_val": self.X_val, "Y_val": self.Y_val}  # fmt: skip


def check_payload(payload: Mapping[str, Any], task: str) -> None:
    """Raise if ``payload`` is not the prepared data of ``task`` it says it is."""
    arrays = [payload[k] for k in ("X", "Y", "X_val", "Y_val")]
    if payload["task"] != task or _digest(*arrays) != payload["digest"]:
        raise RuntimeError(f"the data sent for task {task!r} is not the data prepared for it")


def _digest(*arrays: Array | None) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(b"-" if a is None else repr(a.shape).encode() + np.ascontiguousarray(a).data)
    return h.hexdigest()


def parse_tasks(raw: Any, base: Path) -> dict[str, TaskData]:
    """Read and prepare every ``[tasks.NAME]`` table; files are relative to ``base``."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"tasks={raw!r} must be tables: [tasks.NAME]")
    out = {}
    for name, table in raw.items():
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise ConfigError(
                f"tasks.{name}: a task name must match {NAME_RE.pattern} (a letter first)"
            )
        if BUILT_IN_RE.fullmatch(name):
            raise ConfigError(f"tasks.{name} has the name of a built-in task; choose another name")
        if not isinstance(table, Mapping):
            raise ConfigError(f"tasks.{name}={table!r} must be a table: [tasks.{name}]")
        out[name] = _prepare(name, dict(table), base)
    return out


def _prepare(name: str, table: dict[str, Any], base: Path) -> TaskData:
    prefix = f"tasks.{name}."
    if ("file" in table) == ("generator" in table):
        raise ConfigError(
            f'tasks.{name} must set one of file = "....csv" or generator = '
            f"{list(GENERATORS)}, not {'both' if 'file' in table else 'neither'}"
        )
    allowed = FILE_KEYS if "file" in table else GENERATOR_KEYS
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"unknown key {key!r} in [tasks.{name}]; allowed: {list(allowed)}"
                + did_you_mean(key, allowed)
            )
    scale = check_choice(prefix + "scale", table.get("scale", "standard"), SCALES)
    holdout = float(
        check_number(prefix + "holdout", table.get("holdout", 0.0), low=0, high=MAX_HOLDOUT)
    )
    seed = int(check_number(prefix + "seed", table.get("seed", 0), low=0, integer=True))
    if "file" in table:
        settings, x, y, classes = _from_file(prefix, table, base)
    else:
        settings, x, y, classes = _from_generator(prefix, table, seed)
    settings |= {"scale": scale, "holdout": holdout, "seed": seed}
    labels = _tables.class_labels(y)
    if labels is not None and len(np.unique(labels)) < 2:
        raise ConfigError(f"{prefix}target has one class; a class target needs 2 or more")
    train, val = _split(prefix, labels, len(x), holdout, seed, classes)
    x_train, x_val = _scale(scale, x[train], x[val] if val is not None else None)
    arrays = [x_train, y[train], x_val, y[val] if val is not None else None]
    for a in arrays:
        if a is not None:
            a.flags.writeable = False
    return TaskData(name, settings, *arrays, tuple(classes))


def _from_file(prefix: str, table: dict[str, Any], base: Path) -> tuple[dict, Array, Array, list]:
    given = table["file"]
    if not isinstance(given, str) or not given:
        raise ConfigError(f"{prefix}file={given!r} must be a path (relative to the spec)")
    data, parsed = _tables.read_file(prefix + "file", base / given, given)
    if isinstance(parsed, dict):  # an npz: X and Y, no column names to choose from
        for key in ("target", "inputs"):
            if key in table:
                raise ConfigError(f"{prefix}{key} applies to .csv and .parquet files only")
        df, inputs, targets = _tables.npz_frame(prefix + "file", parsed)
    else:
        if "target" not in table:
            raise ConfigError(f"missing key 'target' in [{prefix[:-1]}]: the target column(s)")
        targets, inputs = _tables.pick_columns(
            prefix, parsed, table["target"], table.get("inputs"), given
        )
        df = parsed
    if len(df) < 2:
        raise ConfigError(f"{prefix}file={given!r} has {len(df)} data row(s); need 2 or more")
    x = _tables.inputs_array(prefix, df, inputs)
    y, classes = _tables.targets_array(prefix, df, targets)
    sha = hashlib.sha256(data).hexdigest()
    pinned = table.get("sha256", sha)  # a manifest's spec pins the file it was run on
    if pinned != sha:
        raise ConfigError(
            f"{prefix}file={given!r} has sha256 {sha[:12]}..., not {str(pinned)[:12]}... "
            f"as {prefix}sha256 says: the file has changed"
        )
    settings = {"file": given, "sha256": sha, "target": targets, "inputs": inputs}
    return settings, x, y, classes


def _from_generator(
    prefix: str, table: dict[str, Any], seed: int
) -> tuple[dict, Array, Array, list]:
    name = table["generator"]
    n, noise = table.get("n", 200), table.get("noise", DEFAULT_NOISE)
    x, labels = generate(name, n, noise, seed, table.get("classes"), prefix=prefix)
    k = int(labels.max()) + 1
    y = labels[:, None].astype(np.float64) if k == 2 else np.eye(k)[labels]
    settings = {"generator": name, "n": int(n), "noise": float(noise)}
    if "classes" in table:
        settings["classes"] = int(table["classes"])
    return settings, x, y, [str(i) for i in range(k)] if k > 2 else []


def _split(
    prefix: str, labels: NDArray | None, n: int, holdout: float, seed: int, classes: list
) -> tuple[NDArray[np.intp], NDArray[np.intp] | None]:
    """Training and validation rows (each in file order): per class when there are classes."""
    if holdout == 0:
        return np.arange(n), None
    rng = np.random.default_rng([seed, 1])  # stream 1: a generator's points use stream 0
    groups = [np.arange(n)] if labels is None else [np.flatnonzero(labels == c)
                                                     for c in np.unique(labels)]  # fmt: skip
    val = []
    for members in groups:
        k = int(round(holdout * len(members)))
        if k == 0 or k == len(members):
            part = "validation" if k == 0 else "training"
            what = (
                "the data" if labels is None else f"class {_class_name(labels, members, classes)}"
            )
            raise ConfigError(
                f"{prefix}holdout={holdout!r} leaves {what} ({len(members)} samples) with no "
                f"{part} sample; use a holdout in (0, {MAX_HOLDOUT}] that keeps both"
            )
        val.append(rng.permutation(members)[:k])
    val_rows = np.sort(np.concatenate(val))
    return np.setdiff1d(np.arange(n), val_rows), val_rows


def _class_name(labels: NDArray, members: NDArray, classes: list) -> str:
    c = int(labels[members[0]])
    return repr(classes[c]) if classes else str(c)


def _scale(scale: str, x: Array, x_val: Array | None) -> tuple[Array, Array | None]:
    """Scale both parts with the training part's statistics (a constant column: by 1)."""
    if scale == "none":
        return np.ascontiguousarray(x), None if x_val is None else np.ascontiguousarray(x_val)
    if scale == "standard":
        shift, spread = x.mean(axis=0), x.std(axis=0)
    else:
        shift, spread = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    return (x - shift) / spread, None if x_val is None else (x_val - shift) / spread
