"""What doctor prints: the verdict first, then the checks, the ranked changes and the
story of the original and the best change; and the ``--json`` objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sweeps.stats.survival import format_epochs

from .explain import stories
from .measure import ORIGINAL
from .rank import Evidence
from .search import Diagnosis

__all__ = ["SHORT", "SHOWN", "criteria", "json_rows", "short_median", "text", "verdict"]

SHOWN = 10  # changes listed on the terminal; the JSON and report.html hold them all
SHORT = {"no clear difference": "unclear"}


def criteria(stop: Mapping[str, Any]) -> str:
    """The stop rule in words: ``max error < 0.1``."""
    words = {"max_error_below": "max error < {:g}", "loss_below": "loss < {:g}"}
    parts = [
        words[k].format(v) if k in words else "the 40-20-40 rule" for k, v in stop.items() if v
    ]
    return " and ".join(parts)


def _median(ev: Evidence, max_epochs: int) -> str:
    s = ev.stats
    if not np.isfinite(s["km_median"]):
        return f"median {format_epochs(s['km_median'], max_epochs)} epochs"
    lo, hi = (format_epochs(s[k], max_epochs) for k in ("km_median_lo", "km_median_hi"))
    return f"median {s['km_median']:,.0f} epochs (95% CI {lo}–{hi})"


def short_median(ev: Evidence, max_epochs: int) -> str:
    """``1,010 [890–1,092]``: the KM median and its interval."""
    s = ev.stats
    if not np.isfinite(s["km_median"]):
        return format_epochs(s["km_median"], max_epochs)
    lo, hi = (format_epochs(s[k], max_epochs) for k in ("km_median_lo", "km_median_hi"))
    return f"{s['km_median']:,.0f} [{lo}–{hi}]"


def _rate(ev: Evidence) -> str:
    s = ev.stats
    return (
        f"{int(s['converged'])} of {int(s['runs'])} [{s['success_lo']:.0%}–{s['success_hi']:.0%}]"
    )


def verdict(d: Diagnosis) -> str:
    """The first line: a wrong gradient, a healthy configuration, or the best fix."""
    if d.gradient_wrong:
        line = next(f.text for f in d.findings if f.kind == "gradient")
        return line[0].upper() + line[1:]
    o, spec = d.original, d.spec
    n, k = int(o.stats["runs"]), int(o.stats["converged"])
    head = (
        f"{k} of {n} runs reach {criteria(spec.stop)} within {spec.max_epochs:,} epochs, "
        f"{_median(o, spec.max_epochs)}"
    )
    fixes = [e for e in d.ranked if e.kind == "fix"]
    if k == n:
        fast = [e for e in d.ranked if e.kind == "speed-up"]
        tail = (
            f" The fastest significant speed-up: {fast[0].change}, "
            f"{_median(fast[0], spec.max_epochs)}."
            if fast
            else " No change tried is significantly faster."
        )
        return head + ": this configuration trains; no change raises its success rate." + tail
    if not fixes:
        return head + ". No change tried helps significantly (Holm-adjusted p < 0.05)."
    b = fixes[0]
    return (
        f"{head}. The change that helps most: {b.change} → {int(b.stats['converged'])} of "
        f"{int(b.stats['runs'])}, {_median(b, spec.max_epochs)}, p = {b.p_value:.2g}."
    )


def _ends(d: Diagnosis) -> str:
    runs = d.measured[ORIGINAL].runs
    counts = runs["status"].value_counts()
    plateau = runs["plateau_epochs"].median() if "plateau_epochs" in runs else float("nan")
    where = f", a median of {plateau:,.0f} epochs on a plateau" if np.isfinite(plateau) else ""
    return (
        f"as given, the runs end: {counts.get('converged', 0)} converged, "
        f"{counts.get('censored', 0)} censored, {counts.get('diverged', 0)} diverged"
        + (f", {counts['failed']} failed" if "failed" in counts else "")
        + where
    )


def text(d: Diagnosis) -> str:
    """The whole terminal report (about a screen)."""
    lines = [verdict(d)]
    rest = [f for f in d.findings if f.kind != "gradient" or not d.gradient_wrong]
    lines += [f"check: {f.text}" for f in rest]
    if d.spec.trainer and not d.gradient_wrong:
        from .usergrad import has_hooks

        if not has_hooks(d.spec):
            lines.append(
                "check: the trainer exposes no gradient (initial_weights and "
                "loss_and_gradients): not checked"
            )
    if d.gradient_wrong:
        lines.append(
            "nothing was trained: runs of a wrong gradient measure the bug, not the network"
        )
        return "\n".join(lines)
    lines.append(_ends(d))
    lines.append(f"  {'':<9}{'converged [95% CI]':<21}{'median [95% CI]':<22}{'p':>7}  change")
    for e in d.ranked[:SHOWN]:
        lines.append(
            f"  {SHORT.get(e.kind, e.kind):<9}{_rate(e):<21}"
            f"{short_median(e, d.spec.max_epochs):<22}{e.p_value:>7.2g}  {e.change}"
        )
    if len(d.ranked) > SHOWN:
        lines.append(f"  ... and {len(d.ranked) - SHOWN} more (report.html, --json)")
    if d.lr_note:
        lines.append(d.lr_note)
    if d.skipped_time:
        lines.append(f"not tried for lack of time (--budget-s): {'; '.join(d.skipped_time)}")
    if d.skipped_invalid:
        lines.append(f"not applicable: {'; '.join(d.skipped_invalid)}")
    lines += stories(d)
    return "\n".join(lines)


def json_rows(d: Diagnosis) -> list[dict[str, Any]]:
    """One object per candidate, the configuration as given first (change ``as given``)."""
    if d.original is None:
        return []
    return [d.original.row() | {"kind": "as given"}] + [e.row() for e in d.ranked]
