"""The doctor's plan: check, measure the original, try each change, bracket the learning
rate, combine the best, rank (:func:`diagnose`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nncore.rules import ConfigError
from sweeps.config.spec import SweepSpec

from .candidates import Candidate, candidates, configuration, lr_candidate
from .checks import GRADIENT_WRONG, Finding, checks
from .measure import ORIGINAL, Measured, Plan, measure
from .rank import Evidence, evidence, rank

__all__ = ["Diagnosis", "MAX_DECADES", "diagnose"]

MAX_DECADES = 6  # the learning rate is followed at most this many decades either way
COMBINE = 3


@dataclass
class Diagnosis:
    """Everything doctor found: checks, the original's figures, the ranked changes."""

    spec: SweepSpec
    findings: list[Finding]
    original: Evidence | None = None
    ranked: list[Evidence] = field(default_factory=list)
    measured: dict[str, Measured] = field(default_factory=dict)
    skipped_time: list[str] = field(default_factory=list)
    skipped_invalid: list[str] = field(default_factory=list)
    lr_note: str = ""

    @property
    def gradient_wrong(self) -> bool:
        return any(f.kind == GRADIENT_WRONG for f in self.findings)


def _one_configuration(spec: SweepSpec) -> None:
    if spec.axes:
        raise ConfigError(
            f"doctor needs one configuration, but the spec varies {list(spec.axes)}; fix each "
            f"with KEY=VALUE (e.g. {spec.axes[0]}={spec.candidates(spec.axes[0])[0]!s})"
        )


def diagnose(plan: Plan, on_step: Callable[[str], None] | None = None) -> Diagnosis:
    """Run the whole diagnosis of ``plan``'s configuration (see the package docstring)."""
    say = on_step or (lambda _: None)
    spec = plan.spec()
    _one_configuration(spec)
    d = Diagnosis(spec, checks(spec))
    if d.gradient_wrong:
        return d
    say("measuring the configuration as given")
    d.measured[ORIGINAL] = measure(plan, ORIGINAL, force=True)
    base = d.measured[ORIGINAL]
    d.original = evidence("as given", "", base.runs, base.runs, base.max_epochs)
    tried: dict[str, tuple[Candidate, Evidence]] = {}
    for c in candidates(spec):
        _try(plan, d, c, tried, say)
    _bracket_lr(plan, d, tried, say)
    singles = rank([e for _, e in tried.values()], d.original)
    for combo in _combinations(singles, tried):
        _try(plan, d, combo, tried, say)
    d.ranked = rank([e for _, e in tried.values()], d.original)
    return d


def _try(plan: Plan, d: Diagnosis, c: Candidate, tried: dict, say) -> Evidence | None:
    """Measure one change (once); record why when it does not apply or does not fit."""
    if c.key in tried:
        return tried[c.key][1]
    try:
        plan.spec(c.overrides)
    except ConfigError as e:
        reason = str(e).split("': ", 1)[-1]  # after the spec's name and the overrides
        d.skipped_invalid.append(f"{c.label} ({reason.split(';')[0]})")
        return None
    say(f"trying {c.label}")
    m = measure(plan, c.key, c.overrides)
    if m is None:
        d.skipped_time.append(c.label)
        return None
    d.measured[c.key] = m
    base = d.measured[ORIGINAL]
    ev = evidence(c.label, c.family, base.runs, m.runs, m.max_epochs)
    ev.sets, ev.key = c.sets, c.key
    tried[c.key] = (c, ev)
    return ev


def _score(ev: Evidence) -> tuple[float, float]:
    """Lower is better: restricted mean time to threshold, then the final loss."""
    loss = ev.stats["median_final_loss"]
    return ev.stats["rmst"], loss if np.isfinite(loss) else math.inf


def _bracket_lr(plan: Plan, d: Diagnosis, tried: dict, say) -> None:
    """Follow the learning rate a decade at a time until the best is inside the levels."""
    cfg = configuration(d.spec)
    name = next((n for n in ("lr", "learning_rate") if n in cfg), None)
    if name is None or cfg[name] is None:
        return
    lr0 = float(cfg[name])
    levels = {lr0: d.original}
    for _, (c, ev) in tried.items():
        if c.family == "lr":
            levels[float(dict(c.sets)[name])] = ev
    for _ in range(2 * MAX_DECADES):
        order = sorted(levels)
        best = min(order, key=lambda x: _score(levels[x]))
        if best not in (order[0], order[-1]):
            d.lr_note = (
                f"learning rate: the best of {', '.join(f'{x:g}' for x in order)} is "
                f"{best:g}, inside the levels tried"
            )
            return
        nxt = best * (10.0 if best == order[-1] else 0.1)
        if abs(math.log10(nxt / lr0)) > MAX_DECADES + 1e-9:
            break
        ev = _try(plan, d, lr_candidate(cfg, nxt, name), tried, say)
        if ev is None:
            d.lr_note = (
                f"learning rate: the best so far, {best:g}, is at the edge of the levels "
                f"tried; {nxt:g} was not tried (the budget ended)"
            )
            return
        levels[float(f"{nxt:.12g}")] = ev
    order = sorted(levels)
    best = min(order, key=lambda x: _score(levels[x]))
    d.lr_note = f"learning rate: the best, {best:g}, is at the edge of {MAX_DECADES} decades tried"


def _combinations(singles: list[Evidence], tried: dict) -> list[Candidate]:
    """The best two and three helpful changes of different parameters, combined."""
    chosen: list[Evidence] = []
    for e in singles:
        if e.kind not in ("fix", "speed-up"):
            continue
        keys = {k for k, _ in e.sets}
        if all(keys.isdisjoint(k for k, _ in o.sets) for o in chosen):
            chosen.append(e)
        if len(chosen) == COMBINE:
            break
    out = []
    for n in range(2, len(chosen) + 1):
        parts = chosen[:n]
        sets = tuple(kv for e in parts for kv in e.sets)
        label = " + ".join(f"{e.family} {e.change.rsplit('→ ', 1)[-1]}" for e in parts)
        out.append(Candidate(label, "combined", sets))
    return out
