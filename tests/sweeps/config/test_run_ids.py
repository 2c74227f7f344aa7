"""Run ids stay what they were: every bundled spec expands to the ids recorded before the
code moved into subpackages (``tests/data/run_ids_before_layout.json.gz``). The five gallery
specs whose grids were redrawn for fair comparisons (depth-saturation, encoder-8-3-8,
seed-or-gate, two-spirals, xor-hidden-units) were recorded again with their new grids
(encoder-8-3-8's earlier 2,880 ids are all among its 10,240)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from sweeps.config.grid import expand, n_runs
from sweeps.config.load import bundled_specs, load_spec

RECORDED = Path(__file__).resolve().parents[2] / "data" / "run_ids_before_layout.json.gz"


@pytest.fixture(scope="module")
def recorded() -> dict[str, list[str]]:
    with gzip.open(RECORDED, "rt", encoding="utf-8") as f:
        return json.load(f)


def _recorded_names() -> list[str]:
    with gzip.open(RECORDED, "rt", encoding="utf-8") as f:
        return sorted(json.load(f))


def test_every_recorded_spec_is_still_bundled(recorded):
    # Specs added since (ci-full) have no record here: their exact baselines guard them.
    assert set(recorded) <= set(bundled_specs())


@pytest.mark.parametrize("name", _recorded_names())
def test_run_ids_are_the_recorded_ones(recorded, name):
    ids = sorted(expand(load_spec(name))["run_id"])
    want = recorded[name]
    first = next((i for i, (a, b) in enumerate(zip(ids, want, strict=False)) if a != b), None)
    if first is not None:
        pytest.fail(f"spec {name!r}: sorted run id #{first} is {ids[first]}, was {want[first]}")
    assert len(ids) == len(want), f"spec {name!r}: {len(ids)} runs, {len(want)} recorded"


@pytest.mark.parametrize("name", sorted(bundled_specs()))
def test_n_runs_counts_what_expand_gives(name):
    spec = load_spec(name)
    assert n_runs(spec) == len(expand(spec))
