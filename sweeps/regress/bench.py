"""The bench gate: each bench case's population/loop ratio against a recorded baseline.

Both documents come from ``nnsweep bench --json`` (see :mod:`sweeps.bench.trainer`);
:func:`sweeps.regress.table.format_bench` formats the comparison.
"""

from __future__ import annotations

import pandas as pd

from nncore import ConfigError
from nncore.rules import check_number

__all__ = ["compare_bench"]


def compare_bench(current: dict, baseline: dict, max_drop: float = 0.35) -> pd.DataFrame:
    """Compare each bench case's population/loop ratio with the baseline's.

    A case FAILs when its ratio fell by more than ``max_drop`` (a fraction). Both
    documents come from ``nnsweep bench --json``, run with the same sizes.
    """
    check_number("max_drop", max_drop, low=0, high=1, low_open=True)
    if bool(current.get("quick")) != bool(baseline.get("quick")):
        raise ConfigError(
            f"bench baseline quick={bool(baseline.get('quick'))} but this run has "
            f"quick={bool(current.get('quick'))}; compare like with like"
        )
    base = {c["name"]: c for c in baseline.get("cases", [])}
    rows = []
    for case in current["cases"]:
        b = base.get(case["name"])
        if b is None:
            raise ConfigError(
                f"bench case {case['name']!r} is not in the baseline (it has {list(base)}); "
                "record a new one with 'nnsweep bench --save FILE'"
            )
        sizes = ("n_networks", "loop_networks", "epochs")
        if any(b.get(k) != case.get(k) for k in sizes):
            raise ConfigError(
                f"bench case {case['name']!r} ran at other sizes than its baseline "
                f"({ {k: b.get(k) for k in sizes} } vs { {k: case.get(k) for k in sizes} })"
            )
        change = case["ratio"] / b["ratio"] - 1.0
        rows.append(
            {"case": case["name"], "ratio_base": b["ratio"], "ratio_now": case["ratio"],
             "change": change, "verdict": "FAIL" if change < -max_drop else "PASS"}
        )  # fmt: skip
    return pd.DataFrame(rows)
