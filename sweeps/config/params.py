"""The parameters a sweep can set, written down as data: name, type, default, rule.

Every entry can be a fixed value or a grid axis in a spec's ``[params]`` table, and
(numbers and choices) a random-search dimension in ``[sample]``. Numeric parameters
take their type, range, default and meaning from nncore's rulebook
(:data:`nncore.rules.RULES`), so a spec and nncore reject a bad value with the same
message; only the spec's string forms (``task``, ``hidden``) are checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nncore import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, OUTPUT_ACTIVATIONS
from nncore.rules import RULES, ConfigError, check, check_choice, hyper_names
from nncore.rules import applies as applies
from nncore.tasks import INPUTS, parse_task


@dataclass(frozen=True)
class Param:
    """One sweep parameter: its kind (``str``/``float``/``int``), default and checker."""

    name: str
    kind: type
    default: Any
    check: Callable[[str, Any], Any]
    doc: str


def _choice(allowed: Any) -> Callable[[str, Any], Any]:
    return lambda field, v: check_choice(field, v, allowed)


def _ruled(name: str) -> Param:
    """The spec parameter of rulebook entry ``name``: its kind, default, check and doc."""
    rule = RULES[name]

    def checker(field: str, v: Any) -> Any:
        return rule.kind(check(name, v, field))

    return Param(name, rule.kind, rule.default, checker, rule.doc)


def _lr() -> Param:
    """``lr``: unset (None) means each run's optimiser's own default, filled by the grid."""
    rule = _ruled("lr")

    def checker(field: str, v: Any) -> Any:
        return None if v is None else rule.check(field, v)

    return Param("lr", float, None, checker, rule.doc + "; default: the optimiser's")


def _task(field: str, v: Any) -> str:
    try:
        parse_task(v)
    except ConfigError as e:
        raise ConfigError(str(e).replace("task=", f"{field}=", 1)) from None
    return v


HIDDEN_RE = re.compile(r"^$|^[1-9]\d*(x[1-9]\d*)*$")


def parse_hidden(field: str, v: Any) -> tuple[int, ...]:
    """``"6"`` -> (6,), ``"16x16"`` -> (16, 16), ``""`` -> () (no hidden layer)."""
    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
        return (v,)
    if not isinstance(v, str) or not HIDDEN_RE.match(v.strip()):
        raise ConfigError(
            f"{field}={v!r} is not a layer list; allowed: widths joined by 'x', "
            "e.g. '6', '16x16', or '' for no hidden layer"
        )
    v = v.strip()
    return tuple(int(s) for s in v.split("x")) if v else ()


def _shortcut(field: str, v: Any) -> bool:
    if not isinstance(v, bool):  # a TOML true/false (1 and "yes" are slips, not booleans)
        raise ConfigError(f"{field}={v!r} is not a boolean; allowed: true, false")
    return v


def _hidden(field: str, v: Any) -> str:
    return "x".join(str(h) for h in parse_hidden(field, v))


PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        Param("task", str, "or", _task, "data set: a gate, parity<n>, encoder<n>, two_spirals"),
        Param("inputs", str, "binary", _choice(INPUTS), "input encoding: {0,1} or {-1,1}"),
        Param("hidden", str, "6", _hidden, "hidden widths joined by 'x'; '' for none"),
        Param(
            "shortcut",
            bool,
            False,
            _shortcut,
            "every layer also fed by the inputs and all earlier layers",
        ),  # fmt: skip
        Param("activation", str, "tanh", _choice(ACTIVATIONS), "hidden-layer activation"),
        Param("output_activation", str, "sigmoid", _choice(OUTPUT_ACTIVATIONS), "output"),
        Param("loss", str, "mse", _choice(LOSSES), "mse (½ mean square), bce, ce (softmax)"),
        Param("init", str, "normal", _choice(INITIALIZERS), "weight initialiser"),
        _ruled("init_scale"),
        Param("optimizer", str, "gd", _choice(OPTIMIZERS), "gd, momentum, nesterov, adam, rprop"),
        _lr(),
        *(_ruled(name) for name in hyper_names()[1:]),
        _ruled("batch_size"),
    ]
}
OPTIMIZER_PARAMS = hyper_names()
# Parameters whose default is left out of a run's id, so that runs from before the
# parameter existed keep their ids (see sweeps.config.grid).
UNHASHED_DEFAULTS = ("shortcut",)
# Parameters that every member of one population must share (the rest vary per member).
STRUCTURAL = (
    "task", "inputs", "hidden", "shortcut", "activation", "output_activation", "loss", "optimizer",
    "batch_size",
)  # fmt: skip
