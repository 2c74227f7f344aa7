"""The ranking's rules on runs made up to answer one way (not from the code's output)."""

from __future__ import annotations

import pandas as pd

from sweeps.doctor.rank import evidence, rank


def _runs(epochs: list[int | None], max_epochs: int = 100) -> pd.DataFrame:
    return pd.DataFrame({
        "seed": range(len(epochs)),
        "status": ["censored" if e is None else "converged" for e in epochs],
        "epochs_to_threshold": [pd.NA if e is None else e for e in epochs],
        "final_loss": [0.1] * len(epochs),
    }).astype({"epochs_to_threshold": "Int64"})  # fmt: skip


def _ranked(original: pd.DataFrame, **changes: pd.DataFrame) -> dict[str, str]:
    base = evidence("as given", "", original, original, 100)
    evs = [evidence(name, name, original, runs, 100) for name, runs in changes.items()]
    return {e.change: e.kind for e in rank(evs, base)}


def test_every_seed_rescued_is_a_fix_and_one_seed_is_not():
    none = _runs([None] * 12)
    kinds = _ranked(none, all=_runs([30] * 12), one=_runs([30] + [None] * 11))
    assert kinds == {"all": "fix", "one": "no clear difference"}


def test_a_healthy_original_can_only_be_sped_up():
    slow = _runs([60 + s for s in range(12)])
    kinds = _ranked(
        slow, fast=_runs([5 + s for s in range(12)]), same=_runs([60 + s for s in range(12)])
    )
    assert kinds == {"fast": "speed-up", "same": "no clear difference"}


def test_losing_every_seed_is_worse_and_ranks_last():
    ok = _runs([40] * 12)
    base = evidence("as given", "", ok, ok, 100)
    evs = [evidence(n, n, ok, r, 100) for n, r in (("lost", _runs([None] * 12)), ("same", ok))]
    assert [e.change for e in rank(evs, base)] == ["same", "lost"]
    assert rank(evs, base)[-1].kind == "worse"
