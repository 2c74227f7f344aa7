"""examples/seed: the seed's network as a user trainer, as written and corrected.

The corrected network is swept with -j 2, killed with SIGKILL half way and resumed
(the same runs.csv as an uninterrupted sweep), reported, and gated: ``nnsweep check``
passes against a baseline recorded from it and fails (exit 1) when the injected regression
(``SEED_REGRESSION=1``: its learning rate halved) is on. Budgets are cut for speed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sweeps.cli import main
from sweeps.execute.runner import run
from sweeps.report.write import write_report
from sweeps.results.read import load

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed"


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A copy of examples/seed, whose specs a test may cut down."""
    shutil.copytree(EXAMPLE, tmp_path / "seed", ignore=shutil.ignore_patterns("baselines"))
    return tmp_path / "seed"


def _edit(path: Path, *changes: tuple[str, str]) -> Path:
    text = path.read_text()
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return path


def _table(path: Path) -> str:
    return load(path).runs.drop(columns="wall_time_s").to_csv(index=False)


def test_as_written_the_network_crawls_and_corrected_it_learns(seed_dir, tmp_path):
    spec = _edit(seed_dir / "as-written.toml", ("seeds = 5", "seeds = 2"),
                 ("max_epochs = 20000", "max_epochs = 1000"))  # fmt: skip
    crawl = run(spec, tmp_path / "as-written", jobs=1)
    slow = crawl[crawl["lr"] == 1e-6]
    assert set(slow["status"]) == {"censored"}
    # 1,000 updates of 1e-6 leave the loss where it started, outputs near 0.5 (sigmoid).
    first = load(tmp_path / "as-written").runs
    assert ((slow["best_loss"] - slow["final_loss"]).abs() < 1e-3).all()
    assert (first.loc[slow.index, "max_error"] > 0.45).all()
    assert "signed_loss" in crawl.columns and crawl["signed_loss"].notna().all()
    fixed = run(_edit(seed_dir / "corrected.toml", ("seeds = 12", "seeds = 3")),
                tmp_path / "corrected", jobs=1)  # fmt: skip
    assert set(fixed["status"]) == {"converged"}


def test_the_corrected_network_resumes_after_kill_9_with_two_workers(seed_dir, tmp_path):
    spec = _edit(seed_dir / "corrected.toml", ("seeds = 12", "seeds = 4\nchunk_size = 2"))
    clean = tmp_path / "clean"
    run(spec, clean, jobs=1)
    n_chunks = len(list((clean / "chunks").glob("*.runs.csv")))
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sweeps.cli", "run", str(spec), "-o", str(out), "-j", "2",
           "--quiet", "--no-report"]  # fmt: skip
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list(out.glob("chunks/*.runs.csv"))) < n_chunks // 3:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the command, its workers and their trainers
    proc.wait()
    done = len(list(out.glob("chunks/*.runs.csv")))
    assert 0 < done < n_chunks, "the kill must land mid-sweep"
    assert not (out / "runs.csv").exists()
    subprocess.run(cmd, check=True, env=env)
    assert _table(out) == _table(clean)
    assert (out / "curves.csv.gz").read_bytes() == (clean / "curves.csv.gz").read_bytes()
    html = write_report(out)
    assert html.is_file() and {"survival.png", "loss_curves.png"} <= {
        p.name for p in (out / "plots").iterdir()
    }


def test_the_gate_passes_unchanged_and_catches_the_injected_regression(
    tmp_path, monkeypatch, capsys
):
    # A baseline recorded here: a NumPy trainer's last bits depend on the CPU (NumPy's
    # SIMD exp, the BLAS kernels), so the committed one is bit-identical only on its own
    # kind of machine (.ci/run checks it).
    spec, base = EXAMPLE / "corrected.toml", tmp_path / "base.csv"
    assert main(["baseline", str(spec), "-o", str(base), "-j", "1"]) == 0
    check = ["check", str(spec), "--baseline", str(base), "-j", "1", "-o"]
    capsys.readouterr()
    assert main([*check, str(tmp_path / "unchanged.csv")]) == 0
    assert "identical to baseline: all 48 runs bit-identical" in capsys.readouterr().out
    monkeypatch.setenv("SEED_REGRESSION", "1")  # the trainer's learning rate, halved
    assert main([*check, str(tmp_path / "regressed.csv")]) == 1
    out = capsys.readouterr().out
    assert "FAIL: 4 of 4 cells regressed" in out and "(x2.00" in out
