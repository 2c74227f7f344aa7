"""The whole diagnosis on tiny budgets: a healthy configuration gets no invented problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweeps.doctor import search
from sweeps.doctor.candidates import Candidate
from sweeps.doctor.measure import Plan
from sweeps.doctor.output import json_rows, verdict

SEED = str(Path(__file__).resolve().parents[3] / "examples" / "seed" / "doctor.toml")
HEALTHY = ("activation=tanh", "init_scale=1.0", "lr=1.0", "max_epochs=400")
FEW = [
    Candidate("learning rate 1 → 0.1", "lr", (("lr", 0.1),)),
    Candidate("learning rate 1 → 10", "lr", (("lr", 10.0),)),
    Candidate("width 6 → 3", "width", (("hidden", "3"),)),
]


@pytest.mark.parametrize("seeds", ["[0,1,2,3,4]", "[5,6,7,8,9]", "[10,11,12,13,14]",
                                   "[15,16,17,18,19]", "[20,21,22,23,24]"])  # fmt: skip
def test_a_healthy_configuration_is_said_to_train_and_no_change_fixes_it(
    tmp_path, monkeypatch, seeds
):
    monkeypatch.setattr(search, "candidates", lambda spec: list(FEW))
    monkeypatch.setattr(search, "MAX_DECADES", 1)
    plan = Plan(SEED, (*HEALTHY, f"seeds={seeds}"), tmp_path, 1, 60.0, diagnostics=False)
    d = search.diagnose(plan)
    assert d.original.stats["success_rate"] == 1.0
    assert "this configuration trains; no change raises its success rate" in verdict(d)
    rows = json_rows(d)
    assert rows[0]["change"] == "as given" and len(rows) >= 1 + len(FEW)
    assert not [r for r in rows[1:] if r["kind"] == "fix"]
    assert {"change", "success_rate", "success_lo", "success_hi", "km_median", "km_median_lo",
            "km_median_hi", "p_value", "runs"} <= set(rows[1])  # fmt: skip


def test_the_seed_as_asked_is_fixed_by_tanh(tmp_path, monkeypatch):
    tanh = Candidate("hidden activation sigmoid → tanh", "activation", (("activation", "tanh"),))
    monkeypatch.setattr(search, "candidates", lambda spec: [tanh])
    monkeypatch.setattr(search, "MAX_DECADES", 0)  # no learning rate search here
    plan = Plan(SEED, ("seeds=8", "max_epochs=1000"), tmp_path, 1, 60.0, diagnostics=False)
    d = search.diagnose(plan)
    assert d.original.stats["converged"] == 0  # sigmoid needs about 3,000 epochs
    assert d.ranked[0].change == tanh.label and d.ranked[0].kind == "fix"
    assert d.ranked[0].p_value < 0.05


def test_the_budget_skips_what_does_not_fit_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "candidates", lambda spec: list(FEW))
    plan = Plan(SEED, (*HEALTHY, "seeds=3"), tmp_path, 1, 1e-9, diagnostics=False)
    d = search.diagnose(plan)
    assert d.original is not None  # the original is always measured
    assert set(d.skipped_time) >= {c.label for c in FEW}
