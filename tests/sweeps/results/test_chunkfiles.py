"""A chunk's files are written without pandas; their lines are what pandas would write."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pandas as pd

from sweeps.results.chunkfiles import runs_csv, write_chunk
from sweeps.results.schema import COLUMNS, CURVE_COLUMNS, DIAGNOSTIC_COLUMNS, frame

ODD_FLOATS = [0.1, 1e-05, 1e16, 123456789.125, -0.0, math.inf, -math.inf, math.nan, 5.0, 2.5e-300]


def _table(n: int) -> dict[str, list]:
    rng = np.random.default_rng(3)
    table = {}
    for name, dtype in pd.DataFrame(columns=COLUMNS).pipe(frame).dtypes.items():
        if dtype == "float64":
            table[name] = [ODD_FLOATS[i % len(ODD_FLOATS)] for i in range(n)]
        elif dtype == "Int64":
            table[name] = [None if i % 3 == 0 else int(rng.integers(0, 10**6)) for i in range(n)]
        elif dtype == "int64":
            table[name] = [int(v) for v in rng.integers(-5, 10**9, size=n)]
        elif dtype == "boolean":
            table[name] = [bool(i % 3) for i in range(n)]
        else:
            table[name] = [["", "6x6", 'say "hi"', "a,b", "x"][i % 5] for i in range(n)]
    table["run_id"] = [f"{i:016x}" for i in range(n)]
    table["final_loss"] = [np.float64(v) for v in ODD_FLOATS] * (n // len(ODD_FLOATS))
    return table


def test_runs_lines_are_the_lines_to_csv_writes():
    table = _table(20)
    assert runs_csv(table).decode() == frame(table).to_csv(index=False)


def test_curves_and_diagnostics_match_to_csv_without_header(tmp_path):
    curves = {"run_id": ["a", "a", "b"], "epoch": [0, 1, 0], "loss": [0.25, math.nan, 1e-7]}
    diags = {
        "run_id": ["a", "b"],
        "epoch": [0, 10],
        "layer": [0, 1],
        "metric": ["sat", "grad"],
        "value": [1 / 3, math.nan],
    }
    write_chunk(tmp_path, "c", _table(10), curves, diags)
    got = gzip.decompress((tmp_path / "c.curves.gz").read_bytes()).decode()
    # Without a validation loss its column is empty.
    want = pd.DataFrame(curves, columns=CURVE_COLUMNS).to_csv(index=False, header=False)
    assert got == want
    with_val = {**curves, "val_loss": [0.5, None, math.inf]}
    write_chunk(tmp_path, "v", _table(10), with_val)
    got = gzip.decompress((tmp_path / "v.curves.gz").read_bytes()).decode()
    assert got == pd.DataFrame(with_val).to_csv(index=False, header=False)
    got = gzip.decompress((tmp_path / "c.diagnostics.gz").read_bytes()).decode()
    want = pd.DataFrame(diags, columns=DIAGNOSTIC_COLUMNS).to_csv(
        index=False, header=False, float_format="%.6g"
    )
    assert got == want
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c.curves.gz", "c.diagnostics.gz", "c.runs.csv", "v.curves.gz", "v.runs.csv"
    ]  # fmt: skip
