"""sweeps.gallery.fair: choose on one half of the seeds, report on the other; bracketing."""

from __future__ import annotations

import pandas as pd

from sweeps.gallery import fair


def _runs(epochs_of) -> pd.DataFrame:
    """Two cells x three rates x four seeds; epochs_of(cell, lr, seed) or None (censored)."""
    rows = []
    for cell in ("a", "b"):
        for lr in (0.1, 1.0, 10.0):
            for seed in range(4):
                e = epochs_of(cell, lr, seed)
                rows.append({"cell": cell, "lr": lr, "seed": seed,
                             "status": "converged" if e is not None else "censored",
                             "epochs_to_threshold": e, "epochs_run": e if e else 100,
                             "final_loss": 0.01 if e else 0.2})  # fmt: skip
    return pd.DataFrame(rows)


def test_the_choice_is_made_on_the_first_seeds_and_reported_on_the_others():
    # Cell a: seeds 0-1 are fastest at lr 1, seeds 2-3 at lr 10. The choice must follow
    # the first half, and the reported figure must be the second half's at that rate.
    def epochs(cell, lr, seed):
        best = 1.0 if seed < 2 else 10.0
        return 10 if lr == best else 50

    chosen, reported = fair.choose(_runs(epochs), "lr", ["cell"], 100)
    assert list(chosen["lr"]) == [1.0, 1.0]
    assert list(reported["km_median"]) == [50.0, 50.0]  # seeds 2-3 at lr 1
    assert list(reported["runs"]) == [2, 2]
    assert fair.seed_ranges(_runs(epochs)) == ("seeds 0–1", "seeds 2–3")


def test_a_best_rate_at_the_grid_s_edge_is_said():
    def epochs(cell, lr, seed):
        return {"a": {0.1: 5, 1.0: 20, 10.0: 40}, "b": {0.1: 40, 1.0: 5, 10.0: 40}}[cell][lr]

    chosen, _ = fair.choose(_runs(epochs), "lr", ["cell"], 100)
    assert list(chosen["at_edge"]) == [True, False]
    note = fair.edge_note(chosen, "lr")
    assert "1 of 2" in note and "0.1" in note and "beyond" in note
    inside = chosen.assign(at_edge=False)
    assert "bracketed" in fair.edge_note(inside, "lr")
