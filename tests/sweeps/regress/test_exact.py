"""Run-by-run comparison: --exact, and the messages for renamed runs and other seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sweeps.regress.exact import ACROSS_MACHINES, exact_failures, match_runs, notes

AXES = ["lr"]


def runs(ids=None, seeds=(0, 1, 2), loss=0.25) -> pd.DataFrame:
    rows = [
        {"lr": lr, "seed": s, "status": "converged", "epochs_to_threshold": 10 + s,
         "epochs_run": 10 + s, "final_loss": loss + s}
        for lr in (0.5, 1.0) for s in seeds
    ]  # fmt: skip
    df = pd.DataFrame(rows)
    df.insert(0, "run_id", ids or [f"id{i}" for i in range(len(df))])
    return df.astype({"epochs_to_threshold": "Int64"})


def test_identical_runs_pass_the_exact_check():
    m = match_runs(runs(), runs(), AXES)
    assert m.identical and exact_failures(m) == []
    assert notes(m, runs(), runs()) == ("identical to baseline: all 6 runs bit-identical",)


def test_one_bit_of_one_loss_fails_naming_the_cell_and_both_values():
    now = runs()
    bumped = np.nextafter(now.loc[4, "final_loss"], np.inf)
    now.loc[4, "final_loss"] = bumped
    m = match_runs(runs(), now, AXES)
    lines = exact_failures(m)
    assert m.differing == 1
    assert "lr = 1: 1 runs differ" in lines[0]
    assert lines[-1] == (
        f"first difference: run id4 (seed 1): final_loss baseline 1.25, now {float(bumped)!r}"
    )


def test_epochs_one_later_in_every_run_fails_every_cell():
    now = runs()
    now["epochs_to_threshold"] += 1
    m = match_runs(runs(), now, AXES)
    assert m.differing == 6 and len(m.per_cell) == 2
    assert "epochs_to_threshold baseline 10, now 11" in exact_failures(m)[-1]


def test_new_run_ids_with_the_same_seeds_are_named_as_a_hashing_change():
    now = runs(ids=[f"new{i}" for i in range(6)])
    m = match_runs(runs(), now, AXES)
    said = " ".join(notes(m, runs(), now))
    assert m.how == "params" and m.renamed == 6 and m.differing == 0
    assert (
        "the run ids differ for 6 runs with the same seeds and parameters: "
        "the run-id hashing changed" in said
    )
    assert "seeds differ" not in said
    assert exact_failures(m)  # a failure under --exact


def test_other_seeds_are_named_as_such_and_not_as_a_hashing_change():
    base, now = runs(), runs(ids=[f"n{i}" for i in range(6)], seeds=(5, 6, 7))
    m = match_runs(base, now, AXES)
    said = " ".join(notes(m, base, now))
    assert m.how == "seeds" and m.renamed == 0
    assert "seeds differ from the baseline (baseline: 3 seeds 0..2; now: 3 seeds 5..7)" in said
    assert "run-id hashing" not in said
    assert exact_failures(m)


def test_across_machines_the_last_bits_of_a_loss_pass_and_are_counted_apart():
    now = runs()
    now["final_loss"] = now["final_loss"] * (1 + 3e-9)  # what rounding does in 100 epochs
    m = match_runs(runs(), now, AXES, rtol=ACROSS_MACHINES)
    assert m.differing == 0 and m.last_bits == 6 and not m.identical
    assert exact_failures(m) == []
    assert notes(m, runs(), now) == (
        "6 of 6 runs differ from the baseline in their last bits only (final loss within "
        "1e-06 relative; status and epochs the same)",
    )
    assert match_runs(runs(), now, AXES).differing == 6  # to the bit, they differ


def test_across_machines_an_epoch_or_a_real_change_of_loss_still_fails():
    later = runs()
    later.loc[2, "epochs_run"] += 1
    m = match_runs(runs(), later, AXES, rtol=ACROSS_MACHINES)
    assert m.differing == 1 and "epochs_run baseline 12, now 13" in exact_failures(m)[-1]
    worse = runs()
    worse.loc[0, "final_loss"] *= 1 + 1e-5  # beyond any rounding
    assert match_runs(runs(), worse, AXES, rtol=ACROSS_MACHINES).differing == 1


def test_across_machines_infinities_and_nans_match_only_their_own_kind():
    base, now = runs(), runs()
    base.loc[0, "final_loss"], now.loc[0, "final_loss"] = np.inf, np.inf
    base.loc[1, "final_loss"], now.loc[1, "final_loss"] = np.nan, np.nan
    assert match_runs(base, now, AXES, rtol=ACROSS_MACHINES).differing == 0
    now.loc[0, "final_loss"] = -np.inf
    now.loc[1, "final_loss"] = 1.0
    assert match_runs(base, now, AXES, rtol=ACROSS_MACHINES).differing == 2
