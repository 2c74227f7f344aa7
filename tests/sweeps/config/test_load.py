"""Finding and reading specs: files, bundled names, and the one-line errors of both."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweeps.config.grid import expand, n_runs
from sweeps.config.load import bundled_descriptions, bundled_specs, load_spec
from sweeps.config.spec import SpecError

BUNDLED = [
    "ci", "ci-bce", "ci-ce", "ci-full", "depth-saturation", "encoder-8-3-8",
    "encoder-8-3-8-online", "init-plateau", "iris", "or-sigmoid-vs-tanh", "parity-depth",
    "quick", "search-demo", "seed-or-gate", "seed-or-gate-answer", "seed-or-gate-bugs",
    "two-spirals", "xor-hidden-units", "xor-hidden-width",
]  # fmt: skip


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``write(text, name)`` saves a file in a temporary working directory."""
    monkeypatch.chdir(tmp_path)

    def _write(text: str, name: str) -> str:
        Path(name).write_text(text)
        return name

    return _write


def test_bundled_specs_are_listed_with_one_line_descriptions():
    assert list(bundled_specs()) == BUNDLED
    for name, text in bundled_descriptions().items():
        assert text and "\n" not in text and len(text) < 100, name


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_spec_loads_by_name_and_expands(name):

    spec = load_spec(name)
    assert spec.name == name and spec.source == name and spec.path == bundled_specs()[name]
    assert load_spec(f"{name}.toml").spec_hash == spec.spec_hash
    grid = expand(spec)
    assert len(grid) == n_runs(spec) > 0 and grid["run_id"].is_unique
    assert spec.axes and all(grid[a].nunique() > 1 for a in spec.axes)


def test_a_file_in_the_working_directory_wins_over_a_bundled_name(write):
    write(
        load_spec("quick").path.read_text().replace('name = "quick"', 'name = "mine"'),
        "quick.toml",
    )
    assert load_spec("quick.toml").name == "mine"
    assert load_spec("quick").name == "quick"  # no file called plain "quick"


def test_missing_file_names_both_possibilities(write):
    with pytest.raises(SpecError) as info:
        load_spec("nope.toml")
    assert (
        str(info.value) == f"nope.toml: no such file, and no bundled spec named 'nope' "
        f"(bundled: {BUNDLED})"
    )
    with pytest.raises(SpecError) as info:
        load_spec("quik")
    assert (
        str(info.value) == f"quik: no such file, and no bundled spec named 'quik' "
        f"(bundled: {BUNDLED}); did you mean 'quick'?"
    )
    with pytest.raises(SpecError, match=r"^specs/quick.toml: no such file$"):
        load_spec("specs/quick.toml")  # a path, so not taken as a bundled name


def test_unreadable_sources(write, tmp_path):
    (tmp_path / "d.toml").mkdir()
    with pytest.raises(SpecError, match=r"^d.toml: is a directory, not a spec file$"):
        load_spec("d.toml")
    Path("bin.toml").write_bytes(b"name = '\xff'\n")
    with pytest.raises(SpecError, match=r"^bin.toml: invalid TOML: not UTF-8 text$"):
        load_spec("bin.toml")
