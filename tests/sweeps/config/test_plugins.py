"""The spec's ``plugins`` key: loading, one-line failures, run ids, spec hashes, records."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from nncore import ACTIVATIONS
from sweeps.config import plugins as plug
from sweeps.config.grid import expand
from sweeps.config.load import load_spec
from sweeps.config.spec import SpecError, SweepSpec

HARDTANH = """\
import numpy as np
import nncore

nncore.register_activation(
    "hardtanh", lambda z: np.clip(z, -1.0, 1.0),
    lambda z: (np.abs(z) < 1.0).astype(np.float64), low=-1.0, high=1.0,
)
"""
SPEC = """\
name = "plug"
{plugins}
seeds = 3
max_epochs = 50

[params]
task = "xor"
activation = {activation}

[stop]
max_error_below = 0.1
"""


@pytest.fixture(autouse=True)
def fresh():
    """Every plugin a test loads is unloaded after it (its parts unregistered)."""
    before = set(plug.loaded())
    yield
    for p in set(plug.loaded()) - before:
        plug.unload(p)
    plug.entry_point_plugins(refresh=True)


def write_spec(tmp_path: Path, plugins: str = '["plugins/hardtanh.py"]',
               activation: str = '["tanh", "hardtanh"]', code: str = HARDTANH,
               name: str = "spec.toml") -> Path:  # fmt: skip
    (tmp_path / "plugins").mkdir(exist_ok=True)
    (tmp_path / "plugins" / "hardtanh.py").write_text(code)
    line = f"plugins = {plugins}" if plugins else ""
    path = tmp_path / name
    path.write_text(SPEC.format(plugins=line, activation=activation))
    return path


def test_a_plugin_file_next_to_the_spec_registers_its_part(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)  # relative to the spec file, not the cwd
    spec = load_spec(write_spec(tmp_path))
    assert "hardtanh" in ACTIVATIONS and spec.candidates("activation") == ("tanh", "hardtanh")
    (p,) = spec.plugins
    assert (p.name, p.kind, Path(p.path)) == (
        "plugins/hardtanh.py", "file", tmp_path / "plugins" / "hardtanh.py",
    )  # fmt: skip
    again = load_spec(tmp_path / "spec.toml")  # imported once per process
    assert again.plugins == spec.plugins and plug.loaded().count(p) == 1


def test_a_misspelt_plugin_part_gets_did_you_mean(tmp_path):
    with pytest.raises(SpecError, match="did you mean 'hardtanh'"):
        load_spec(write_spec(tmp_path, activation='"hardtanx"'))


@pytest.mark.parametrize(
    "code, message",
    [
        (HARDTANH.replace("(np.abs", "2.0 * (np.abs"), "the derivative does not match"),
        ("def f(:\n", "cannot import it: SyntaxError: .* \\(line 1\\)"),
        ("import numpy\nraise RuntimeError('boom')\n", "RuntimeError: boom \\(line 2\\)"),
        ("import no_such_module_here\n", "ModuleNotFoundError"),
    ],
)
def test_a_broken_plugin_is_one_line_naming_it(tmp_path, code, message):
    with pytest.raises(SpecError, match=message) as e:
        load_spec(write_spec(tmp_path, code=code))
    assert "\n" not in str(e.value) and "plugin 'plugins/hardtanh.py'" in str(e.value)
    assert "hardtanh" not in ACTIVATIONS and not plug.loaded()


@pytest.mark.parametrize(
    "plugins, message",
    [
        ('["plugins/missing.py"]', "plugin 'plugins/missing.py': no such file"),
        ('["no_such_pkg.ext"]', "plugin 'no_such_pkg.ext': cannot import it"),
        ('["not a module"]', "neither a file path ending in .py nor a module name"),
        ('"plugins/hardtanh.py"', "must be a list"),
        ('["plugins/hardtanh.py", "plugins/../plugins/hardtanh.py"]', "twice"),
    ],
)
def test_bad_plugin_entries_are_one_line(tmp_path, plugins, message):
    with pytest.raises(SpecError, match=message):
        load_spec(write_spec(tmp_path, plugins=plugins, activation='"tanh"'))


def test_only_runs_that_use_a_plugin_part_hash_it(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    plain = load_spec(write_spec(tmp_path, plugins="", activation='"tanh"', name="plain.toml"))
    grid = expand(spec)
    tanh = grid[grid["activation"] == "tanh"]["run_id"].tolist()
    assert tanh == expand(plain)["run_id"].tolist()  # the same runs, the same ids
    before = grid[grid["activation"] == "hardtanh"]["run_id"].tolist()
    (tmp_path / "plugins" / "hardtanh.py").write_text(HARDTANH + "# edited\n")
    after = expand(load_spec(tmp_path / "spec.toml"))
    assert set(after[after["activation"] == "hardtanh"]["run_id"]).isdisjoint(before)
    assert after[after["activation"] == "tanh"]["run_id"].tolist() == tanh


def test_the_spec_hash_counts_plugins_only_when_listed(tmp_path):
    plain = load_spec(write_spec(tmp_path, plugins="", activation='"tanh"'))
    empty = load_spec(write_spec(tmp_path, plugins="[]", activation='"tanh"', name="e.toml"))
    listed = load_spec(write_spec(tmp_path, activation='"tanh"', name="l.toml"))
    assert empty.spec_hash == plain.spec_hash and "plugins" not in plain.to_dict()
    assert listed.spec_hash != plain.spec_hash
    moved = tmp_path / "moved"
    moved.mkdir()
    with pytest.raises(SpecError, match="already registered by plugin 'plugins/hardtanh.py' "):
        load_spec(write_spec(moved, activation='"tanh"', name="l.toml"))  # another file
    plug.unload(listed.plugins[0])
    again = load_spec(write_spec(moved, activation='"tanh"', name="l.toml"))
    assert again.spec_hash == listed.spec_hash  # its content counts, not where it lies


def test_a_part_from_an_unlisted_plugin_is_refused(tmp_path):
    load_spec(write_spec(tmp_path))  # loads the plugin in this process
    with pytest.raises(SpecError, match="registered by plugin 'plugins/hardtanh.py'; list it"):
        load_spec(write_spec(tmp_path, plugins="", activation='"hardtanh"', name="b.toml"))


def test_a_recorded_spec_is_rebuilt_and_its_plugin_checked(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    back = SweepSpec.from_dict(spec.to_dict())
    assert back.spec_hash == spec.spec_hash and back.plugins == spec.plugins
    assert pickle.loads(pickle.dumps(spec)).spec_hash == spec.spec_hash
    (tmp_path / "plugins" / "hardtanh.py").write_text(HARDTANH + "# edited\n")
    with pytest.raises(SpecError, match="is not the one the sweep started with"):
        SweepSpec.from_dict(spec.to_dict())


def test_a_worker_refuses_a_plugin_whose_hash_differs(tmp_path):
    (p,) = load_spec(write_spec(tmp_path)).plugins
    plug.ensure([p.ref()])  # loaded already: nothing to do
    with pytest.raises(plug.PluginError, match="sha256 is now"):
        plug.ensure([(p.name, p.kind, p.target, "0" * 64)])


def _module(root: Path, body: str) -> None:
    pkg = root / "mypkg"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "nnsweep_ext.py").write_text(body)


def test_a_module_plugin_is_hashed_by_its_source(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    _module(tmp_path, HARDTANH)
    monkeypatch.delitem(sys.modules, "mypkg.nnsweep_ext", raising=False)
    spec = load_spec(write_spec(tmp_path, plugins='["mypkg.nnsweep_ext"]'))
    (p,) = spec.plugins
    assert (p.kind, p.target) == ("module", "mypkg.nnsweep_ext")
    assert Path(p.path) == tmp_path / "mypkg" / "nnsweep_ext.py"
    monkeypatch.delitem(sys.modules, "mypkg.nnsweep_ext")


def test_a_module_imported_before_it_is_listed_still_owns_its_parts(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    _module(tmp_path, HARDTANH)
    monkeypatch.delitem(sys.modules, "mypkg.nnsweep_ext", raising=False)
    import mypkg.nnsweep_ext  # noqa: F401  registers outside any plugin

    with pytest.raises(SpecError, match="module 'mypkg.nnsweep_ext', not by a plugin"):
        load_spec(write_spec(tmp_path, plugins="", activation='"hardtanh"'))
    spec = load_spec(write_spec(tmp_path, plugins='["mypkg.nnsweep_ext"]', name="m.toml"))
    assert expand(spec)["run_id"].nunique() == 6
    monkeypatch.delitem(sys.modules, "mypkg.nnsweep_ext")


def test_an_installed_entry_point_plugin_is_loaded_and_counted_when_used(tmp_path, monkeypatch):
    dist = tmp_path / "site" / "myext-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: myext\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[nnsweep.plugins]\nhard = myext_parts\n")
    (tmp_path / "site" / "myext_parts.py").write_text(HARDTANH)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "myext_parts", raising=False)
    plug.entry_point_plugins(refresh=True)
    plain = load_spec(write_spec(tmp_path, plugins="", activation='"tanh"'))
    assert plain.plugins == () and "plugins" not in plain.to_dict()
    spec = load_spec(write_spec(tmp_path, plugins="", activation='"hardtanh"', name="u.toml"))
    (p,) = spec.plugins
    assert (p.name, p.kind, p.target) == ("hard", "entry point", "myext_parts")
    assert "plugins" in spec.to_dict()
    assert SweepSpec.from_dict(spec.to_dict()).spec_hash == spec.spec_hash
    monkeypatch.delitem(sys.modules, "myext_parts")
