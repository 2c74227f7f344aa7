"""Fault cases run the real CLI on a tiny sweep and hold every outcome to one line."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

TINY = """\
name = "tiny"
description = "fault cases"
seeds = 2
max_epochs = 40
chunk_size = 2

[params]
task = "or"
activation = ["tanh", "sigmoid"]

[stop]
loss_below = 0.01
"""


def nnsweep(
    *args: str, cwd: Path | None = None, timeout: float | None = None
) -> tuple[int, str]:
    """Run ``nnsweep ARGS``; return the exit code and stdout+stderr.

    In this process (``sweeps.cli.main``, as the console script calls it), unless a
    ``timeout`` asks for a separate one that can be stopped: a command that could hang
    (a Dask address that never answers) runs as ``python -m sweeps.cli``.
    """
    if timeout is not None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
        res = subprocess.run(
            [sys.executable, "-m", "sweeps.cli", *args],
            capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout, check=False,
        )  # fmt: skip
        return res.returncode, (res.stdout + res.stderr).strip()
    from sweeps.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _chdir(cwd or Path.cwd()), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as e:  # argparse's --help and --version
            code = e.code if isinstance(e.code, int) else 1
    return code, (out.getvalue() + err.getvalue()).strip()


@contextlib.contextmanager
def _chdir(path: Path):  # contextlib.chdir is Python 3.11+
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def one_line(out: str) -> str:
    assert "Traceback" not in out, out
    assert len(out.splitlines()) == 1, out
    return out


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    return p


@pytest.fixture
def done(tmp_path: Path, spec: Path) -> Path:
    """A finished tiny sweep, without a report."""
    out = tmp_path / "res"
    code, text = nnsweep("run", str(spec), "-o", str(out), "-j", "1", "--quiet", "--no-report")
    assert code == 0, text
    return out


def without_wall_time(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    i = lines[0].split(",").index("wall_time_s")
    return [",".join(c for k, c in enumerate(line.split(",")) if k != i) for line in lines]
