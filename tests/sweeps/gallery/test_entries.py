"""The gallery's registry: one entry per bundled spec, found by name, reducible."""

from __future__ import annotations

import pytest

from nncore import ConfigError
from sweeps.cli import main
from sweeps.config.load import bundled_specs, load_spec
from sweeps.gallery.entries import ENTRIES, get_entry, reduce

NAMES = [
    "seed-or-gate",
    "xor-hidden-units",
    "encoder-8-3-8",
    "init-plateau",
    "depth-saturation",
    "two-spirals",
]


def test_registry_matches_the_bundled_specs():
    assert list(ENTRIES) == NAMES
    for name in NAMES:
        assert name in bundled_specs()
        spec = load_spec(name)
        assert spec.name == name
        assert spec.description and "\n" not in spec.description
        assert len(spec.description) <= 100


def test_unknown_entry_is_one_line_with_a_suggestion(capsys):
    with pytest.raises(ConfigError, match="did you mean 'two-spirals'"):
        get_entry("two-spiral")
    assert main(["gallery", "two-spiral", "--reduced"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "two-spirals" in err


def test_reduce_keeps_the_ends_of_every_axis():
    spec = load_spec("depth-saturation")
    small = reduce(spec, seeds=2, max_epochs=50, keep=2)
    assert small.seeds == spec.seeds[:2]
    assert small.max_epochs == 50
    assert small.stop == spec.stop and small.name == spec.name
    for name, values in spec.params.items():
        kept = small.params[name]
        assert len(kept) == min(2, len(values))
        assert kept[0] == values[0] and kept[-1] == values[-1]
    three = reduce(spec, keep=3)
    assert three.params["hidden"] == ("8", "8x8x8", "8x8x8x8x8")
    assert reduce(spec, max_epochs=10**9).max_epochs == spec.max_epochs
    with pytest.raises(ConfigError, match="seeds=0"):
        reduce(spec, seeds=0)
