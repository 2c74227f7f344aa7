"""How fast the population trainer is, against a plain per-network NumPy loop.

Both train the same networks (same initial weights, same learning rate) on the same
tasks: float64, full-batch gradient descent, tanh hidden units, a sigmoid output and
the mean squared error. Each measurement runs a fixed number of epochs with no stop
criterion, so no member drops out and the rate is that of steady training. The loop is
timed on a subset of the networks (its rate is per network-epoch). Times are the CPU time
of this process, so other programs running on the machine are not counted against either
trainer; measurements of the two are interleaved and repeated and the best of each is kept
(what disturbance is left can only slow a run down).

Results are for one core: run with ``OPENBLAS_NUM_THREADS=1`` (the bench also pins BLAS
to one thread itself when threadpoolctl is installed).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

from nncore import Population, get_task
from nncore.reference import train_reference

__all__ = ["BenchCase", "CASES", "N_NETWORKS", "QUICK", "REPEATS", "format_table", "run_bench"]


@dataclass(frozen=True)
class BenchCase:
    """One configuration, timed for both trainers."""

    name: str
    task: str
    sizes: tuple[int, ...]
    target_ratio: float
    epochs: int
    loop_networks: int  # how many of the N networks the per-network loop trains
    lr: float = 0.5
    init_scale: float = 0.5  # large enough to train steadily from the first epoch


N_NETWORKS = 1000
CASES = (
    BenchCase("or 2-6-1", "or", (2, 6, 1), 55.0, epochs=400, loop_networks=20),
    BenchCase("parity4 4-16-16-1", "parity4", (4, 16, 16, 1), 7.0, epochs=80, loop_networks=40),
)
# Many short repeats rather than a few long ones: more chances of an undisturbed run.
REPEATS = 7
# --quick: a smoke test of the whole path, not a measurement.
QUICK = {"n": 40, "epochs": 5, "loop_networks": 2, "repeats": 1}


def run_bench(quick: bool = False) -> dict:
    """Time every case; return ``{"cases": [...], ...}`` (the ``--json`` document).

    Each case has ``name``, ``population_rate`` and ``loop_rate`` (network-epochs per
    second), ``ratio`` (population / loop), ``target_ratio`` and ``met``.
    """
    n = QUICK["n"] if quick else N_NETWORKS
    repeats = QUICK["repeats"] if quick else REPEATS
    cases = []
    with _one_blas_thread() as blas:
        for case in CASES:
            epochs = QUICK["epochs"] if quick else case.epochs
            loop_n = QUICK["loop_networks"] if quick else case.loop_networks
            cases.append(_bench_case(case, n, epochs, loop_n, repeats))
    return {
        "cases": cases,
        "n_networks": n,
        "repeats": repeats,
        "statistic": "best of interleaved repeats, process CPU time",
        "training": "float64, full-batch gd, tanh hidden, sigmoid output, mse",
        "stop": "none: a fixed number of epochs, so no network drops out",
        "blas_threads": blas,
        "quick": quick,
    }


def _bench_case(case: BenchCase, n: int, epochs: int, loop_n: int, repeats: int) -> dict:
    data = get_task(case.task)
    pop_times, loop_times = [], []
    for _ in range(repeats):
        pop_times.append(_time_population(case, data, n, epochs))
        loop_times.append(_time_loop(case, data, loop_n, epochs))
    pop_rate = n * epochs / min(pop_times)
    loop_rate = loop_n * epochs / min(loop_times)
    ratio = pop_rate / loop_rate
    return {
        "name": case.name,
        "population_rate": pop_rate,
        "loop_rate": loop_rate,
        "ratio": ratio,
        "target_ratio": case.target_ratio,
        "met": ratio >= case.target_ratio,
        "n_networks": n,
        "loop_networks": loop_n,
        "epochs": epochs,
    }


def _population(case: BenchCase, n: int) -> Population:
    return Population(case.sizes, init_scale=case.init_scale, seeds=range(n))


def _time_population(case: BenchCase, data, n: int, epochs: int) -> float:
    pop = _population(case, n)
    start = time.process_time()
    records = pop.fit(data.X, data.Y, lr=case.lr, max_epochs=epochs)
    seconds = time.process_time() - start
    _check_steady(case, [r.status for r in records])
    return seconds


def _time_loop(case: BenchCase, data, n: int, epochs: int) -> float:
    pop = _population(case, n)  # members 0..n-1: the same networks as the population's
    nets = [([w[k] for w in pop.weights], [b[k, 0] for b in pop.biases]) for k in range(n)]
    start = time.process_time()
    runs = [train_reference(ws, bs, data.X, data.Y, case.lr, epochs) for ws, bs in nets]
    seconds = time.process_time() - start
    _check_steady(case, [r.status for r in runs])
    return seconds


def _check_steady(case: BenchCase, statuses: list[str]) -> None:
    # Without a stop criterion every run must reach the last epoch; a diverged one would
    # have left early and inflated the rate.
    if any(s != "censored" for s in statuses):
        raise RuntimeError(f"bench case {case.name!r}: a network stopped early: {set(statuses)}")


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[str]:
    """Pin BLAS to one thread if threadpoolctl is installed; say how threads were set."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        env = os.environ.get("OPENBLAS_NUM_THREADS")
        yield f"OPENBLAS_NUM_THREADS={env}" if env else "not pinned (set OPENBLAS_NUM_THREADS=1)"
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield "pinned to 1 by threadpoolctl"


def format_table(result: dict) -> str:
    """The bench result as the text table ``nnsweep bench`` prints."""
    head = f"{'case':<20} {'N':>5} {'population/s':>13} {'loop/s':>9} {'ratio':>7}  target"
    lines = [
        "network-epochs per second on one core "
        f"({result['training']}; BLAS threads: {result['blas_threads']})",
        f"each run: {result['stop']}; {result['statistic']} ({result['repeats']})",
        "",
        head,
    ]
    for c in result["cases"]:
        verdict = "met" if c["met"] else "NOT met"
        lines.append(
            f"{c['name']:<20} {c['n_networks']:>5} {c['population_rate']:>13,.0f} "
            f"{c['loop_rate']:>9,.0f} {c['ratio']:>6.1f}x  >= {c['target_ratio']:g}x {verdict}"
        )
    if result["quick"]:
        lines.append("(--quick: tiny sizes, a smoke test; the figures mean nothing)")
    return "\n".join(lines)
