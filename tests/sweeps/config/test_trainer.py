"""A user trainer in a spec: loading it, its declared parameters, one-line errors, run ids."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sweeps.config.grid import chunks, expand, n_runs
from sweeps.config.load import load_spec
from sweeps.config.spec import SpecError, SweepSpec
from sweeps.config.trainer import load_trainer

TRAINER = """
PARAMS = {
    "lr": {"type": "float", "default": 0.1, "low": 0, "low_open": True},
    "width": {"type": "int", "default": 4, "low": 1, "high": 64},
    "act": {"type": "str", "default": "tanh", "choices": ["sigmoid", "tanh"]},
    "bias": {"type": "bool", "default": True},
}
METRICS = ["val_loss"]


def fit_one(params, seed, max_epochs, stop):
    return {"status": "censored", "epochs_run": max_epochs, "final_loss": params["lr"]}
"""

SPEC = """
name = "mine"
trainer = "train.py:fit_one"
seeds = 3
max_epochs = 50
[params]
lr = [0.1, 0.2]
act = ["sigmoid", "tanh"]
[stop]
loss_below = 0.01
"""


def _write(tmp_path: Path, spec: str = SPEC, trainer: str = TRAINER) -> Path:
    (tmp_path / "train.py").write_text(trainer)
    path = tmp_path / "mine.toml"
    path.write_text(spec)
    return path


def _error(tmp_path: Path, spec: str = SPEC, trainer: str = TRAINER) -> str:
    with pytest.raises(SpecError) as e:
        load_spec(_write(tmp_path, spec, trainer))
    message = str(e.value)
    assert "\n" not in message
    return message


def test_the_trainer_s_parameters_are_the_spec_s(tmp_path):
    spec = load_spec(_write(tmp_path))
    assert list(spec.params) == ["lr", "act", "width", "bias"]  # file order, then defaults
    assert spec.params["width"] == (4,) and spec.params["bias"] == (True,)
    assert spec.axes == ("lr", "act") and spec.chunk_size == 16  # a trainer's default
    grid = expand(spec)
    assert list(grid.columns) == ["run_id", "lr", "width", "act", "bias", "max_epochs", "seed"]
    assert len(grid) == n_runs(spec) == 12 and grid["run_id"].is_unique
    assert len(chunks(grid, 5)) == 3  # one group: the names "act" or "width" mean nothing here
    assert spec.to_dict()["trainer"] == "train.py:fit_one"
    assert SweepSpec.from_dict(spec.to_dict()).spec_hash == spec.spec_hash


def test_a_module_trainer_loads_by_name(tmp_path, monkeypatch):
    (tmp_path / "mytrainers").mkdir()
    (tmp_path / "mytrainers" / "__init__.py").write_text("")
    (tmp_path / "mytrainers" / "net.py").write_text(TRAINER)
    monkeypatch.syspath_prepend(str(tmp_path))
    t = load_trainer("mytrainers.net:fit_one")
    assert t.name == "mytrainers.net:fit_one" and t.module == "mytrainers.net"
    assert list(t.params) == ["lr", "width", "act", "bias"] and t.metrics == ("val_loss",)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("lr = [0.1, 0.2]", "lrr = 0.1"), "unknown key 'lrr' in [params]; allowed: ['lr', "),
        (("lr = [0.1, 0.2]", "lrr = 0.1"), "did you mean 'lr'?"),
        (("lr = [0.1, 0.2]", "lr = [0.1, 0]"), "params.lr=0 must be > 0"),
        (("lr = [0.1, 0.2]", "width = 65"), "params.width=65 must be <= 64"),
        (("lr = [0.1, 0.2]", "width = 2.5"), "params.width=2.5 must be an integer"),
        (('act = ["sigmoid", "tanh"]', 'act = "relu"'), "params.act='relu' not in ['sigmoid', "),
        (("lr = [0.1, 0.2]", 'bias = "yes"'), "params.bias='yes' must be true or false"),
        (("train.py:fit_one", "train.py:fit_onee"), "has no function 'fit_onee'; did you mean"),
        (("train.py:fit_one", "nope.py:fit_one"), "trainer='nope.py:fit_one': no file"),
        (("train.py:fit_one", "train.py"), "must be 'MODULE:FUNCTION' or 'FILE.py:FUNCTION'"),
        (("train.py:fit_one", "no_such_module_x:f"), "importing it failed: ModuleNotFoundError"),
        (("seeds = 3", "seeds = 3\ntrainer_timeout_s = 0"), "trainer_timeout_s=0 must be > 0"),
        (("[stop]", "[sample]\nn = 2\nwidth = {choice = [2, 3]}\n[stop]"), "[sample] is not"),
        (('trainer = "train.py:fit_one"', "trainer_timeout_s = 5"), "but no trainer"),
        (("seeds = 3", "seeds = 3\ndiagnostics = true"), "diagnostics (nncore's layers) is not"),
    ],
)
def test_a_bad_spec_gets_one_line(tmp_path, change, expected):
    message = _error(tmp_path, SPEC.replace(*change))
    assert message.startswith(str(tmp_path / "mine.toml")) and expected in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('"default": 0.1, "low": 0', '"default": 0, "low": 0'), "PARAMS['lr']['default']=0"),
        (('"type": "int"', '"type": "integer"'), "PARAMS['width']['type']='integer' not in"),
        (('"low": 1, "high": 64', '"lo": 1'), "unknown key 'lo'; allowed:"),
        (('"bias": {', '"status": {'), "PARAMS['status']: the name must be an identifier"),
        (('METRICS = ["val_loss"]', 'METRICS = ["seed"]'), "metric name 'seed' is taken"),
        (("PARAMS = {", "PARAMZ = {"), "declares no parameters"),
        (("PARAMS = {", "raise RuntimeError('at import')\nPARAMS = {"), "RuntimeError: at import"),
    ],
)
def test_a_bad_declaration_gets_one_line(tmp_path, change, expected):
    assert expected in _error(tmp_path, trainer=TRAINER.replace(*change))


def test_the_trainer_s_file_enters_the_run_ids(tmp_path):
    before = expand(load_spec(_write(tmp_path)))
    again = expand(load_spec(_write(tmp_path)))
    assert list(again["run_id"]) == list(before["run_id"])
    edited = expand(load_spec(_write(tmp_path, trainer=TRAINER + "\n# a comment\n")))
    assert not set(edited["run_id"]) & set(before["run_id"])  # every run is new
    # The spec itself is the same: a changed trainer is checked against the same baseline.
    assert load_spec(tmp_path / "mine.toml").spec_hash == load_spec(_write(tmp_path)).spec_hash


def test_the_trainer_loads_relative_to_the_spec_file(tmp_path, monkeypatch):
    spec = _write(tmp_path)
    monkeypatch.chdir("/")
    assert load_spec(spec).trainer_def.module == str((tmp_path / "train.py").resolve())


def test_a_spec_without_trainer_hashes_as_before():
    spec = load_spec("quick")
    assert "trainer" not in spec.to_dict() and "trainer_timeout_s" not in spec.to_dict()


def test_the_protocol_is_documented_where_the_spec_format_is():
    from sweeps.config import format, trainer

    assert "trainer" in textwrap.dedent(format.__doc__)
    assert "def fit_one(params: dict, seed: int, max_epochs: int, stop: dict) -> dict" in (
        trainer.__doc__
    )
