"""Checks before any training: the gradient, the data and the initial state.

Each finding is one line. The gradient of nncore's network is compared with central
finite differences of its loss on a few seeds, at the configuration's own initial
weights and at weights of unit scale (where every activation leaves its linear part),
with small random biases so that no pre-activation sits exactly on a kink. A user
trainer may expose its gradient for the same check (see :mod:`sweeps.doctor.usergrad`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nncore import OUTPUT_ACTIVATIONS, Population, get_activation, get_task
from nncore.extend import origin
from sweeps.config.params import parse_hidden
from sweeps.config.spec import SweepSpec

from .candidates import configuration
from .usergrad import check_trainer_gradient, worst_mismatch

__all__ = ["Finding", "GRADIENT_WRONG", "checks", "task_arrays"]

Array = NDArray[np.float64]
GRADIENT_WRONG = "gradient"
N_SEEDS = 3
SPREAD_LOW = 0.01  # hidden units this close together start (nearly) identical


@dataclass(frozen=True)
class Finding:
    """One line of the checks; ``kind`` is ``gradient``, ``data`` or ``init``."""

    kind: str
    text: str


def task_arrays(spec: SweepSpec, cfg: dict[str, Any]) -> tuple[Array, Array]:
    """The training inputs and targets of the configuration's task."""
    own = spec.tasks.get(cfg["task"])
    if own is not None:
        return own.X, own.Y
    data = get_task(cfg["task"], cfg["inputs"])
    return data.X, data.Y


def checks(spec: SweepSpec) -> list[Finding]:
    """Every finding about ``spec``'s one configuration (a wrong gradient first)."""
    if spec.trainer:
        line = check_trainer_gradient(spec)
        return [Finding(GRADIENT_WRONG, line)] if line else []
    cfg = configuration(spec)
    X, Y = task_arrays(spec, cfg)
    sizes = [X.shape[1], *parse_hidden("hidden", cfg["hidden"]), Y.shape[1]]
    found = []
    if line := _gradient(cfg, sizes, X, Y, spec.seeds[:N_SEEDS]):
        found.append(Finding(GRADIENT_WRONG, line))
    found += [Finding("data", t) for t in _data(cfg, X, Y)]
    found += [Finding("init", t) for t in _initial(cfg, sizes, X, Y, spec)]
    return found


def _population(cfg: dict, sizes: list[int], seeds, scale: float) -> Population:
    return Population(
        sizes,
        activation=cfg["activation"],
        output_activation=cfg["output_activation"],
        loss=cfg["loss"],
        init=cfg["init"],
        init_scale=scale,
        seeds=list(seeds),
    )


def _gradient(cfg: dict, sizes: list[int], X: Array, Y: Array, seeds) -> str:
    """One line when backpropagation disagrees with finite differences; else ``""``."""
    rng = np.random.default_rng(0)
    for scale in (float(cfg["init_scale"]), 1.0):
        pop = _population(cfg, sizes, seeds, scale)
        for b in pop.biases:
            b[...] = rng.normal(0.0, 0.1, b.shape)
        params = [*pop.weights, *pop.biases]

        def loss(pop: Population = pop) -> Array:
            return pop.loss_and_gradients(X, Y)[0]

        _, dws, dbs = pop.loss_and_gradients(X, Y)
        bad = worst_mismatch(params, [*dws, *dbs], loss)
        if bad:
            where, claimed, fd, rel = bad
            layer = where[0] % len(pop.weights) + 1
            part = "weight" if where[0] < len(pop.weights) else "bias"
            return (
                f"the gradient is wrong: backpropagation gives {claimed:.6g} for a layer-{layer} "
                f"{part} where finite differences of the loss give {fd:.6g} (relative error "
                f"{rel:.2g}, weights at scale {scale:g}){_suspects(cfg)}; "
                "fix it before anything else"
            )
    return ""


def _suspects(cfg: dict) -> str:
    """The plugin parts the configuration uses: where a wrong derivative comes from."""
    parts = []
    for kind, name in (
        ("activation", cfg["activation"]),
        ("activation", cfg["output_activation"]),
        ("loss", cfg["loss"]),
    ):
        o = origin(kind, name)
        if o is not None:
            parts.append(f"{kind} {name!r} from {o.label or o.module}")
    return f"; it uses {', '.join(dict.fromkeys(parts))}" if parts else ""


def _data(cfg: dict, X: Array, Y: Array) -> list[str]:
    out = []
    big = np.max(np.abs(X), axis=0)
    if np.max(big) > 10:
        j = int(np.argmax(big))
        out.append(
            f"inputs are large: input {j + 1} reaches {big[j]:.3g}; large inputs saturate "
            "the first layer (standardise them)"
        )
    out_fn = OUTPUT_ACTIVATIONS[cfg["output_activation"]]
    low, high = out_fn.low, out_fn.high
    outside = (Y < low - 1e-12) | (Y > high + 1e-12)
    if outside.any():
        out.append(
            f"targets outside the output's range: {outside.mean():.0%} of them lie outside "
            f"[{low:g}, {high:g}] of {cfg['output_activation']}, which can never reach them"
        )
    values = np.unique(Y)
    if len(values) == 2 and Y.shape[1] == 1:
        share = float(np.mean(Y == values[1]))
        if min(share, 1 - share) < 0.1:
            out.append(
                f"classes are unbalanced: {min(share, 1 - share):.0%} of the targets are "
                "the rarer class"
            )
    return out


def _initial(cfg: dict, sizes: list[int], X: Array, Y: Array, spec: SweepSpec) -> list[str]:
    """Saturated, dead or identical hidden units at epoch 0 (median over the seeds)."""
    pop = _population(cfg, sizes, spec.seeds[:N_SEEDS], float(cfg["init_scale"]))
    records = pop.fit(X, Y, max_epochs=1, stop=dict(spec.stop), diagnostics=True)
    act = get_activation(cfg["activation"])
    out = []
    for layer in range(1, len(sizes) - 1):

        def at0(metric: str, layer: int = layer) -> float:
            try:
                return float(np.median([r.diagnostics.get(metric, layer)[0] for r in records]))
            except KeyError:
                return float("nan")

        units = sizes[layer]
        if (s := at0("saturated")) >= 0.5:
            out.append(
                f"hidden layer {layer}: {s:.0%} of its {units} {act.name} units are "
                "saturated at epoch 0 (their f′(z) is below 5% of its maximum)"
            )
        if (d := at0("dead")) >= 0.5:
            out.append(
                f"hidden layer {layer}: {d:.0%} of its {units} units are dead at epoch 0 "
                "(output 0 on every sample)"
            )
        if units > 1 and (p := at0("spread")) < SPREAD_LOW:
            out.append(
                f"hidden layer {layer}: its {units} units start nearly identical "
                f"(spread {p:.2g} at epoch 0, init {cfg['init']} scale "
                f"{float(cfg['init_scale']):g})"
            )
    return out
