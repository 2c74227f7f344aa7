"""The checks of a spec's fields: seeds, the [params] axes, the [stop] table, and the
rules that tie parameters together (a loss suits its output; a hyper-parameter set in
the file is used by some optimiser in it).

Each raises :class:`nncore.ConfigError` with one line naming the field, the value and
what is allowed; :class:`sweeps.config.spec.SweepSpec` prefixes the spec's source.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from nncore import LOSSES, OPTIMIZERS, STOP_CRITERIA, StopCriteria, get_task
from nncore.rules import ConfigError, check_number, did_you_mean
from nncore.tasks import TASK_NAMES

from .params import OPTIMIZER_PARAMS, PARAMS, Param, applies

if TYPE_CHECKING:
    from .tasks import TaskData

__all__ = [
    "MAX_RUNS", "MAX_SEED", "check_combinations", "check_params", "check_seeds", "check_stop",
    "check_useful", "no_repeats",
]  # fmt: skip

MAX_RUNS = 10_000_000
MAX_SEED = 2**63 - 1


def check_seeds(value: Any) -> tuple[int, ...]:
    if not isinstance(value, (list, tuple, range)):
        n = check_number("seeds", value, low=1, integer=True)
        if n > MAX_RUNS:
            raise ConfigError(f"seeds={n} must be <= {MAX_RUNS:,}")
        return tuple(range(n))
    if len(value) == 0:
        raise ConfigError("seeds=[] lists no seed; give a count (seeds = 20) or a list")
    seeds = tuple(int(check_number("seeds", s, low=0, integer=True)) for s in value)
    if max(seeds) > MAX_SEED:
        raise ConfigError(f"seeds={max(seeds)} must be < 2**63")
    no_repeats("seeds", list(value), seeds)
    return seeds


def no_repeats(field: str, given: list[Any], values: tuple[Any, ...]) -> None:
    seen: set[Any] = set()
    for v in values:
        if v in seen:
            raise ConfigError(f"{field}={given!r} repeats {v!r}")
        seen.add(v)


def check_params(
    raw: Mapping[str, Any],
    sampled: tuple[str, ...],
    tasks: Collection[str] = (),
    table: Mapping[str, Param] | None = None,
) -> dict[str, tuple[Any, ...]]:
    """``[params]`` checked against ``table`` (nncore's PARAMS, or a trainer's own): each
    entry as a tuple of checked values, then the defaults; ``tasks`` are the names of
    the spec's own tasks (``[tasks.NAME]``), allowed in ``task``."""
    table = PARAMS if table is None else table
    if not isinstance(raw, Mapping):
        raise ConfigError(f"params={raw!r} must be a table")
    out = {}
    for key, value in raw.items():
        if key not in table:
            raise ConfigError(
                f"unknown key {key!r} in [params]; allowed: {list(table)}"
                + did_you_mean(key, table)
            )
        if key in sampled:
            raise ConfigError(f"params.{key} is also drawn in [sample]; set it or sample it")
        out[key] = _axis(key, value, table, tasks)
    for key, p in table.items():
        if key not in out and key not in sampled:
            out[key] = (p.check(f"params.{key}", p.default),)
    return out


def _axis(
    key: str, value: Any, table: Mapping[str, Param], tasks: Collection[str] = ()
) -> tuple[Any, ...]:
    """One ``[params]`` entry -> a tuple of checked values (a scalar is a 1-value axis)."""
    field = f"params.{key}"
    if isinstance(value, Mapping):
        raise ConfigError(f"{field}={dict(value)!r} must be a value or a list of values")
    given = list(value) if isinstance(value, (list, tuple)) else [value]
    if not given:
        raise ConfigError(f"{field}=[] is an empty axis")
    if key == "task" and tasks:
        values = tuple(v if v in tasks else _task(field, v, tasks) for v in given)
    else:
        values = tuple(table[key].check(field, v) for v in given)
    no_repeats(field, given, values)
    return values


def _task(field: str, v: Any, tasks: Collection[str]) -> str:
    """A built-in task name, or a one-line error naming the spec's own tasks too."""
    try:
        return PARAMS["task"].check(field, v)
    except ConfigError:
        raise ConfigError(
            f"{field}={v!r} is neither a built-in task {TASK_NAMES} nor one of the spec's "
            f"[tasks] {sorted(tasks)}" + did_you_mean(v, [*tasks, *TASK_NAMES])
        ) from None


def check_stop(raw: Mapping[str, Any]) -> dict[str, float | bool]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"stop={raw!r} must be a table")
    for k, v in raw.items():
        if k not in STOP_CRITERIA:
            raise ConfigError(
                f"stop.{k}={v!r} is not a stop criterion; allowed: {list(STOP_CRITERIA)}"
                + did_you_mean(k, STOP_CRITERIA)
            )
    crit = StopCriteria.from_mapping(raw)
    if crit.empty:
        raise ConfigError(
            f"[stop] sets no criterion, so no run could converge; set one of {list(STOP_CRITERIA)}"
        )
    out: dict[str, float | bool] = {}
    for k in ("loss_below", "max_error_below"):
        if getattr(crit, k) is not None:
            out[k] = float(getattr(crit, k))
    if crit.bits_40_20_40:
        out["bits_40_20_40"] = True
    return out


def check_combinations(
    candidates: Callable[[str], tuple[Any, ...]], tasks: Mapping[str, TaskData] | None = None
) -> None:
    """Cross-parameter rules: the loss must suit the output; softmax needs 2+ outputs;
    the spec's own tasks (``tasks``) take no ``inputs`` encoding (they have ``scale``)."""
    tasks = tasks or {}
    own = [t for t in candidates("task") if t in tasks]
    if own and "centred" in candidates("inputs"):
        raise ConfigError(
            f"params.inputs='centred' is for the built-in tasks; params.task={own[0]!r} is "
            f"scaled by its [tasks.{own[0]}] scale = ... instead"
        )
    outputs = candidates("output_activation")
    for loss in candidates("loss"):
        for out in outputs:
            try:
                LOSSES[loss].check_output(out)
            except ConfigError as e:
                raise ConfigError("params." + str(e).replace(" loss=", " params.loss=")) from None
    if "softmax" in outputs:
        for task in candidates("task"):
            n_out = tasks[task].n_out if task in tasks else get_task(task).n_out
            if n_out < 2:
                raise ConfigError(
                    f"params.output_activation='softmax' needs 2 or more outputs, but "
                    f"params.task={task!r} has {n_out}; use sigmoid (with mse or bce)"
                )


def check_useful(optimizers: list[str], given: dict[str, str]) -> None:
    """A hyper-parameter set in the file must mean something to some optimiser in it."""
    for shown, name in given.items():
        if name in OPTIMIZER_PARAMS and not any(applies(name, o) for o in optimizers):
            users = [o for o in OPTIMIZERS if applies(name, o)]
            raise ConfigError(
                f"{shown} has no effect with optimizer={optimizers}; it is used by {users}"
            )
