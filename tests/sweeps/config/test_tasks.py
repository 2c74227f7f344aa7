"""A spec's own tasks: [tasks.NAME] tables read, prepared and hashed; bad data in one line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sweeps.config.grid import expand
from sweeps.config.load import load_spec
from sweeps.config.spec import SpecError, SweepSpec
from sweeps.config.tasks import check_payload

CSV = """\
a,b,kind,score
1.0,10,red,0.5
2.0,20,blue,0.1
3.0,30,red,0.9
4.0,40,blue,0.3
5.0,50,red,0.7
6.0,60,blue,0.2
7.0,70,red,0.4
8.0,80,blue,0.8
9.0,90,red,0.6
10.0,100,blue,0.0
"""

SPEC = """\
name = "mine"
seeds = 2
max_epochs = 20

[tasks.colours]
file = "data/colours.csv"
target = "kind"
inputs = ["a", "b"]
holdout = 0.4

[params]
task = "colours"
hidden = "3"
output_activation = "softmax"
loss = "ce"

[stop]
loss_below = 0.01
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "colours.csv").write_text(CSV)
    (tmp_path / "mine.toml").write_text(SPEC)
    return tmp_path


def _spec(folder: Path, spec: str = SPEC, csv: str | None = None) -> SweepSpec:
    if csv is not None:
        (folder / "data" / "colours.csv").write_text(csv)
    (folder / "mine.toml").write_text(spec)
    return load_spec(folder / "mine.toml")


def test_a_string_target_becomes_one_hot_and_the_holdout_is_stratified(folder):
    task = _spec(folder).tasks["colours"]
    assert task.classes == ("blue", "red") and (task.n_in, task.n_out) == (2, 2)
    assert task.X.shape == (6, 2) and task.X_val.shape == (4, 2)
    # 0.4 of each class of five: two red and two blue flowers held out
    assert task.Y_val.sum(axis=0).tolist() == [2.0, 2.0]
    assert task.Y.sum(axis=0).tolist() == [3.0, 3.0]
    assert not task.X.flags.writeable and not task.Y_val.flags.writeable


def test_standard_scaling_is_fitted_on_the_training_part_only(folder):
    task = _spec(folder).tasks["colours"]
    np.testing.assert_allclose(task.X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(task.X.std(axis=0), 1.0)
    assert np.abs(task.X_val.mean(axis=0)).max() > 1e-6  # scaled by the other part's numbers
    mm = _spec(folder, SPEC.replace("holdout = 0.4", 'scale = "minmax"')).tasks["colours"]
    assert mm.X.min() == 0.0 and mm.X.max() == 1.0 and mm.X_val is None
    raw = _spec(folder, SPEC.replace("holdout = 0.4", 'scale = "none"')).tasks["colours"]
    assert raw.X[:, 1].tolist() == [10.0 * i for i in range(1, 11)]


def test_inputs_default_to_every_other_column_and_a_numeric_target_is_kept(folder):
    text = SPEC.replace('target = "kind"\ninputs = ["a", "b"]', 'target = ["score"]')
    text = text.replace('output_activation = "softmax"\nloss = "ce"', "")
    numeric = CSV.replace("red", "1").replace("blue", "0")
    task = _spec(folder, text, numeric).tasks["colours"]
    assert task.settings["inputs"] == ["a", "b", "kind"] and task.n_out == 1
    assert task.classes == () and len(task.X_val) == 4  # not stratified: no classes
    both = sorted(np.concatenate([task.Y, task.Y_val]).ravel().tolist())
    assert both == sorted(float(r.split(",")[3]) for r in CSV.splitlines()[1:])


def test_an_npz_file_and_a_generator_make_tasks_too(folder):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)), np.array(["u", "v"] * 10)
    np.savez(folder / "data" / "arrays.npz", X=x, Y=y)
    text = SPEC.replace(
        '[tasks.colours]\nfile = "data/colours.csv"\ntarget = "kind"\ninputs = ["a", "b"]\n'
        "holdout = 0.4",
        '[tasks.colours]\nfile = "data/arrays.npz"\nscale = "none"\n\n'
        '[tasks.moons]\ngenerator = "moons"\nn = 40\nnoise = 0.1\nholdout = 0.25',
    ).replace('task = "colours"', 'task = ["colours", "moons"]')
    text = text.replace('output_activation = "softmax"\nloss = "ce"', "")
    spec = _spec(folder, text)
    npz, moons = spec.tasks["colours"], spec.tasks["moons"]
    np.testing.assert_array_equal(npz.X, x)
    assert npz.classes == ("u", "v") and npz.settings["inputs"] == ["x0", "x1", "x2"]
    assert moons.X.shape == (30, 2) and moons.Y_val.ravel().tolist().count(1.0) == 5
    assert moons.settings == {"generator": "moons", "n": 40, "noise": 0.1, "scale": "standard",
                              "holdout": 0.25, "seed": 0}  # fmt: skip
    assert sorted(expand(spec)["task"].unique()) == ["colours", "moons"]


def test_the_settings_and_the_file_hash_enter_the_run_ids_and_the_spec(folder):
    spec = _spec(folder)
    ids = set(expand(spec)["run_id"])
    assert spec.to_dict()["tasks"]["colours"]["sha256"]
    assert set(expand(_spec(folder))["run_id"]) == ids  # the same file: the same runs
    edited = _spec(folder, csv=CSV.replace("3.0,30,red", "3.5,30,red"))
    assert not ids & set(expand(edited)["run_id"]) and edited.spec_hash != spec.spec_hash
    other = _spec(folder, SPEC.replace("holdout = 0.4", "holdout = 0.2"))
    assert not ids & set(expand(other)["run_id"])


def test_tasks_that_are_not_tables_are_one_line():
    raw = {"seeds": 1, "max_epochs": 1, "stop": {"loss_below": 0.1}, "tasks": 3}
    with pytest.raises(SpecError, match=r"spec: tasks=3 must be tables"):
        SweepSpec.from_mapping(raw, default_name="x")
    raw["tasks"] = {"t": 3}
    with pytest.raises(SpecError, match=r"tasks\.t=3 must be a table"):
        SweepSpec.from_mapping(raw, default_name="x")


def test_a_spec_without_tasks_hashes_as_before():
    spec = load_spec("quick")
    assert "tasks" not in spec.to_dict() and dict(spec.tasks) == {}


def test_the_manifest_form_reads_back_and_pins_the_file(folder, monkeypatch):
    spec = _spec(folder)
    monkeypatch.chdir(folder.parent)  # the source is a path: found from anywhere
    back = SweepSpec.from_dict(spec.to_dict())
    assert back.spec_hash == spec.spec_hash and back == spec
    (folder / "data" / "colours.csv").write_text(CSV.replace("10,red", "11,red"))
    with pytest.raises(SpecError, match="the file has changed"):
        SweepSpec.from_dict(spec.to_dict())


def test_a_spec_pickles_with_its_data(folder):
    import pickle

    spec = _spec(folder)
    back = pickle.loads(pickle.dumps(spec))
    assert back == spec and back.tasks["colours"].digest == spec.tasks["colours"].digest


def test_a_payload_is_checked_against_its_digest(folder):
    payload = _spec(folder).tasks["colours"].payload()
    check_payload(payload, "colours")
    with pytest.raises(RuntimeError, match="not the data prepared"):
        check_payload({**payload, "X": payload["X"] * 2}, "colours")
    with pytest.raises(RuntimeError):
        check_payload(payload, "other")


def test_the_bundled_iris_spec_uses_the_real_data():
    spec = load_spec("iris")
    iris = spec.tasks["iris"]
    assert iris.classes == ("setosa", "versicolor", "virginica")
    assert len(iris.X) + len(iris.X_val) == 150 and len(iris.X_val) == 45
    rows = (spec.path.parent / "data" / "iris.csv").read_text().splitlines()
    assert rows[1] == "5.1,3.5,1.4,0.2,setosa" and rows[-1] == "5.9,3.0,5.1,1.8,virginica"


BAD = [
    ('file = "data/nope.csv"', {}, r"tasks\.colours\.file='data/nope.csv': no such file"),
    ('file = "data/colours.txt"', {}, r"file='data/colours.txt' must end in one of"),
    ('target = "knd"', {}, r"target='knd' is not a column of .*did you mean 'kind'\?"),
    ('inputs = ["a", "bb"]', {}, r"inputs='bb' is not a column .*did you mean 'b'\?"),
    ('inputs = ["a", "kind"]', {}, r"inputs lists 'kind', which is the target"),
    ('target = "score"', {"inputs": "default"},
     r"inputs: column 'kind' is not numeric \(e\.g\. 'red'\)"),
    ("holdout = 0.95", {}, r"holdout=0.95 must be <= 0.9"),
    ("holdout = 0.05", {}, r"holdout=0.05 leaves class 'blue' \(5 samples\) with no validation"),
    ("scale = \"zscore\"", {}, r"scale='zscore' not in \['minmax', 'none', 'standard'\]"),
    ("colour = 1", {}, r"unknown key 'colour' in \[tasks\.colours\]"),
    ('generator = "moons"', {}, r"must set one of file = .* not both"),
    ("sha256 = \"abc\"", {}, r"has sha256 .* not abc\.\.\. .*the file has changed"),
]  # fmt: skip


@pytest.mark.parametrize("line, extra, match", BAD)
def test_bad_task_settings_are_one_line(folder, line, extra, match):
    key = line.split(" =")[0]
    kept = [x for x in SPEC.splitlines() if not x.startswith(key + " =")]
    if "inputs" in extra:
        kept = [x for x in kept if not x.startswith("inputs =")]
    text = "\n".join(kept).replace("[tasks.colours]", "[tasks.colours]\n" + line)
    with pytest.raises(SpecError, match=match) as info:
        _spec(folder, text)
    assert "\n" not in str(info.value) and str(info.value).startswith(str(folder / "mine.toml"))


@pytest.mark.parametrize(
    "csv, match",
    [
        (
            CSV.replace("3.0,30", "3.0,"),
            r"column 'b' has 1 missing value\(s\) \(first in data row 3\)",
        ),
        (CSV.replace("3.0,30", "nan,30"), r"column 'a' has 1 missing value"),
        (CSV.replace("3.0,30", "inf,30"), r"column 'a' has inf in data row 3"),
        (CSV.replace("blue", "red"), r"target='kind' has one class \('red'\)"),
        (CSV.replace(",red,", ",,"), r"column 'kind' has 5 missing value"),
        ("a,b,kind\n1,2,red\n", r"has 1 data row\(s\); need 2 or more"),
        ('a,b,kind\n1,2,"red\n', r"cannot be read: "),
    ],
)
def test_bad_data_is_one_line(folder, csv, match):
    with pytest.raises(SpecError, match=match) as info:
        _spec(folder, csv=csv)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "text, match",
    [
        (
            SPEC.replace("[tasks.colours]", "[tasks.xor]").replace(
                'task = "colours"', 'task = "xor"'
            ),
            r"tasks\.xor has the name of a built-in task",
        ),
        (
            SPEC.replace("[tasks.colours]", "[tasks.parity5]"),
            r"tasks\.parity5 has the name of a built-in",
        ),
        (
            SPEC.replace('task = "colours"', 'task = "colour"'),
            r"params\.task='colour' is neither a built-in task .* nor one of the spec's \[tasks\] "
            r"\['colours'\]; did you mean 'colours'\?",
        ),
        (
            SPEC.replace('task = "colours"', 'task = "colours"\ninputs = "centred"'),
            r"params\.inputs='centred' is for the built-in tasks",
        ),
        (
            SPEC.replace('file = "data/colours.csv"', 'generator = "moons"\nn = 2').replace(
                'target = "kind"\ninputs = ["a", "b"]\n', ""
            ),
            r"tasks\.colours\.n=2 must be >= 4",
        ),
        (
            SPEC.replace('file = "data/colours.csv"', 'generator = "moons"\nnoise = -1').replace(
                'target = "kind"\ninputs = ["a", "b"]\n', ""
            ),
            r"tasks\.colours\.noise=-1 must be >= 0",
        ),
        (SPEC.replace('target = "kind"\n', ""), r"missing key 'target' in \[tasks\.colours\]"),
        (
            SPEC.replace("[tasks.colours]", "[tasks.colours]\nfile = 1").replace(
                'file = "data/colours.csv"\n', ""
            ),
            r"tasks\.colours\.file=1 must be a path",
        ),
        (
            SPEC.replace('hidden = "3"', 'hidden = "3"\ninputs = ["a"]'),
            r"params\.inputs=\['a'\]|params\.inputs='a' not in",
        ),
        (
            SPEC.replace("[tasks.colours]", '[tasks."9 lives"]').replace(
                'task = "colours"', 'task = "9 lives"'
            ),
            r"a task name must match",
        ),
    ],
)
def test_bad_task_names_and_uses_are_one_line(folder, text, match):
    with pytest.raises(SpecError, match=match) as info:
        _spec(folder, text)
    assert "\n" not in str(info.value)


def test_a_parquet_file_needs_pyarrow(folder):
    text = SPEC.replace("colours.csv", "colours.parquet")
    if importlib.util.find_spec("pyarrow") is None:
        (folder / "data" / "colours.parquet").write_bytes(b"PAR1")
        with pytest.raises(SpecError, match=r"colours\.parquet' needs pyarrow"):
            _spec(folder, text)
    else:  # pragma: no cover - with pyarrow installed
        import pandas as pd

        pd.read_csv(folder / "data" / "colours.csv").to_parquet(
            folder / "data" / "colours.parquet"
        )
        assert _spec(folder, text).tasks["colours"].classes == ("blue", "red")


def test_the_readme_example_is_the_example_file_and_reads():
    root = Path(__file__).resolve().parents[3]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Your own data") :]
    shown = section[section.index("# examples/csv/flowers.toml\n") :].split("```", 1)[0]
    example = root / "examples" / "csv" / "flowers.toml"
    assert shown == "# examples/csv/flowers.toml\n" + example.read_text(encoding="utf-8")
    spec = load_spec(str(example))
    assert sorted(spec.tasks) == ["flowers", "moons"] and len(expand(spec)) == 40
