"""Command-line overrides: the grammar, where each key goes, and the spec checks after."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest

from nncore.rules import ConfigError
from sweeps.config.grid import expand, n_runs
from sweeps.config.load import load_spec
from sweeps.config.overrides import apply_overrides, parse_override, parse_value
from sweeps.config.spec import NAME_RE, TOP_KEYS, SpecError


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", 0.5),
        ("1e-3", 0.001),
        (".5", 0.5),
        ("5.", 5.0),
        ("20", 20),
        ("true", True),
        ("false", False),
        ("tanh", "tanh"),
        ("16x16", "16x16"),
        (" tanh ", "tanh"),
        ('"6"', "6"),
        ("'a b'", "a b"),
        ('"OR, then XOR"', "OR, then XOR"),
        ("0.1,0.5", [0.1, 0.5]),
        ("sigmoid, tanh", ["sigmoid", "tanh"]),
        ("[3, 7]", [3, 7]),
        ("[3,7],[1]", [[3, 7], [1]]),
        ("{log_uniform = [1e-3, 10]}", {"log_uniform": [0.001, 10]}),
        ('"", 6', ["", 6]),
    ],
)
def test_values_are_toml_scalars_and_a_comma_makes_a_list(text, value):
    got = parse_value(text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", ["", "  ", "0.1,,0.5", "0.1,", ",tanh"])
def test_an_empty_value_or_item_is_refused(text):
    with pytest.raises(ConfigError, match="give a value"):
        parse_value(text)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("lr=0.1,0.5", ("params", "lr")),
        ("activation=tanh", ("params", "activation")),
        ("params.lr=0.1", ("params", "lr")),
        ("seeds=50", ("seeds",)),
        ("max_epochs=1000", ("max_epochs",)),
        ("stop.max_error_below=0.05", ("stop", "max_error_below")),
        ("sample.n=64", ("sample", "n")),
        ("sample.lr.log_uniform=1e-3,10", ("sample", "lr", "log_uniform")),
        ("chunk_size=512", ("chunk_size",)),
        ("description=a sweep", ("description",)),
        ("lr = 0.1", ("params", "lr")),  # spaces around the key are dropped
    ],
)
def test_keys_go_to_the_top_level_or_to_params(text, path):
    assert parse_override(text).path == path


def test_a_new_top_level_table_is_reached_when_the_format_has_it():
    # The applier knows no key beyond the format's own list: a new table works once listed.
    o = parse_override("widgets.a.b=0.2", (*TOP_KEYS, "widgets"))
    assert o.path == ("widgets", "a", "b") and o.value == 0.2
    with pytest.raises(ConfigError, match="unknown table 'widgets'"):
        parse_override("widgets.a.b=0.2")
    o = parse_override("tasks.iris.holdout=0.2")  # a spec's own tasks are in the format
    assert o.path == ("tasks", "iris", "holdout") and o.value == 0.2


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("lr", "override 'lr' is not KEY=VALUE"),
        ("=0.1", "is not KEY=VALUE"),
        ("l r=0.1", "the key 'l r' must be names"),
        ("stop..loss_below=1", "must be names"),
        ("sampel.n=64", "unknown table 'sampel'; a dotted key starts with one of"),
        ("max_epoch=100", "did you mean 'max_epochs'?"),
        ("lr=", "override 'lr=': no value after '='"),
    ],
)
def test_malformed_overrides_are_one_line_naming_them(text, needle):
    with pytest.raises(ConfigError, match="override") as e:
        parse_override(text)
    assert needle in str(e.value) and "\n" not in str(e.value)
    if "did you mean" in needle:
        assert "sampel" not in text


RAW = {
    "seeds": 20,
    "params": {"task": "or", "lr": [0.1, 0.5]},
    "sample": {"n": 8, "init_scale": {"uniform": [0.1, 2]}},
    "stop": {"max_error_below": 0.1},
}


def _apply(*texts: str) -> dict:
    return apply_overrides(RAW, [parse_override(t) for t in texts])


def test_apply_sets_keys_makes_tables_and_leaves_the_input_alone():
    before = copy.deepcopy(RAW)
    doc = _apply("lr=2.0", "seeds=[3,7]", "stop.loss_below=0.01", "activation=tanh,sigmoid")
    assert RAW == before
    assert doc["params"] == {"task": "or", "lr": 2.0, "activation": ["tanh", "sigmoid"]}
    assert doc["seeds"] == [3, 7]
    assert doc["stop"] == {"max_error_below": 0.1, "loss_below": 0.01}
    assert list(doc["params"]) == ["task", "lr", "activation"]  # an axis keeps its place
    assert apply_overrides({"seeds": 1}, [parse_override("stop.loss_below=1")])["stop"] == {
        "loss_below": 1
    }


def test_the_last_of_two_overrides_of_a_key_wins():
    assert _apply("lr=0.1", "lr=0.7")["params"]["lr"] == 0.7


def test_a_parameter_lives_in_params_or_in_sample():
    doc = _apply("sample.lr.log_uniform=1e-3,10")
    assert "lr" not in doc["params"] and doc["sample"]["lr"] == {"log_uniform": [0.001, 10]}
    doc = _apply("init_scale=1.0")
    assert "init_scale" not in doc["sample"] and doc["params"]["init_scale"] == 1.0
    doc = _apply("sample.init_scale.log_uniform=0.01,1")  # one distribution: replaced whole
    assert doc["sample"]["init_scale"] == {"log_uniform": [0.01, 1]}
    assert _apply("sample.n=64")["sample"]["n"] == 64 and _apply("sample.n=64")["params"]["lr"]


def test_a_key_inside_a_value_that_is_not_a_table_is_refused():
    with pytest.raises(ConfigError, match=r"override 'seeds.x=1': seeds=20 is not a table"):
        _apply("seeds.x=1")


def test_quick_with_overrides_has_the_product_of_its_axes():
    base = load_spec("quick")
    spec = load_spec("quick", ["lr=0.1,0.5", "seeds=5"])
    assert spec.axes == base.axes == ("task", "activation", "lr")
    counts = [len(spec.params[a]) for a in spec.axes]
    assert counts == [2, 2, 2] and n_runs(spec) == math.prod(counts) * 5 == 40
    assert spec.overrides == ("lr=0.1,0.5", "seeds=5") and base.overrides == ()


def test_an_override_equals_the_same_file(tmp_path: Path):
    text = load_spec("quick").path.read_text().replace("lr = [0.1, 0.5, 2.0]", "lr = [0.1, 0.5]")
    (tmp_path / "quick.toml").write_text(text.replace("seeds = 20", "seeds = 5"))
    from_file = load_spec(tmp_path / "quick.toml")
    spec = load_spec("quick", ["seeds=5", "params.lr=[0.1, 0.5]"])
    assert spec == from_file and spec.spec_hash == from_file.spec_hash
    assert expand(spec)["run_id"].tolist() == expand(from_file)["run_id"].tolist()


def test_an_overridden_spec_has_its_own_directory_name():
    base = load_spec("quick")
    a = load_spec("quick", ["lr=0.1,0.5", "seeds=5"])
    b = load_spec("quick", ["seeds=5", "lr=[0.1, 0.5]"])  # the same sweep, written otherwise
    c = load_spec("quick", ["lr=0.1,0.5"])
    assert base.dirname == "quick"
    assert a.dirname == b.dirname == f"quick.{a.spec_hash[:8]}" != c.dirname
    assert NAME_RE.fullmatch(a.dirname)
    long = load_spec("quick", ["name=" + "n" * 100])  # the longest name: cut to fit the rule
    assert long.dirname == f"{'n' * 91}.{long.spec_hash[:8]}" and NAME_RE.fullmatch(long.dirname)


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        (["lr=abc"], "quick: override 'lr=abc': params.lr='abc' must be a number"),
        (["lrr=0.1"], "quick: override 'lrr=0.1': unknown key 'lrr' in [params]"),
        (["seeds=5", "activation=tahn"], "override 'activation=tahn': params.activation="),
        (["stop.max_eror_below=0.1"], "did you mean 'max_error_below'?"),
        (["momentum=0.5"], "override 'momentum=0.5': params.momentum=0.5 has no effect"),
        (["max_epochs=0"], "override 'max_epochs=0': max_epochs=0"),
        (["lr"], "quick: override 'lr' is not KEY=VALUE"),
        (["sample.n=64"], "override 'sample.n=64': [sample] has no dimension"),
    ],
)
def test_a_bad_override_is_named_in_the_one_line_error(overrides, needle):
    with pytest.raises(SpecError) as e:
        load_spec("quick", overrides)
    assert needle in str(e.value) and "\n" not in str(e.value)
    if "did you mean 'max_error" in needle:
        assert "override 'stop.max_eror_below=0.1'" in str(e.value)


def test_overrides_that_only_fail_together_are_all_named(tmp_path: Path):
    p = tmp_path / "t.toml"
    p.write_text("seeds = 3\nmax_epochs = 50\n[params]\ntask = 'or'\n[stop]\nloss_below = 1\n")
    # Each alone is fine (bce with the default sigmoid output; mse with tanh), not both.
    load_spec(p, ["loss=bce"])
    load_spec(p, ["output_activation=tanh"])
    with pytest.raises(SpecError) as e:
        load_spec(p, ["loss=bce", "output_activation=tanh"])
    assert str(e.value).startswith(f"{p}: overrides 'loss=bce', 'output_activation=tanh': params.")


def test_tilde_removes_a_key_the_file_sets():
    assert load_spec("quick", ["~lr"]).params["lr"] == (None,)  # the optimiser's own default
    spec = load_spec("quick", ["~stop.max_error_below", "stop.loss_below=0.01"])
    assert dict(spec.stop) == {"loss_below": 0.01}
    assert "sample" not in _apply("~sample") and _apply("~lr")["params"] == {"task": "or"}
    for text, needle in [
        ("~sample", "sample is not set, so it cannot be removed"),
        ("~stop.x.y", "stop.x.y is not set"),
        ("~lr=1", "~KEY removes a key and takes no value"),
        ("~", "is not KEY=VALUE or ~KEY"),
    ]:
        with pytest.raises(SpecError, match="override") as e:
            load_spec("quick", [text])
        assert needle in str(e.value)


def test_an_error_of_the_file_itself_is_not_blamed_on_an_override(tmp_path: Path):
    p = tmp_path / "bad.toml"
    p.write_text(
        "seeds = 3\nmax_epochs = 10\n[params]\nactivation = 'tahn'\n[stop]\nloss_below = 1\n"
    )
    with pytest.raises(SpecError) as e:
        load_spec(p, ["lr=0.1"])
    assert "override" not in str(e.value) and "params.activation='tahn'" in str(e.value)


def test_an_override_can_supply_what_the_file_leaves_out(tmp_path: Path):
    p = tmp_path / "partial.toml"
    p.write_text("max_epochs = 10\n[params]\ntask = 'or'\n[stop]\nloss_below = 1\n")
    with pytest.raises(SpecError, match="missing key 'seeds'"):
        load_spec(p)
    assert load_spec(p, ["seeds=2"]).seeds == (0, 1)
