"""Run-by-run comparison with a baseline: which runs differ, to the bit, and why.

Runs are deterministic, so the same code reproduces its baseline exactly. This module
matches the runs now with the baseline's (by ``run_id``, or else by their parameters
and seed), counts the runs whose metrics differ in each cell, and keeps the first
difference with both values, which ``nnsweep check --exact`` prints and fails on.

Bit-identity holds between machines with the same numerics signature
(:mod:`nncore.engines.signature`): NumPy's SIMD ``exp`` and ``tanh`` and OpenBLAS's
kernels differ in their last bits between, say, an AVX2 and an AVX-512 machine. On a
machine whose signature is not the baseline's, a run still has to match its baseline run
in ``status``, ``epochs_to_threshold`` and ``epochs_run`` exactly, and in ``final_loss``
to :data:`ACROSS_MACHINES` relative: rounding moves a loss by ~1e-15 per epoch, and
chaotic runs (Adam at a large rate) amplify it to ~1e-9 in 100 epochs, while a bug moves
the epochs, or the loss by orders of magnitude more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sweeps.stats.levels import cell_label

from .baseline import METRICS

ACROSS_MACHINES = 1e-6  # final_loss's relative tolerance where the numerics signatures differ


@dataclass(frozen=True)
class Match:
    """How the runs now line up with the baseline's.

    ``how`` is ``"ids"`` (the same run ids), ``"params"`` (the same parameters and
    seeds, but ``renamed`` runs have other ids), ``"seeds"`` (the seed sets differ) or
    ``"runs"`` (the same seeds, yet the runs do not pair up).
    """

    how: str
    renamed: int = 0
    differing: int = -1  # runs whose metrics differ, when the runs pair up
    per_cell: dict[str, int] = field(default_factory=dict)
    first: str = ""  # the first difference: run, column and both values
    rtol: float = 0.0  # final_loss's tolerance (0: to the bit)
    last_bits: int = 0  # runs that differ only within rtol (counted apart from ``differing``)

    @property
    def paired(self) -> bool:
        return self.how in ("ids", "params")

    @property
    def identical(self) -> bool:
        return self.how == "ids" and self.differing == 0 and self.last_bits == 0


def match_runs(
    base: pd.DataFrame, now: pd.DataFrame, axes: list[str], rtol: float = 0.0
) -> Match:
    """Pair the runs by ``run_id``, else by (axes, seed), and compare their metrics
    (``final_loss`` to ``rtol`` relative; 0: every metric to the bit)."""
    if len(base) == len(now) and set(base["run_id"]) == set(now["run_id"]):
        joined = base.merge(now, on="run_id", suffixes=("_b", "_n"), validate="1:1")
        return _compare(joined, axes, "ids", 0, {a: f"{a}_b" for a in axes}, rtol)
    if set(base["seed"]) != set(now["seed"]):
        return Match("seeds")
    key = [*axes, "seed"]
    b, n = _keyed(base, key), _keyed(now, key)
    if len(b) != len(base) or len(n) != len(now) or set(b.index) != set(n.index):
        return Match("runs")
    joined = b.add_suffix("_b").join(n.add_suffix("_n"), how="inner").reset_index()
    renamed = int((joined["run_id_b"] != joined["run_id_n"]).sum())
    joined["run_id"] = joined["run_id_b"]
    return _compare(joined, axes, "params", renamed, {a: a for a in axes}, rtol)


def _keyed(runs: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """The runs indexed by their parameters and seed (NaN levels made comparable)."""
    idx = pd.MultiIndex.from_frame(runs[key].astype(object).where(runs[key].notna(), None))
    out = runs[["run_id", *METRICS]].set_axis(idx)
    return out[~out.index.duplicated(keep=False)]


def _compare(
    joined: pd.DataFrame,
    axes: list[str],
    how: str,
    renamed: int,
    cols: dict[str, str],
    rtol: float = 0.0,
) -> Match:
    differs = np.zeros(len(joined), dtype=bool)
    bits = np.zeros(len(joined), dtype=bool)  # any metric not bit-identical
    first: tuple[int, str] | None = None
    for m in METRICS:
        b, n = joined[f"{m}_b"], joined[f"{m}_n"]
        bits |= ~same_values(b, n)
        d = ~same_values(b, n, rtol if m == "final_loss" else 0.0)
        if d.any():
            at = int(np.flatnonzero(d)[0])
            first = (at, m) if first is None or at < first[0] else first
        differs |= d
    per_cell: dict[str, int] = {}
    for _, r in joined[differs].iterrows():
        label = cell_label(axes, tuple(r[cols[a]] for a in axes)) if axes else "all runs"
        per_cell[label] = per_cell.get(label, 0) + 1
    text = ""
    if first is not None:
        r, m = joined.iloc[first[0]], first[1]
        text = (
            f"run {r['run_id']} (seed {int(r['seed'] if 'seed' in r else r['seed_b'])}): "
            f"{m} baseline {_exact(r[f'{m}_b'])}, now {_exact(r[f'{m}_n'])}"
        )
    last_bits = int((bits & ~differs).sum())
    return Match(how, renamed, int(differs.sum()), per_cell, text, rtol, last_bits)


def same_values(a: pd.Series, b: pd.Series, rtol: float = 0.0) -> np.ndarray:
    """Element-wise: equal to the bit (floats by their bits, NaN equal to NaN), or for
    floats with ``rtol`` > 0 within ``rtol`` relative (infinities of the same sign equal)."""
    if pd.api.types.is_float_dtype(a) and pd.api.types.is_float_dtype(b):
        x, y = a.to_numpy(np.float64), b.to_numpy(np.float64)
        same = (x.view(np.uint64) == y.view(np.uint64)) | (np.isnan(x) & np.isnan(y))
        if rtol > 0:
            with np.errstate(invalid="ignore"):
                same |= np.isclose(x, y, rtol=rtol, atol=0.0)
        return same
    both_na = (a.isna() & b.isna()).to_numpy(bool)
    return ((a == b).fillna(False).to_numpy(bool) & ~a.isna().to_numpy(bool)) | both_na


def _exact(value: object) -> str:
    """A value as it is: floats by repr (every bit shown), missing as 'empty'."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "empty"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def notes(match: Match, base: pd.DataFrame, now: pd.DataFrame) -> tuple[str, ...]:
    """What the comparison found, in words: the lines printed above the cell table."""
    out = []
    if match.renamed:
        why = (
            "the trainer's code changed (its file's hash is part of every run id)"
            if "error" in now.columns  # a user trainer's sweep
            else "the run-id hashing changed"
        )
        out.append(
            f"the run ids differ for {match.renamed:,} runs with the same seeds and "
            f"parameters: {why}"
        )
    if match.identical:
        out.append(f"identical to baseline: all {len(now):,} runs bit-identical")
    elif match.paired and match.differing == 0 and match.last_bits:
        out.append(
            f"{match.last_bits:,} of {len(now):,} runs differ from the baseline in their last "
            f"bits only (final loss within {match.rtol:g} relative; status and epochs the "
            "same)"
        )
    elif match.paired and match.differing == 0:
        out.append(f"all {len(now):,} runs bit-identical to the baseline's (matched by seed)")
    elif match.paired:
        out.append(
            f"{match.differing:,} of {len(now):,} runs differ from the baseline "
            "(status, epochs or final loss); comparing cell statistics"
        )
    elif match.how == "seeds":
        out.append(
            f"seeds differ from the baseline (baseline: {_seeds(base)}; now: {_seeds(now)}): "
            "comparing cell statistics only"
        )
    else:
        out.append("the runs do not pair up with the baseline's: comparing cell statistics only")
    return tuple(out)


def exact_failures(match: Match) -> list[str]:
    """Why an exact check fails (empty when every run is the baseline's, bit for bit, or
    within the match's tolerance)."""
    if match.identical or (match.how == "ids" and match.differing == 0):
        return []
    lines = []
    if match.renamed:
        lines.append(f"{match.renamed:,} runs have other run ids than the baseline's")
    if match.differing > 0:
        lines += [f"{k}: {v:,} runs differ" for k, v in match.per_cell.items()]
        lines.append(f"first difference: {match.first}")
    if not match.paired:
        lines.append("the runs cannot be compared one by one with the baseline's")
    return lines


def _seeds(runs: pd.DataFrame) -> str:
    s = sorted(set(runs["seed"].tolist()))
    if s == list(range(s[0], s[0] + len(s))):
        return f"{len(s)} seeds {s[0]}..{s[-1]}"
    return f"{len(s)} seeds {s[:4]}{' ...' if len(s) > 4 else ''}"
