"""How fast a whole sweep runs, end to end, against the trainer's own time.

``nnsweep bench --sweep`` writes a spec of OR and XOR runs (2-6-1, five hidden
activations, two init scales, four learning rates, <= 5,000 epochs), runs it as a
real ``nnsweep run`` subprocess with ``-j 1`` and ``-j 2``, alternating, ``repeat``
times each, and reports for each worker count: the best and median wall time,
network-epochs per second, the runner's overhead (the share of wall time not spent
inside the trainer, whose time every chunk records) and the peak resident memory of
the whole process tree.

Why best of several, alternating: on a shared machine the speed of a core drifts by
tens of percent within a minute, and one sweep of each would compare two different
machines. The fastest of each is the least disturbed; the medians are printed too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from sweeps.results.files import write_text
from sweeps.results.schema import read_runs

__all__ = ["ACTIVATIONS", "CELLS", "SPEC", "format_sweep_table", "run_sweep_bench", "sweep_spec"]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "lecun_tanh", "softsign")
CELLS = 2 * len(ACTIVATIONS) * 2 * 4  # tasks x activations x init scales x lrs

SPEC = """\
name = "bench-sweep"
description = "OR and XOR, 2-6-1, mixed activations: the runner's end-to-end speed"
seeds = {seeds}
max_epochs = 5000
chunk_size = {chunk_size}

[params]
task = ["or", "xor"]
hidden = "6"
activation = {activations}
init_scale = [0.5, 1.0]
lr = [0.5, 1.0, 2.0, 4.0]

[stop]
max_error_below = 0.1
"""


def sweep_spec(runs: int, chunk_size: int = 512) -> str:
    """The bench spec's TOML text, with enough seeds for about ``runs`` runs."""
    seeds = max(1, round(runs / CELLS))
    return SPEC.format(seeds=seeds, chunk_size=chunk_size, activations=list(ACTIVATIONS))


def run_sweep_bench(runs: int = 20_000, jobs: tuple[int, ...] = (1, 2), repeat: int = 5) -> dict:
    """Run the bench sweep ``repeat`` times per worker count, alternating; return for
    each worker count the figures of its fastest sweep and the wall time of every one."""
    trials: dict[int, list[dict]] = {j: [] for j in jobs}
    with tempfile.TemporaryDirectory(prefix="nnsweep-bench-") as tmp:
        spec = Path(tmp) / "bench-sweep.toml"
        write_text(spec, sweep_spec(runs))
        for _ in range(repeat):
            for j in jobs:
                trials[j].append(_one(spec, Path(tmp) / f"j{j}", j))
    rows = []
    for j in jobs:
        best = min(trials[j], key=lambda r: r["wall_s"])
        walls = [r["wall_s"] for r in trials[j]]
        rows.append({**best, "walls_s": walls, "median_wall_s": float(np.median(walls)),
                     "peak_rss_mb": max(r["peak_rss_mb"] for r in trials[j])})  # fmt: skip
    for r in rows:
        r["speedup"] = rows[0]["wall_s"] / r["wall_s"]
        r["median_speedup"] = rows[0]["median_wall_s"] / r["median_wall_s"]
    return {"runs": rows[0]["runs"], "repeat": repeat, "sweeps": rows}


def _one(spec: Path, out: Path, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "sweeps.cli", "run", str(spec), "-o", str(out), "-j",
           str(jobs), "--quiet", "--no-report", "--fresh"]  # fmt: skip
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    peak = _PeakRSS(proc.pid)
    peak.start()
    if proc.wait() != 0:
        raise RuntimeError(f"bench sweep failed: {' '.join(cmd)}")
    wall = time.perf_counter() - start
    peak.stop()
    runs = read_runs(out / "runs.csv")
    epochs = int((runs["epochs_run"] + 1).sum())  # +1: the last epoch's forward pass
    train = float(runs["wall_time_s"].sum())
    return {
        "jobs": jobs,
        "runs": len(runs),
        "network_epochs": epochs,
        "wall_s": wall,
        "rate": epochs / wall,
        "trainer_s": train,
        "overhead": 1.0 - train / (wall * jobs),
        "peak_rss_mb": peak.peak / 2**20,
    }


class _PeakRSS(threading.Thread):
    """Samples the summed resident memory of a process and its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.1):
            self.peak = max(self.peak, sum(_rss(p) for p in _tree(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo += [int(c) for c in task.read_text().split()]
            except OSError:
                pass
    return out


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def format_sweep_table(result: dict, case: dict | None = None) -> str:
    """The figures as the text table ``nnsweep bench --sweep`` prints; ``case`` is the
    trainer bench's first case, measured in the same run, quoted for reference."""
    lines = [
        f"end-to-end sweep: {result['runs']:,} runs (OR and XOR, 2-6-1, mixed activations, "
        "<= 5,000 epochs, stop at max error 0.1)",
        f"best of {result['repeat']} alternating sweeps per worker count (median in brackets)",
        "",
        f"{'jobs':>4} {'wall s':>15} {'net-epochs/s':>13} {'speedup':>15} {'overhead':>9} "
        f"{'peak RSS':>9}",
    ]
    for r in result["sweeps"]:
        lines.append(
            f"{r['jobs']:>4} {r['wall_s']:>6.1f} ({r['median_wall_s']:>6.1f}) "
            f"{r['rate']:>13,.0f} {r['speedup']:>5.2f}x ({r['median_speedup']:.2f}x) "
            f"{r['overhead']:>8.1%} {r['peak_rss_mb']:>6.0f} MB"
        )
    lines.append(
        "overhead: share of the workers' wall time not spent inside the trainer "
        "(interpreter and imports, process start, pickling, writing chunks, assembling "
        "files)"
    )
    for r in result["sweeps"]:
        walls = ", ".join(f"{w:.1f}" for w in r["walls_s"])
        lines.append(f"-j {r['jobs']} wall times in order: {walls} s")
    if case:
        lines.append(
            f"population trainer alone (nnsweep bench case {case['name']}, "
            f"N={case['n_networks']:,}): {case['population_rate']:,.0f} network-epochs/s "
            "on one core"
        )
    return "\n".join(lines)
