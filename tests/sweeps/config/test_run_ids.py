"""Every bundled spec expands to the run ids recorded before the code was rearranged.

A run id is the hash of a run's whole configuration: if moving code changed a default, a
canonical form or the hashing, the ids would move and every results directory and
baseline would silently stop matching. The list was recorded once, before the move.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from sweeps.config.grid import expand
from sweeps.config.spec import bundled_specs, load_spec

RECORDED = Path(__file__).resolve().parents[2] / "data" / "run_ids_before_layout.json.gz"


def recorded() -> dict[str, list[str]]:
    return json.loads(gzip.decompress(RECORDED.read_bytes()))


def test_the_record_covers_every_bundled_spec_of_its_time():
    assert set(recorded()) <= set(bundled_specs())


@pytest.mark.parametrize("name", sorted(recorded()))
def test_bundled_spec_expands_to_the_recorded_run_ids(name):
    ids = sorted(expand(load_spec(name))["run_id"])
    want = recorded()[name]
    assert len(ids) == len(want), f"{name}: {len(ids)} runs, recorded {len(want)}"
    first = next((f"{a} != {b}" for a, b in zip(ids, want, strict=True) if a != b), None)
    assert first is None, f"{name}: first differing run id (now != recorded): {first}"
