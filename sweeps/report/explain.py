"""``nnsweep explain``: one run's story in plain words, with its numbers.

Its configuration; how it ended (converged at epoch N, diverged at epoch N, or
censored at the budget) and how far from the threshold; its longest plateau; and,
when the sweep recorded diagnostics, what the layers did during that plateau (or the
whole run) and by its last recorded epoch: the signal passed back, saturated and dead
units, the units' spread and the gradient.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from nncore import ACTIVATIONS, OUTPUT_ACTIVATIONS, ConfigError, get_task
from nncore.rules import did_you_mean
from sweeps.config.params import OPTIMIZER_PARAMS, applies, parse_hidden
from sweeps.results.read import ResultsDir, load
from sweeps.stats.plateau import PLATEAU_FALL

__all__ = ["CHUNK_ROWS", "explain", "find_run"]

CHUNK_ROWS = 1_000_000  # rows read at a time when picking one run out of a large file


def explain(results_dir: str | os.PathLike, run_id: str) -> str:
    """The story of run ``run_id`` (or a unique prefix of it) of a results directory.

    Raises a one-line ConfigError for an unknown or ambiguous id.

    Example
    -------
    >>> print(explain("results/or-sigmoid-vs-tanh", "9d02fc"))  # doctest: +SKIP
    """
    res = load(results_dir)
    row = find_run(res, run_id)
    lines = [f"run {row['run_id']} of {res.manifest.get('spec', {}).get('name', res.path.name)}"]
    trainer, sizes = res.manifest.get("trainer"), None
    if isinstance(trainer, dict):
        lines += _trainer_config(row, trainer)
    else:
        tasks = res.manifest.get("tasks", {})
        sizes = _sizes(row, tasks)
        lines += _config(row, sizes, tasks.get(row["task"]))
    lines.append(_outcome(row, res.manifest.get("stop", {})))
    if pd.notna(row.get("val_loss", np.nan)):
        lines.append(
            f"held out: validation loss {row['val_loss']:.3g}, max error "
            f"{row['val_max_error']:.4g}, accuracy {row['val_accuracy']:.0%}"
        )
    if row["status"] == "failed":
        return "\n".join(lines)
    curve = _rows_of(res.path / "curves.csv.gz", row["run_id"])
    lines.append(_plateau(row, curve))
    diag = _rows_of(res.path / "diagnostics.csv.gz", row["run_id"])
    if diag is not None and sizes is not None:  # diagnostics: nncore's layers only
        lines += _inside(row, diag, sizes)
    return "\n".join(lines)


def find_run(res: ResultsDir, run_id: str) -> pd.Series:
    """The runs.csv row whose run_id is ``run_id`` or starts with it."""
    ids = res.runs["run_id"].astype(str)
    query = str(run_id).strip().lower()
    hits = res.runs[ids.str.startswith(query)] if query else res.runs.iloc[:0]
    if len(hits) == 1:
        return hits.iloc[0]
    where = f"in {str(res.path)!r}"
    if len(hits) > 1:
        shown = ", ".join(hits["run_id"].head(3))
        raise ConfigError(
            f"run_id={run_id!r} matches {len(hits)} runs {where} ({shown} ...); "
            "give more characters"
        )
    # Prefixes as long as the query, so that a mistyped prefix finds its run.
    near = did_you_mean(query, dict.fromkeys(i[: len(query)] for i in ids)) if query else ""
    raise ConfigError(
        f"run_id={run_id!r} is not a run {where}; allowed: one of its {len(ids):,} run ids "
        "(or a unique prefix, see runs.csv)" + near
    )


def _sizes(row: pd.Series, tasks: dict) -> list[int]:
    """Layer widths; a spec's own task's sizes are in the manifest's ``tasks``."""
    own = tasks.get(row["task"])
    n_in, n_out = (own["n_in"], own["n_out"]) if own else _built_in(row)
    return [n_in, *parse_hidden("hidden", row["hidden"]), n_out]


def _built_in(row: pd.Series) -> tuple[int, int]:
    data = get_task(row["task"], row["inputs"])
    return data.n_in, data.n_out


def _trainer_config(row: pd.Series, trainer: dict) -> list[str]:
    """A user trainer's run: its trainer and its own parameters."""
    names = [c for c in trainer.get("columns", {}) if c not in ("run_id", "max_epochs", "seed")]
    names = names[: names.index("status")] if "status" in names else names
    shown = ", ".join(f"{k} {row[k]}" for k in names)
    return [
        f"config: trainer {trainer.get('name', '?')} (sha256 {str(trainer.get('sha256'))[:12]}), "
        f"{shown or 'no parameters'}; seed {row['seed']}; budget {row['max_epochs']:,} epochs"
    ]


def _config(row: pd.Series, sizes: list[int], own: dict | None) -> list[str]:
    """``own``: the manifest's record of the run's task when it is one of the spec's."""
    opt = row["optimizer"]
    hyper = ", ".join(
        f"{k} {row[k]:g}" for k in OPTIMIZER_PARAMS if applies(k, opt) and pd.notna(row[k])
    )
    batch = f"mini-batches of {row['batch_size']}" if row["batch_size"] else "full batch"
    data = (
        f"{row['inputs']} inputs"
        if own is None
        else f"the spec's own: {own['n_train']} training, {own['n_val']} held-out samples"
    )
    return [
        f"config: task {row['task']} ({data}), network "
        f"{'-'.join(map(str, sizes))}{_wiring(row)}, {row['activation']} hidden units, "
        f"{row['output_activation']} output, {row['loss']} loss",
        f"        init {row['init']} (scale {row['init_scale']:g}), seed {row['seed']}; "
        f"{opt} ({hyper}), {batch}; budget {row['max_epochs']:,} epochs",
    ]


def _wiring(row: pd.Series) -> str:
    """The words for a run with shortcut connections (none in a runs.csv from before)."""
    shortcut = row.get("shortcut", False)
    return " with shortcut connections" if pd.notna(shortcut) and bool(shortcut) else ""


def _criteria(stop: dict) -> str:
    words = {"loss_below": "loss < {}", "max_error_below": "max error < {}"}
    parts = [words[k].format(v) for k, v in stop.items() if k in words]
    parts += ["every output in its outer 40%"] if stop.get("bits_40_20_40") else []
    return " and ".join(parts) or "no stop criterion"


def _outcome(row: pd.Series, stop: dict) -> str:
    if row["status"] == "failed":
        return f"outcome: failed, no result: {row['error']}"
    end = ", ".join(
        text.format(row[k])
        for k, text in (
            ("final_loss", "final loss {:.3g}"),
            ("max_error", "max error {:.4g}"),
            ("accuracy", "accuracy {:.0%}"),
        )  # fmt: skip
        if pd.notna(row[k])  # a user trainer may leave max_error and accuracy out
    )
    if row["status"] == "converged":
        return (
            f"outcome: converged at epoch {row['epochs_to_threshold']:,}, when "
            f"{_criteria(stop)} first held ({end})"
        )
    if row["status"] == "diverged":
        return (
            f"outcome: diverged at epoch {row['epochs_run']:,}: the loss became infinite, "
            f"NaN or larger than 1e10 (best loss before: {row['best_loss']:.3g})"
        )
    return (
        f"outcome: censored: after the budget of {row['epochs_run']:,} epochs "
        f"{_criteria(stop)} still did not hold ({end})"
    )


def _rows_of(path, run_id: str) -> pd.DataFrame | None:
    """One run's rows of a long-form gzipped CSV (None if the file does not exist)."""
    if not path.is_file():
        return None
    parts = [
        part[part["run_id"] == run_id]
        for part in pd.read_csv(path, chunksize=CHUNK_ROWS, dtype={"run_id": str})
    ]
    return pd.concat(parts, ignore_index=True)


def _plateau(row: pd.Series, curve: pd.DataFrame | None) -> str:
    length, end = int(row["plateau_epochs"]), row["plateau_end"]
    if length == 0 or pd.isna(end):
        return (
            f"plateau: none: the loss moved by at least {PLATEAU_FALL:.0%} per decade of "
            "epochs all along"
        )
    start, end = int(end) - length, int(end)
    share = length / max(int(row["epochs_run"]), 1)
    text = (
        f"plateau: from epoch {start:,} to {end:,} ({length:,} epoch{'s' * (length != 1)}, "
        f"{share:.0%} of the run) the loss moved by less than {PLATEAU_FALL:.0%} per decade"
    )
    if curve is not None and len(curve):
        loss = curve.set_index("epoch")["loss"]
        if start in loss.index and end in loss.index:
            text += f", from {loss[start]:.3g} to {loss[end]:.3g}"
    return text


def _inside(row: pd.Series, diag: pd.DataFrame, sizes: list[int]) -> list[str]:
    """Diagnostics lines: during the plateau (else the whole run), then at the end."""
    if diag.empty:
        return ["inside: no diagnostics were recorded for this run"]
    epochs = np.sort(diag["epoch"].unique())
    length, end = int(row["plateau_epochs"]), row["plateau_end"]
    if length and pd.notna(end):
        lo, hi = int(end) - length, int(end)
        window = f"during the plateau (epochs {lo:,} to {hi:,})"
    else:
        lo, hi = 0, int(epochs[-1])
        window = f"over the run (epochs 0 to {hi:,})"
    seen = diag[(diag["epoch"] >= lo) & (diag["epoch"] <= hi)]
    last = diag[diag["epoch"] == epochs[-1]]
    lines = [f"inside: {window}, median over its {seen['epoch'].nunique()} recorded epochs:"]
    lines += [f"  {text}" for text in _layers(row, seen, sizes)]
    lines.append(f"at epoch {int(epochs[-1]):,}, the last recorded before the run stopped:")
    lines += [f"  {text}" for text in _layers(row, last, sizes)]
    return lines


def _layers(row: pd.Series, rows: pd.DataFrame, sizes: list[int]) -> list[str]:
    med = rows.groupby(["layer", "metric"])["value"].median()
    out = []
    for layer in sorted(int(k) for k in rows["layer"].unique()):
        hidden = layer < len(sizes) - 1
        name = row["activation"] if hidden else row["output_activation"]
        act = (ACTIVATIONS if hidden else OUTPUT_ACTIVATIONS)[name]
        units = sizes[layer]
        where = f"hidden layer {layer}" if hidden else "output layer"
        facts = _facts(med.loc[layer].to_dict(), units, act.max_derivative)
        out.append(f"{where} ({units} {name} unit{'s' * (units > 1)}): {facts}")
    return out


def _facts(m: dict[str, float], units: int, max_d: float) -> str:
    parts = []
    if "mean_abs_deriv" in m:
        d = m["mean_abs_deriv"]
        parts.append(f"mean |f'(z)| {d:.3g} ({d / max_d:.0%} of its maximum {max_d:.3g})")
    for k in ("saturated", "dead"):
        if k in m and np.isfinite(m[k]):
            parts.append(f"{round(m[k] * units)} of {units} {k}")
    if "spread" in m:
        parts.append(f"spread {m['spread']:.2g}")
    parts.append(f"gradient norm {m['grad_norm']:.2g}")
    return ", ".join(parts)
