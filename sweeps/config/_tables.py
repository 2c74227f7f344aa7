"""Read a data file of a ``[tasks.NAME]`` table into input and target arrays.

A ``.csv`` or ``.parquet`` file is a table of named columns: ``target`` names one
column or a list, ``inputs`` the input columns (default: every other one). A single
non-numeric target column (strings, categories) becomes one one-hot column per class,
classes in sorted order. A ``.npz`` file holds arrays ``X`` (samples x inputs) and
``Y``: one label per sample (1-d: strings become one-hot as above) or a matrix of
targets. Every problem raises a one-line :class:`nncore.rules.ConfigError` naming the
field, the value and what is allowed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nncore.rules import ConfigError, did_you_mean

SUFFIXES = (".csv", ".npz", ".parquet")
SHOWN = 12  # column names listed in a message at most

Array = NDArray[np.float64]


def read_file(field: str, path: Path, shown: str) -> tuple[bytes, Any]:
    """``(the file's bytes, its table)``: a pandas DataFrame, or the npz's arrays."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"{field}={shown!r} must end in one of {list(SUFFIXES)}")
    try:
        data = path.read_bytes()  # read once: the hash and the table are of the same bytes
    except FileNotFoundError:
        raise ConfigError(f"{field}={shown!r}: no such file ({path})") from None
    except OSError as e:
        raise ConfigError(f"{field}={shown!r}: cannot read: {e.strerror}") from None
    try:
        return data, _parse(suffix, data)
    except ConfigError as e:
        raise ConfigError(f"{field}={shown!r}: {e}") from None
    except ImportError:
        raise ConfigError(f"{field}={shown!r} needs pyarrow: pip install pyarrow") from None
    except Exception as e:  # a reader's own error: its first line says what is wrong
        cause = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError(f"{field}={shown!r} cannot be read: {cause}") from None


def _parse(suffix: str, data: bytes) -> Any:
    import pandas as pd

    if suffix == ".csv":
        return pd.read_csv(io.BytesIO(data))
    if suffix == ".parquet":
        return pd.read_parquet(io.BytesIO(data))
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        missing = [k for k in ("X", "Y") if k not in npz.files]
        if missing:
            raise ConfigError(f"has no array {missing[0]!r} (arrays: {npz.files}); need X and Y")
        return {"X": npz["X"], "Y": npz["Y"]}


def npz_frame(field: str, arrays: dict[str, NDArray]) -> tuple[Any, list[str], list[str]]:
    """An npz's X and Y as one table: ``(frame, inputs x0.., targets y or y0..)``."""
    import pandas as pd

    x, y = arrays["X"], arrays["Y"]
    if x.ndim != 2 or y.ndim not in (1, 2) or len(x) != len(y):
        raise ConfigError(
            f"{field}: X {x.shape} and Y {y.shape} must be (samples, inputs) and "
            "(samples,) or (samples, outputs)"
        )
    inputs = [f"x{i}" for i in range(x.shape[1])]
    targets = ["y"] if y.ndim == 1 else [f"y{i}" for i in range(y.shape[1])]
    cols = dict(zip(inputs, x.T, strict=True))
    cols |= {"y": y} if y.ndim == 1 else dict(zip(targets, y.T, strict=True))
    return pd.DataFrame(cols), inputs, targets


def pick_columns(
    prefix: str, df: Any, target: Any, inputs: Any, where: str
) -> tuple[list[str], list[str]]:
    """Check ``target`` and ``inputs`` against the table's columns; return both as lists."""
    names = [str(c) for c in df.columns]
    targets = _names(f"{prefix}target", target, names, where)
    if inputs is None:
        chosen = [c for c in names if c not in targets]
    else:
        chosen = _names(f"{prefix}inputs", inputs, names, where)
        both = [c for c in chosen if c in targets]
        if both:
            raise ConfigError(f"{prefix}inputs lists {both[0]!r}, which is the target")
    if not chosen:
        raise ConfigError(f"{prefix}inputs: {where} has no column left for the inputs")
    return targets, chosen


def _names(field: str, value: Any, names: list[str], where: str) -> list[str]:
    given = [value] if isinstance(value, str) else value
    if not isinstance(given, list) or not given or not all(isinstance(v, str) for v in given):
        raise ConfigError(f"{field}={value!r} must be a column name or a list of them")
    for v in given:
        if v not in names:
            listed = names[:SHOWN] + (["..."] if len(names) > SHOWN else [])
            raise ConfigError(
                f"{field}={v!r} is not a column of {where}; columns: {listed}"
                + did_you_mean(v, names)
            )
    if len(set(given)) != len(given):
        raise ConfigError(f"{field}={value!r} repeats a column")
    return list(given)


def inputs_array(prefix: str, df: Any, inputs: Sequence[str]) -> Array:
    """The input columns as a float matrix: numeric, no missing value, finite."""
    import pandas as pd

    for c in inputs:
        col = df[c]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            example = col.dropna().iloc[0] if col.notna().any() else None
            raise ConfigError(
                f"{prefix}inputs: column {c!r} is not numeric (e.g. {example!r}); list the "
                "numeric inputs in inputs = [...], or make it the target"
            )
        _no_missing(prefix, c, col)
    x = df[list(inputs)].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(x)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        value = float(x[row, col])
        raise ConfigError(
            f"{prefix}inputs: column {inputs[col]!r} has {value!r} in data row {row + 1}"
        )
    return x


def _no_missing(prefix: str, name: str, col: Any) -> None:
    missing = col.isna().to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0]) + 1
        raise ConfigError(
            f"{prefix}file: column {name!r} has {int(missing.sum())} missing value(s) "
            f"(first in data row {first}); fill or drop them"
        )


def targets_array(prefix: str, df: Any, targets: Sequence[str]) -> tuple[Array, list[str]]:
    """The target columns as a float matrix, and the class names of a one-hot target
    (empty for numeric targets). One non-numeric column becomes one-hot."""
    import pandas as pd

    for c in targets:
        _no_missing(prefix, c, df[c])
    cols = [df[c] for c in targets]
    numeric = [pd.api.types.is_numeric_dtype(c) or pd.api.types.is_bool_dtype(c) for c in cols]
    if len(targets) == 1 and not numeric[0]:
        labels = cols[0].astype(str).to_numpy()
        classes = sorted(set(labels.tolist()))
        if len(classes) < 2:
            raise ConfigError(
                f"{prefix}target={targets[0]!r} has one class ({classes[0]!r}); a class "
                "target needs 2 or more"
            )
        y = (labels[:, None] == np.asarray(classes, dtype=object)[None, :]).astype(np.float64)
        return y, classes
    if not all(numeric):
        bad = targets[numeric.index(False)]
        raise ConfigError(
            f"{prefix}target: column {bad!r} is not numeric; a string or category target "
            "must be the only target column"
        )
    y = df[list(targets)].to_numpy(dtype=np.float64)
    if not np.isfinite(y).all():
        raise ConfigError(f"{prefix}target: {targets} hold a value that is not finite")
    return y, []


def class_labels(y: Array) -> NDArray[np.int64] | None:
    """Each sample's class when the targets are classes (one 0/1 column, or one-hot
    rows), else None (numeric targets: a split is not stratified)."""
    binary = np.isin(y, (0.0, 1.0)).all()
    if binary and y.shape[1] == 1:
        return y[:, 0].astype(np.int64)
    if binary and (y.sum(axis=1) == 1).all():
        return y.argmax(axis=1).astype(np.int64)
    return None
