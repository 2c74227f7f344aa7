"""The rulebook: every rule's one-line message, the same from nncore and from a spec."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nncore import OPTIMIZERS, RULES, ConfigError, Network, Population, get_task
from nncore.optimizers import hyper_names as registry_hyper_names
from nncore.rules import applies, check, hyper_defaults, hyper_names
from sweeps.config.grid import expand, n_runs
from sweeps.config.load import load_spec
from sweeps.config.spec import SPECS_DIR, SweepSpec

STOP = {"max_error_below": 0.1}

# One bad value per rule and the message it gets (the field is the rule's name).
BAD = [
    ("init_scale", -1, "init_scale=-1 must be >= 0"),
    ("lr", 0, "lr=0 must be > 0"),
    ("momentum", 1.0, "momentum=1.0 must be in [0, 1)"),
    ("beta1", -0.1, "beta1=-0.1 must be in [0, 1)"),
    ("beta2", 1, "beta2=1 must be in [0, 1)"),
    ("eps", 0.0, "eps=0.0 must be > 0"),
    ("eta_plus", 0.5, "eta_plus=0.5 must be >= 1"),
    ("eta_minus", 1.0, "eta_minus=1.0 must be in (0, 1)"),
    ("delta_max", 0, "delta_max=0 must be > 0"),
    ("delta_min", -1e-6, "delta_min=-1e-06 must be >= 0"),
    ("batch_size", -1, "batch_size=-1 must be >= 0"),
    ("batch_size", 1.5, "batch_size=1.5 must be an integer"),
    ("seed", -3, "seed=-3 must be >= 0"),
    ("max_epochs", -1, "max_epochs=-1 must be >= 0"),
    ("loss_below", 0, "loss_below=0 must be > 0"),
    ("max_error_below", -1, "max_error_below=-1 must be > 0"),
    ("lr", "big", "lr='big' must be a number"),
    ("eps", float("nan"), "eps=nan must be finite"),
]


def test_every_rule_has_a_bad_value_here():
    assert {name for name, _, _ in BAD} == set(RULES)


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_a_bad_value_gets_one_line_naming_field_value_and_range(name, value, message):
    with pytest.raises(ConfigError) as err:
        check(name, value)
    assert str(err.value) == message
    with pytest.raises(ConfigError) as err:
        check(name, value, f"params.{name}")
    assert str(err.value) == f"params.{message}"


@pytest.mark.parametrize("name", list(RULES))
def test_every_default_passes_its_rule(name):
    rule = RULES[name]
    assert rule.doc
    for opt in rule.applies_to or (None,):
        if rule.default_for(opt) is not None:
            assert check(name, rule.default_for(opt)) == rule.default_for(opt)


def test_the_bounds_themselves():
    assert check("init_scale", 0) == 0  # a zero start is allowed: symmetric units
    assert check("eta_plus", 1) == 1 and check("delta_min", 0) == 0
    for name, value in [("eta_minus", 0), ("momentum", 1), ("eps", 0)]:
        with pytest.raises(ConfigError):
            check(name, value)


def _spec_error(**params) -> str:
    with pytest.raises(ConfigError) as err:
        SweepSpec("s", seeds=1, max_epochs=5, stop=STOP, params=params)
    return str(err.value).removeprefix("spec: ")


@pytest.mark.parametrize(
    ("name", "value", "optimizer"),
    [("init_scale", -1, "gd"), ("lr", 0, "gd"), ("momentum", 1.0, "momentum"),
     ("beta2", 1, "adam"), ("eps", 0.0, "adam"), ("eta_plus", 0.5, "rprop"),
     ("eta_minus", 1.0, "rprop"), ("delta_max", 0, "rprop"), ("delta_min", -1e-6, "rprop")],
)  # fmt: skip
def test_nncore_and_a_spec_give_the_same_message(name, value, optimizer):
    data = get_task("or")
    with pytest.raises(ConfigError) as err:
        if name == "init_scale":
            Population([2, 2, 1], init_scale=value)
        else:
            Population([2, 2, 1]).fit(data.X, data.Y, optimizer=optimizer, **{name: value})
    assert _spec_error(optimizer=optimizer, **{name: value}) == f"params.{err.value}"


def test_delta_min_above_delta_max_is_refused_by_both():
    data = get_task("or")
    with pytest.raises(ConfigError, match=r"^delta_min=2.0 must be <= delta_max=1.0$"):
        Population([2, 2, 1]).fit(data.X, data.Y, optimizer="rprop", delta_min=2.0, delta_max=1.0)
    spec = SweepSpec(
        "s", seeds=1, max_epochs=5, stop=STOP,
        params={"optimizer": "rprop", "delta_min": 2.0, "delta_max": [1.0, 5.0]},
    )  # fmt: skip
    with pytest.raises(ConfigError, match=r"^params.delta_min=2.0 must be <= params.delta_max="):
        expand(spec)


def test_applies_to_is_what_each_optimizer_uses():
    assert set(OPTIMIZERS) == set(RULES["lr"].applies_to)
    assert list(registry_hyper_names()) == list(hyper_names()) and hyper_names()[0] == "lr"
    for name, cls in OPTIMIZERS.items():
        assert cls.defaults == hyper_defaults(name)
        assert set(hyper_names(name)) == {k for k in hyper_names() if applies(k, name)}
    assert applies("task", "adam") and not applies("momentum", "adam")
    assert hyper_names("nesterov") == ("lr", "momentum")


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_the_default_lr_is_the_optimizers_for_a_population_and_a_spec(optimizer):
    lr = RULES["lr"].default_for(optimizer)
    assert (
        lr
        == {"gd": 0.5, "momentum": 0.05, "nesterov": 0.05, "adam": 0.001, "rprop": 0.1}[optimizer]
    )
    data = get_task("or")
    default = Network([2, 3, 1], seed=1).fit(data.X, data.Y, optimizer=optimizer, max_epochs=30)
    given = Network([2, 3, 1], seed=1).fit(
        data.X, data.Y, optimizer=optimizer, lr=lr, max_epochs=30
    )
    np.testing.assert_array_equal(default.curve_loss, given.curve_loss)
    rows = expand(
        SweepSpec("s", seeds=1, max_epochs=5, stop=STOP, params={"optimizer": optimizer})
    )
    assert rows["lr"].tolist() == [lr]


def test_a_spec_without_lr_fills_each_rows_lr_from_its_optimizer():
    spec = SweepSpec(
        "s", seeds=2, max_epochs=5, stop=STOP, params={"optimizer": ["gd", "adam", "momentum"]}
    )
    rows = expand(spec)
    for opt, lr in rows.groupby("optimizer")["lr"]:
        assert set(lr) == {RULES["lr"].default_for(opt)}
    assert n_runs(spec) == len(rows) == 6


@pytest.mark.parametrize("path", sorted(SPECS_DIR.glob("*.toml")), ids=lambda p: Path(p).stem)
def test_every_bundled_spec_sets_lr_so_its_run_ids_do_not_depend_on_the_default(path):
    spec = load_spec(path)
    assert None not in spec.params.get("lr", ()), path.stem
    assert "lr" in spec.params or "lr" in spec.sample.names
