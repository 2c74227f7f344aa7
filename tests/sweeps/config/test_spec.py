"""Spec files: parsing, defaults, the canonical form and hash, and every bad-spec message."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from nncore import ACTIVATIONS, INITIALIZERS, OPTIMIZERS, RULES, STOP_CRITERIA, ConfigError
from sweeps.config.fields import MAX_RUNS
from sweeps.config.grid import n_runs
from sweeps.config.load import load_spec
from sweeps.config.params import PARAMS
from sweeps.config.spec import TOP_KEYS, SpecError, SweepSpec

OR_SPEC = """\
name = "or-sigmoid-vs-tanh"
description = "OR gate, 2-6-1: which activation reaches the threshold first?"
seeds = 20                 # seeds 0..19, or an explicit list
max_epochs = 20000

[params]                   # a scalar is fixed, a list is a grid axis
task = "or"
hidden = "6"               # "6x6" = two hidden layers, "" = none
activation = ["sigmoid", "tanh"]
output_activation = "sigmoid"
loss = "mse"
init = "normal"
init_scale = [0.01, 0.1, 1.0]
optimizer = "gd"
lr = [0.1, 0.5, 2.0]

[stop]
max_error_below = 0.1      # and/or loss_below
"""
BUNDLED = [
    "ci", "ci-bce", "ci-ce", "ci-full", "depth-saturation", "encoder-8-3-8", "init-plateau",
    "iris", "or-sigmoid-vs-tanh", "parity-depth", "quick", "search-demo", "seed-or-gate",
    "two-spirals", "xor-hidden-units", "xor-hidden-width",
]  # fmt: skip
STOPS = list(STOP_CRITERIA)


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``write(text)`` saves ``or.toml`` in a temporary working directory."""
    monkeypatch.chdir(tmp_path)

    def _write(text: str, name: str = "or.toml") -> str:
        Path(name).write_text(text)
        return name

    return _write


def load_text(write, text: str) -> SweepSpec:
    return load_spec(write(text))


def edited(old: str, new: str) -> str:
    assert old in OR_SPEC
    return OR_SPEC.replace(old, new)


def test_the_issue_example_parses_as_written(write):
    spec = load_text(write, OR_SPEC)
    assert spec.name == "or-sigmoid-vs-tanh" and spec.source == "or.toml"
    assert spec.seeds == tuple(range(20)) and spec.max_epochs == 20000
    assert spec.axes == ("activation", "init_scale", "lr")
    assert spec.params["init_scale"] == (0.01, 0.1, 1.0) and spec.params["hidden"] == ("6",)
    assert dict(spec.stop) == {"max_error_below": 0.1}
    assert n_runs(spec) == 2 * 3 * 3 * 20
    assert spec.chunk_size == 256 and spec.diagnostics is False and spec.sample is None


def test_missing_params_take_their_defaults_in_table_order(write):
    spec = load_text(write, OR_SPEC)
    assert set(spec.params) == set(PARAMS)
    given = ["task", "hidden", "activation", "output_activation", "loss", "init"]
    assert list(spec.params)[: len(given)] == given
    for name in set(PARAMS) - set(OR_SPEC.split("[params]")[1].split()):
        assert spec.params[name] == (PARAMS[name].check(name, PARAMS[name].default),)


@pytest.mark.parametrize(
    ("value", "canonical"),
    [('"6"', ("6",)), ("6", ("6",)), ('"16x16"', ("16x16",)), ('""', ("",)),
     ('["2", 3, "4x4", ""]', ("2", "3", "4x4", ""))],
)  # fmt: skip
def test_hidden_is_normalised_to_canonical_strings(write, value, canonical):
    spec = load_text(write, edited('hidden = "6"', f"hidden = {value}"))
    assert spec.params["hidden"] == canonical


def test_seed_count_and_explicit_list(write):
    assert load_text(write, edited("seeds = 20 ", "seeds = 3 ")).seeds == (0, 1, 2)
    listed = load_text(write, edited("seeds = 20 ", "seeds = [7, 3, 11] "))
    assert listed.seeds == (7, 3, 11) and n_runs(listed) == 18 * 3


def test_optional_top_level_keys(write):
    text = OR_SPEC.replace(
        "max_epochs = 20000", "max_epochs = 20000\nchunk_size = 64\ndiagnostics = true"
    )
    spec = load_text(write, text)
    assert spec.chunk_size == 64 and spec.diagnostics is True


def test_name_defaults_to_the_file_name(write):
    spec = load_spec(write(OR_SPEC.replace('name = "or-sigmoid-vs-tanh"\n', ""), "my-or.toml"))
    assert spec.name == "my-or"


# ----------------------------------------------------------------------------- the hash


def test_hash_ignores_formatting_description_source_and_fixed_key_order(write, tmp_path):
    ref = load_text(write, OR_SPEC)
    same = OR_SPEC.replace("seeds = 20 ", f"seeds = {list(range(20))} ")
    same = same.replace('task = "or"\nhidden = "6"', 'hidden = 6\ntask   =   "or"')
    same = same.replace("OR gate, 2-6-1", "Another description").replace("# and/or", "#")
    other = load_spec(write(same, "copy.toml"))
    assert other.source != ref.source and other.description != ref.description
    assert other.spec_hash == ref.spec_hash and other == ref


@pytest.mark.parametrize(
    ("old", "new"),
    [("seeds = 20 ", "seeds = 21 "), ("max_epochs = 20000", "max_epochs = 20001"),
     ("lr = [0.1, 0.5, 2.0]", "lr = [0.1, 0.5, 2.5]"), ('hidden = "6"', 'hidden = "7"'),
     ("max_error_below = 0.1", "max_error_below = 0.2"), ('name = "or-', 'name = "or2-'),
     # axis order sets the row order, so it is part of the spec
     ('activation = ["sigmoid", "tanh"]\n', ""),
     ("max_error_below = 0.1", "max_error_below = 0.1\nloss_below = 0.01")],
)  # fmt: skip
def test_hash_changes_with_anything_that_changes_the_runs(write, old, new):
    text = edited(old, new)
    if new == "":  # move the activation axis to the end of [params]
        text = text.replace("lr = [0.1, 0.5, 2.0]", "lr = [0.1, 0.5, 2.0]\n" + old)
    assert load_text(write, text).spec_hash != load_text(write, OR_SPEC).spec_hash


def test_to_dict_is_json_and_round_trips(write):
    spec = load_text(write, OR_SPEC)
    d = json.loads(json.dumps(spec.to_dict(), allow_nan=False))
    back = SweepSpec.from_dict(d)
    assert back.spec_hash == spec.spec_hash and back.axes == spec.axes
    assert back.to_dict() == spec.to_dict()
    # momentum means nothing to plain gd, so the canonical form leaves it out
    assert "momentum" not in d["params"] and d["params"]["lr"] == [0.1, 0.5, 2.0]


def test_dataclass_replace_revalidates(write):
    spec = load_text(write, OR_SPEC)
    small = dataclasses.replace(spec, seeds=2, max_epochs=50)
    assert small.seeds == (0, 1) and n_runs(small) == 36 and small.spec_hash != spec.spec_hash
    with pytest.raises(SpecError, match=r"^or.toml: max_epochs=0 must be >= 1$"):
        dataclasses.replace(spec, max_epochs=0)


def test_direct_construction_is_checked_too():
    spec = SweepSpec("direct", seeds=2, max_epochs=10, stop={"loss_below": 1},
                     params={"lr": [1, 2]})  # fmt: skip
    assert spec.params["lr"] == (1.0, 2.0) and dict(spec.stop) == {"loss_below": 1.0}
    with pytest.raises(SpecError, match=r"^spec: params.lr=0 must be > 0$"):
        SweepSpec("direct", seeds=2, max_epochs=10, stop={"loss_below": 1}, params={"lr": 0})


# ------------------------------------------------------------------------ bundled specs


def test_bundled_or_spec_is_the_issue_example(write):
    assert load_spec("or-sigmoid-vs-tanh").spec_hash == load_text(write, OR_SPEC).spec_hash


# ----------------------------------------------------------------------- bad specs

ACTS = sorted(ACTIVATIONS)
BAD = [
    ("max_epochs = 20000", "max_epochs 20000",
     "invalid TOML: Expected '=' after a key in a key/value pair (at line 4, column 12)"),
    ("[params]", "[parms]",
     f"unknown key 'parms' at top level; allowed: {list(TOP_KEYS)}; did you mean 'params'?"),
    ("activation = [", "actvation = [",
     f"unknown key 'actvation' in [params]; allowed: {list(PARAMS)}; "
     "did you mean 'activation'?"),
    ("max_error_below", "max_err",
     f"stop.max_err=0.1 is not a stop criterion; allowed: {STOPS}; "
     "did you mean 'max_error_below'?"),
    ('"tanh"]', '"tahn"]', f"params.activation='tahn' not in {ACTS}; did you mean 'tanh'?"),
    ('task = "or"', 'task = "xro"',
     "params.task='xro' not in ['and', 'or', 'nand', 'nor', 'xor', 'xnor', 'parity<n>', "
     "'encoder<n>', 'two_spirals']; did you mean 'xor'?"),
    ('task = "or"', 'task = "parity99"', "params.task='parity99': n must be in [2, 16] for "
     "parity<n>"),
    ('init = "normal"', 'init = "normall"',
     f"params.init='normall' not in {sorted(INITIALIZERS)}; did you mean 'normal'?"),
    ('loss = "mse"', 'loss = "mes"', "params.loss='mes' not in ['bce', 'ce', 'mse']; "
     "did you mean 'mse'?"),
    ('optimizer = "gd"', 'optimizer = "adm"', "params.optimizer='adm' not in ['adam', 'gd', "
     "'momentum', 'nesterov', 'rprop']; did you mean 'adam'?"),
    ('hidden = "6"', 'hidden = "6x"', "params.hidden='6x' is not a layer list; allowed: widths "
     "joined by 'x', e.g. '6', '16x16', or '' for no hidden layer"),
    ('hidden = "6"', 'hidden = ["6", "0"]', "params.hidden='0' is not a layer list; allowed: "
     "widths joined by 'x', e.g. '6', '16x16', or '' for no hidden layer"),
    ("lr = [0.1, 0.5, 2.0]", "lr = -0.1", "params.lr=-0.1 must be > 0"),
    ("lr = [0.1, 0.5, 2.0]", "lr = [0.1, 0]", "params.lr=0 must be > 0"),
    ("lr = [0.1, 0.5, 2.0]", "lr = [0.1, 0.5, 0.1]", "params.lr=[0.1, 0.5, 0.1] repeats 0.1"),
    ("lr = [0.1, 0.5, 2.0]", "lr = { low = 1 }",
     "params.lr={'low': 1} must be a value or a list of values"),
    ('activation = ["sigmoid", "tanh"]', "activation = []",
     "params.activation=[] is an empty axis"),
    ("seeds = 20 ", "seeds = 0 ", "seeds=0 must be >= 1"),
    ("seeds = 20 ", "seeds = 2.5 ", "seeds=2.5 must be an integer"),
    ("seeds = 20 ", "seeds = [] ", "seeds=[] lists no seed; give a count (seeds = 20) or a list"),
    ("seeds = 20 ", "seeds = [4, -1] ", "seeds=-1 must be >= 0"),
    ("seeds = 20 ", "seeds = [1, 2, 1] ", "seeds=[1, 2, 1] repeats 1"),
    ("init_scale = [0.01, 0.1, 1.0]", 'init_scale = "big"',
     "params.init_scale='big' must be a number"),
    ("max_epochs = 20000", 'max_epochs = "20000"', "max_epochs='20000' must be an integer"),
    ("max_epochs = 20000", "max_epochs = 0", "max_epochs=0 must be >= 1"),
    ("max_epochs = 20000", "max_epochs = 20000\nchunk_size = 0", "chunk_size=0 must be >= 1"),
    ("max_epochs = 20000", "max_epochs = 20000\ndiagnostics = 1",
     "diagnostics=1 must be true or false"),
    ('name = "or-sigmoid-vs-tanh"', 'name = "OR gate"',
     "name='OR gate' must match [a-z0-9][a-z0-9._-]{0,99} (at most 100 characters, "
     "starting with a letter or digit)"),
    ("max_epochs = 20000\n", "", "missing key 'max_epochs' at top level: the budget of updates "
     "per run, an integer >= 1"),
    ("[stop]\nmax_error_below = 0.1      # and/or loss_below\n", "",
     f"missing key 'stop' at top level: a [stop] table setting at least one of {STOPS}"),
    ("max_error_below = 0.1", "bits_40_20_40 = false",
     f"[stop] sets no criterion, so no run could converge; set one of {STOPS}"),
    ("max_error_below = 0.1", "max_error_below = -1", "stop.max_error_below=-1 must be > 0"),
    ("max_error_below = 0.1", "bits_40_20_40 = 1", "stop.bits_40_20_40=1 must be true or false"),
    ('output_activation = "sigmoid"\nloss = "mse"', 'output_activation = "tanh"\nloss = "bce"',
     "params.output_activation='tanh' cannot be used with params.loss='bce'; "
     "allowed: ['sigmoid']"),
    ('output_activation = "sigmoid"', 'output_activation = "softmax"',
     f"params.output_activation='softmax' cannot be used with params.loss='mse'; "
     f"allowed: {ACTS}"),
    ('output_activation = "sigmoid"\nloss = "mse"', 'output_activation = "softmax"\nloss = "ce"',
     "params.output_activation='softmax' needs 2 or more outputs, but params.task='or' has 1; "
     "use sigmoid (with mse or bce)"),
    ('optimizer = "gd"', 'optimizer = "gd"\nmomentum = 0.5',
     "params.momentum=0.5 has no effect with optimizer=['gd']; it is used by "
     "['momentum', 'nesterov']"),
    ('optimizer = "gd"', 'optimizer = ["gd", "adam"]\nmomentum = 0.5',
     "params.momentum=0.5 has no effect with optimizer=['gd', 'adam']; it is used by "
     "['momentum', 'nesterov']"),
    ("seeds = 20 ", "seeds = 1000000 ",
     f"the grid has 18,000,000 runs; the limit is {MAX_RUNS:,}"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_bad_spec_gives_one_exact_line(write, old, new, message):
    with pytest.raises(SpecError) as info:
        load_text(write, edited(old, new))
    assert str(info.value) == f"or.toml: {message}"
    assert isinstance(info.value, ConfigError)


# ---------------------------------------------------------------- random search in a spec

SAMPLED = OR_SPEC.replace("init_scale = [0.01, 0.1, 1.0]\n", "").replace(
    "lr = [0.1, 0.5, 2.0]\n",
    "\n[sample]\nn = 8\nlr = { log_uniform = [1e-3, 10] }\ninit_scale = { uniform = [0.1, 2] }\n",
)


def test_sampled_parameters_follow_the_grid_axes(write):
    spec = load_text(write, SAMPLED)
    assert spec.axes == ("activation", "lr", "init_scale") and n_runs(spec) == 2 * 8 * 20
    assert "lr" not in spec.params and "init_scale" not in spec.params
    back = SweepSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert back.spec_hash == spec.spec_hash and back.sample == spec.sample
    other = load_text(write, SAMPLED.replace("n = 8", "n = 8\nseed = 1"))
    assert other.spec_hash != spec.spec_hash


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [('activation = ["sigmoid", "tanh"]', 'activation = "tanh"\nlr = 0.5',
      "params.lr is also drawn in [sample]; set it or sample it"),
     ("n = 8", "n = 8\nmomentum = { uniform = [0.5, 0.9] }",
      "sample.momentum has no effect with optimizer=['gd']; it is used by "
      "['momentum', 'nesterov']"),
     ("n = 8", "n = 0", "sample.n=0 must be >= 1"),
     ("n = 8", "n = 8\nlrr = 1",
      f"unknown key 'lrr' in [sample]; allowed: ['n', 'seed', 'method'] or a parameter "
      f"{list(PARAMS)}; did you mean 'lr'?")],
)  # fmt: skip
def test_bad_sample_in_a_spec(write, old, new, message):
    with pytest.raises(SpecError) as info:
        load_text(write, SAMPLED.replace(old, new))
    assert str(info.value) == f"or.toml: {message}"


def test_sampled_choices_are_checked_against_the_other_parameters(write):
    text = SAMPLED.replace('loss = "mse"\n', "").replace(
        "n = 8", "n = 8\nloss = { choice = ['mse', 'ce'] }"
    )
    with pytest.raises(SpecError) as info:
        load_text(write, text)
    assert str(info.value) == (
        "or.toml: params.output_activation='sigmoid' cannot be used with params.loss='ce'; "
        "allowed: ['softmax']"
    )


def test_a_sample_table_can_be_given_as_a_mapping():
    spec = SweepSpec("s", seeds=1, max_epochs=5, stop={"loss_below": 0.1},
                     sample={"n": 3, "lr": {"uniform": [0.1, 1]}})  # fmt: skip
    assert spec.axes == ("lr",) and n_runs(spec) == 3


# --------------------------------------------------------------------- the documentation


def _doc_example() -> str:
    import sweeps.config.format

    doc = sweeps.config.format.__doc__
    block = doc.split("::\n\n", 1)[1].split("\nEvery parameter", 1)[0]
    return "\n".join(line[4:] for line in block.splitlines())


def test_the_documented_example_is_a_valid_spec(write):
    spec = load_text(write, _doc_example())
    assert spec.axes == ("activation", "optimizer", "lr", "init_scale", "batch_size", "init")
    assert n_runs(spec) == 2 * 2 * 200 * 20 and dict(spec.stop) == {
        "max_error_below": 0.1,
        "loss_below": 0.01,
    }


def test_the_documented_defaults_are_the_real_ones():
    import sweeps.config.format

    doc = " ".join(sweeps.config.format.__doc__.split())
    for name, p in PARAMS.items():
        if p.default is None:  # lr: each optimiser's own, from the rulebook
            for opt in OPTIMIZERS:
                assert f"{opt} {RULES[name].default_for(opt)!r}" in doc, (name, opt)
            continue
        shown = f'"{p.default}"' if p.kind is str else repr(p.default)
        shown = str(p.default).lower() if p.kind is bool else shown  # TOML's false
        assert f"{name} = {shown}" in doc, name


def test_a_spec_pickles_for_worker_processes(write):
    import pickle

    spec = load_text(write, SAMPLED)
    back = pickle.loads(pickle.dumps(spec))
    assert back == spec and back.spec_hash == spec.spec_hash and back.source == "or.toml"
    assert back.params == spec.params and back.sample.points == spec.sample.points


@pytest.mark.parametrize(("name", "budget"), [("quick", 2_000_000), ("ci", 1_000_000)])
def test_the_fast_bundled_specs_stay_fast(name, budget):
    """quick is the README's first command and ci runs on every push: keep them small."""
    from sweeps.config.grid import cost

    assert cost(load_spec(name))["network_epochs"] <= budget
