"""Run a chunk of a user trainer's runs: the unit of work of a ``trainer`` sweep.

The runs happen one after another in a child process (``_trainer_child``) that
loads the trainer once; the worker gives each run at most ``timeout`` seconds.
A run that raises, returns a malformed record or never returns is recorded as
``failed`` with the reason in ``error``; after a run that never returned or that
took the process down, the child is replaced and the chunk goes on. A failed run
never fails the sweep.

Like :func:`sweeps.execute.chunk.run_chunk`, this needs no pandas and returns (or
writes) plain columns, so it runs the same under -j 1, loky and Dask workers.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sweeps.results.chunkfiles import Columns, write_chunk
from sweeps.stats.plateau import plateaus

from ._trainer_child import HEADER, send
from .record import Malformed, failed_row, parse_record

__all__ = ["STARTUP_TIMEOUT_S", "run_trainer_chunk"]

STARTUP_TIMEOUT_S = 120.0  # starting Python and importing the trainer; not a run's time
ROOT = Path(__file__).resolve().parents[2]  # where the sweeps package is


class _Gone(Exception):
    """The child process ended or stopped answering; the message says how."""


class _Child:
    """One child process with the trainer loaded, started on first use."""

    def __init__(self, trainer: Mapping[str, Any]) -> None:
        self.trainer = dict(trainer)
        self.proc: subprocess.Popen | None = None
        self.broken = ""  # why the trainer cannot be loaded: every run fails so, at once

    def start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        cmd = [sys.executable, "-m", "sweeps.execute._trainer_child"]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd=os.getcwd(),
        )  # fmt: skip
        try:
            kind, reason = self._ask(self.trainer, STARTUP_TIMEOUT_S)
        except _Gone as e:
            kind, reason = "error", str(e)
        if kind != "ready":
            self.stop()
            self.broken = f"the trainer could not be loaded: {reason}"
            raise _Gone(self.broken)

    def ready(self) -> None:
        """Have a process with the trainer loaded (its start is no run's time)."""
        if self.broken:
            raise _Gone(self.broken)
        if self.proc is None:
            self.start()

    def call(self, task: tuple, timeout: float) -> tuple[str, Any]:
        self.ready()
        try:
            return self._ask(task, timeout)
        except _Gone:
            self.stop()  # a fresh process for the next run
            raise

    def _ask(self, message: Any, timeout: float) -> tuple[str, Any]:
        import pickle

        assert self.proc is not None and self.proc.stdin is not None
        try:
            send(self.proc.stdin, message)
        except (BrokenPipeError, OSError):
            raise _Gone(self._ended()) from None
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        size = HEADER.unpack(self._read(fd, HEADER.size, deadline, timeout))[0]
        return pickle.loads(self._read(fd, size, deadline, timeout))

    def _read(self, fd: int, n: int, deadline: float, timeout: float) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                raise _Gone(f"no result within {timeout:g} s (trainer_timeout_s): stopped")
            piece = os.read(fd, n - len(buf))
            if not piece:
                raise _Gone(self._ended())
            buf += piece
        return bytes(buf)

    def _ended(self) -> str:
        code = None
        if self.proc is not None:
            try:
                code = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # it closed its pipe but lives on: stop it
                self.proc.kill()
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return f"the trainer's process ended ({how}) without a result"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                if pipe is not None:
                    pipe.close()
            self.proc = None


def run_trainer_chunk(
    chunk_id: str,
    columns: Columns,
    stop: dict[str, Any],
    trainer: Mapping[str, Any],
    timeout: float,
    chunk_dir: str | None = None,
) -> tuple[str, Columns, Columns | None, None]:
    """A worker's task: each run of the chunk through the user's trainer.

    ``trainer`` is :meth:`sweeps.config.trainer.Trainer.for_worker` plus ``columns``
    (the sweep's runs.csv columns) and ``params`` and ``metrics`` (names). Returns
    ``(chunk_id, runs, curves, None)``; with ``chunk_dir`` the worker writes the
    chunk's files itself and returns None for ``curves``.
    """
    names = list(columns)
    rows = [dict(zip(names, v, strict=True)) for v in zip(*columns.values(), strict=True)]
    metrics = list(trainer["metrics"])
    child = _Child({k: trainer[k] for k in ("module", "function", "sha256", "sys_path")})
    out, curves = [], {"run_id": [], "epoch": [], "loss": []}
    try:
        for row in rows:
            result, epochs, losses = _one(child, row, trainer["params"], stop, timeout, metrics)
            out.append(row | result)
            curves["run_id"] += [row["run_id"]] * len(epochs)
            curves["epoch"] += epochs
            curves["loss"] += losses
    finally:
        child.stop()
    _plateaus(out, curves)
    empty = dict.fromkeys(("val_loss", "val_accuracy", "val_max_error"))  # no holdout here
    table = {c: [(empty | r)[c] for r in out] for c in trainer["columns"]}
    if chunk_dir is None:
        return chunk_id, table, curves, None
    write_chunk(Path(chunk_dir), chunk_id, table, curves)
    return chunk_id, table, None, None


def _one(
    child: _Child, row: dict, names: Sequence[str], stop: dict, timeout: float, metrics: list
) -> tuple[dict[str, Any], list[int], list[float]]:
    """One run: its metric columns and its curve (none for a failed run)."""
    params = {k: _plain(row[k]) for k in names}
    max_epochs = int(row["max_epochs"])
    start = time.perf_counter()
    try:
        child.ready()
        start = time.perf_counter()
        kind, answer = child.call((params, int(row["seed"]), max_epochs, dict(stop)), timeout)
        if kind != "ok":
            raise Malformed(f"the trainer raised {answer}")
        result, epochs, losses = parse_record(answer, max_epochs, metrics)
    except Malformed as e:
        prefix = "" if str(e).startswith("the trainer raised") else "malformed record: "
        result, epochs, losses = failed_row(prefix + str(e), metrics), [], []
    except _Gone as e:
        result, epochs, losses = failed_row(str(e), metrics), [], []
    result["wall_time_s"] = round(time.perf_counter() - start, 6)
    return result, epochs, losses


def _plain(v: Any) -> Any:
    """A grid value as a plain Python value (the trainer sees no NumPy scalars)."""
    return v.item() if isinstance(v, np.generic) else v


def _plateaus(rows: list[dict], curves: dict[str, list]) -> None:
    ids = np.asarray(curves["run_id"], dtype=object)
    epochs = np.asarray(curves["epoch"], dtype=np.int64)
    loss = np.asarray(curves["loss"], dtype=float)
    per = [ids == r["run_id"] for r in rows]
    flat, end = plateaus([epochs[m] for m in per], [loss[m] for m in per])
    for r, f, e in zip(rows, flat.tolist(), end.tolist(), strict=True):
        r["plateau_epochs"] = f
        r["plateau_end"] = None if e < 0 else e
