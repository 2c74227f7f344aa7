"""The parameters a sweep can set, written down as data: name, type, default, rule.

Every entry can be a fixed value or a grid axis in a spec's ``[params]`` table, and
(numbers and choices) a random-search dimension in ``[sample]``. One checker builds
every error message from this table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nncore import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, OUTPUT_ACTIVATIONS
from nncore.optimizers import hyper_names
from nncore.rules import ConfigError, check_choice, check_number
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


def _positive(field: str, v: Any) -> float:
    return float(check_number(field, v, low=0, low_open=True))


def _nonneg(field: str, v: Any) -> float:
    return float(check_number(field, v, low=0))


def _fraction(field: str, v: Any) -> float:
    v = check_number(field, v, low=0)
    if v >= 1:
        raise ConfigError(f"{field}={v!r} must be in [0, 1)")
    return float(v)


def _batch(field: str, v: Any) -> int:
    return int(check_number(field, v, low=0, integer=True))


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


def _hidden(field: str, v: Any) -> str:
    return "x".join(str(h) for h in parse_hidden(field, v))


PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        Param("task", str, "or", _task, "data set: a gate, parity<n>, encoder<n>, two_spirals"),
        Param("inputs", str, "binary", _choice(INPUTS), "input encoding: {0,1} or {-1,1}"),
        Param("hidden", str, "6", _hidden, "hidden widths joined by 'x'; '' for none"),
        Param("activation", str, "tanh", _choice(ACTIVATIONS), "hidden-layer activation"),
        Param("output_activation", str, "sigmoid", _choice(OUTPUT_ACTIVATIONS), "output"),
        Param("loss", str, "mse", _choice(LOSSES), "mse (½ mean square), bce, ce (softmax)"),
        Param("init", str, "normal", _choice(INITIALIZERS), "weight initialiser"),
        Param("init_scale", float, 1.0, _positive, "σ / limit, or multiplier of a scheme"),
        Param("optimizer", str, "gd", _choice(OPTIMIZERS), "gd, momentum, nesterov, adam, rprop"),
        Param("lr", float, 0.5, _positive, "learning rate (rprop: initial step Δ0)"),
        Param("momentum", float, 0.9, _fraction, "momentum, nesterov"),
        Param("beta1", float, 0.9, _fraction, "adam"),
        Param("beta2", float, 0.999, _fraction, "adam"),
        Param("eps", float, 1e-8, _positive, "adam"),
        Param("eta_plus", float, 1.2, _positive, "rprop step growth"),
        Param("eta_minus", float, 0.5, _positive, "rprop step shrink"),
        Param("delta_max", float, 50.0, _positive, "rprop largest step"),
        Param("delta_min", float, 1e-6, _nonneg, "rprop smallest step"),
        Param("batch_size", int, 0, _batch, "mini-batch size; 0 = full batch"),
    ]
}
OPTIMIZER_PARAMS = tuple(hyper_names())
# Parameters that every member of one population must share (the rest vary per member).
STRUCTURAL = (
    "task", "inputs", "hidden", "activation", "output_activation", "loss", "optimizer",
    "batch_size",
)  # fmt: skip


def applies(name: str, optimizer: str) -> bool:
    """Whether parameter ``name`` means anything for ``optimizer`` (lr always does)."""
    if name not in OPTIMIZER_PARAMS:
        return True
    return name in OPTIMIZERS[optimizer].defaults


# The columns a run's configuration fills in runs.csv, and their dtypes: the grid makes
# them and the results schema stores them, so they are written here, below both.
PARAM_COLUMNS = [*PARAMS, "max_epochs", "seed"]
PARAM_DTYPES = {
    **{p.name: ("string" if p.kind is str else "float64") for p in PARAMS.values()},
    "batch_size": "int64",
    "max_epochs": "int64",
    "seed": "int64",
}
