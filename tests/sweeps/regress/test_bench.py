"""The bench gate: ratios against a baseline, like for like, and ``nnsweep bench``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nncore import ConfigError
from sweeps.cli import main
from sweeps.regress.bench import compare_bench
from sweeps.regress.table import format_bench


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def bench_doc(*ratios: float, quick: bool = False) -> dict:
    cases = [
        {"name": f"case{i}", "ratio": r, "n_networks": 1000, "loop_networks": 25, "epochs": 500}
        for i, r in enumerate(ratios)
    ]
    return {"cases": cases, "quick": quick}


def test_bench_ratio_drop_beyond_max_drop_fails():
    t = compare_bench(bench_doc(40.0, 7.0), bench_doc(60.0, 7.5), max_drop=0.30)
    assert list(t["verdict"]) == ["FAIL", "PASS"]
    np.testing.assert_allclose(t["change"], [40 / 60 - 1, 7 / 7.5 - 1])
    assert "FAIL: 1 of 2 ratios fell by more than 30%" in format_bench(t, 0.30)


def test_bench_baseline_must_be_like_for_like():
    with pytest.raises(ConfigError, match="quick"):
        compare_bench(bench_doc(5.0, quick=True), bench_doc(60.0))
    with pytest.raises(ConfigError, match="'case1' is not in the baseline"):
        compare_bench(bench_doc(60.0, 7.0), bench_doc(60.0))
    other = bench_doc(60.0)
    other["cases"][0]["epochs"] = 5
    with pytest.raises(ConfigError, match="other sizes"):
        compare_bench(bench_doc(60.0), other)


def test_bench_cli_compares_and_saves(tmp_path, monkeypatch, capsys):
    import sweeps.bench.trainer

    base = tmp_path / "bench.json"
    base.write_text(json.dumps(bench_doc(60.0, 7.0)))
    fake = lambda quick=False: bench_doc(58.0, 4.0)  # noqa: E731
    monkeypatch.setattr(sweeps.bench.trainer, "run_bench", fake)
    monkeypatch.setattr(sweeps.bench.trainer, "format_table", lambda result: "table")
    saved = tmp_path / "new.json"
    assert main(["bench", "--baseline", str(base), "--save", str(saved)]) == 1
    assert "FAIL: 1 of 2 ratios fell by more than 35%" in capsys.readouterr().out
    assert json.loads(saved.read_text()) == bench_doc(58.0, 4.0)
    assert main(["bench", "--baseline", str(saved)]) == 0
    assert main(["bench", "--baseline", str(tmp_path / "none.json")]) == 2
    assert "none.json': no such file" in one_line_error(capsys)
