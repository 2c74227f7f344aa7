"""The parameter table: every entry's default, checker and meaning."""

from __future__ import annotations

import pytest

from nncore import (
    ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    ConfigError,
    get_task,
)
from nncore.optimizers import hyper_names
from nncore.rules import RULES
from sweeps.config.params import OPTIMIZER_PARAMS, PARAMS, STRUCTURAL, applies, parse_hidden
from sweeps.results.schema import DTYPES

REGISTRIES = {
    "activation": ACTIVATIONS,
    "output_activation": OUTPUT_ACTIVATIONS,
    "loss": LOSSES,
    "init": INITIALIZERS,
    "optimizer": OPTIMIZERS,
}


@pytest.mark.parametrize("name", list(PARAMS))
def test_every_default_passes_its_own_check(name):
    p = PARAMS[name]
    value = p.check(name, p.default)
    # lr alone is unset by default: the grid fills each row's from its optimiser.
    assert (value is None if name == "lr" else isinstance(value, p.kind)) and p.doc
    expected = {str: "string", float: "float64", int: "int64", bool: "boolean"}[p.kind]
    assert str(DTYPES[name]) == expected


@pytest.mark.parametrize(("name", "registry"), REGISTRIES.items())
def test_choices_accept_every_registry_key_and_nothing_else(name, registry):
    for key in registry:
        assert PARAMS[name].check(name, key) == key
    with pytest.raises(ConfigError, match=rf"^{name}='nope' not in \["):
        PARAMS[name].check(name, "nope")


@pytest.mark.parametrize("task", ["or", "xnor", "parity2", "parity16", "encoder8", "two_spirals"])
def test_task_names(task):
    assert PARAMS["task"].check("params.task", task) == task
    get_task(task)  # and nncore can build it


@pytest.mark.parametrize(
    ("name", "good", "bad", "message"),
    [("lr", 1e-9, 0, "lr=0 must be > 0"), ("init_scale", 0, -1, "init_scale=-1 must be >= 0"),
     ("momentum", 0.0, 1.0, "momentum=1.0 must be in [0, 1)"),
     ("eps", 1e-12, 0, "eps=0 must be > 0"),
     ("eta_plus", 1, 0.9, "eta_plus=0.9 must be >= 1"),
     ("eta_minus", 0.5, 1, "eta_minus=1 must be in (0, 1)"),
     ("eta_minus", 0.5, 0.0, "eta_minus=0.0 must be in (0, 1)"),
     ("delta_max", 1.0, 0, "delta_max=0 must be > 0"),
     ("beta2", 0.999, 1, "beta2=1 must be in [0, 1)"),
     ("delta_min", 0.0, -1e-6, "delta_min=-1e-06 must be >= 0"),
     ("eps", 1e-12, True, "eps=True must be a number"),
     ("batch_size", 0, 1.5, "batch_size=1.5 must be an integer"),
     ("batch_size", 64, -1, "batch_size=-1 must be >= 0")],
)  # fmt: skip
def test_numeric_rules(name, good, bad, message):
    assert PARAMS[name].check(name, good) == good
    with pytest.raises(ConfigError) as info:
        PARAMS[name].check(name, bad)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("value", "layers"),
    [("6", (6,)), (6, (6,)), ("16x16", (16, 16)), ("2x3x4", (2, 3, 4)), ("", ()), (" 8 ", (8,))],
)  # fmt: skip
def test_parse_hidden(value, layers):
    assert parse_hidden("hidden", value) == layers
    assert PARAMS["hidden"].check("hidden", value) == "x".join(map(str, layers))


@pytest.mark.parametrize("value", ["6x", "x6", "0", "06", "6X6", "6,6", -3, 0, True, 1.5, None])
def test_parse_hidden_rejects_malformed_layer_lists(value):
    with pytest.raises(ConfigError, match=rf"^hidden={value!r} is not a layer list; allowed: "):
        parse_hidden("hidden", value)


def test_optimizer_params_are_exactly_the_registry_hyper_parameters():
    assert list(OPTIMIZER_PARAMS) == hyper_names() and OPTIMIZER_PARAMS[0] == "lr"
    assert set(OPTIMIZER_PARAMS) <= set(PARAMS) and set(STRUCTURAL) <= set(PARAMS)
    assert "optimizer" in STRUCTURAL and not set(STRUCTURAL) & set(OPTIMIZER_PARAMS)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_applies_follows_each_optimizer_defaults(optimizer):
    for name in PARAMS:
        uses = name not in OPTIMIZER_PARAMS or name in OPTIMIZERS[optimizer].defaults
        assert applies(name, optimizer) is uses
    assert applies("lr", optimizer)


@pytest.mark.parametrize("name", [n for n in PARAMS if n in RULES])
def test_numeric_params_are_the_rulebook_entries(name):
    p, rule = PARAMS[name], RULES[name]
    assert p.kind is rule.kind and p.doc.startswith(rule.doc)
    assert p.default == (None if name == "lr" else rule.default)
