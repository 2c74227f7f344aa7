"""The user's own training code as a sweep's trainer: ``trainer = "pkg.mod:fit_one"``.

A spec with a ``trainer`` hands every run to that function instead of nncore. The
reference is ``MODULE:FUNCTION`` (an importable module) or ``FILE.py:FUNCTION`` (a
path relative to the spec file). The protocol, in full:

    def fit_one(params: dict, seed: int, max_epochs: int, stop: dict) -> dict

* ``params``: one value per declared parameter (below), as the grid gives them;
  ``seed``: the run's seed; ``max_epochs``: its budget; ``stop``: the spec's ``[stop]``
  table (e.g. ``{"max_error_below": 0.1}``) — the trainer decides convergence itself.
* It returns a dict: ``status`` ("converged", "censored" or "diverged"),
  ``epochs_to_threshold`` (an int when converged, else None or missing),
  ``epochs_run`` (int, 0..max_epochs), ``final_loss`` (a float, finite unless diverged);
  optionally ``best_loss``, ``max_error``, ``accuracy`` (floats), ``curve`` (a list of
  ``(epoch, loss)`` pairs, epochs rising) and any metric named in ``METRICS``.

The trainer declares its parameters in a module-level ``PARAMS`` dict (or a
``params`` attribute of the function), e.g.::

    PARAMS = {
        "lr": {"type": "float", "default": 0.5, "low": 0, "low_open": True},
        "activation": {"type": "str", "default": "tanh", "choices": ["sigmoid", "tanh"]},
        "hidden": {"type": "int", "default": 6, "low": 1, "high": 64},
    }
    METRICS = ["signed_loss"]      # optional extra numeric columns of runs.csv

Entry keys: ``type`` (float, int, str, bool; required), ``default`` (required),
``low``/``high`` (inclusive bounds; ``low_open``/``high_open`` make them strict),
``choices`` (the allowed values), ``doc``. A spec's ``[params]`` is checked against
them with the same one-line errors as nncore's parameters.

A trainer's identity, its name (``module:function``, or the file's name and the
function) and the sha256 of its source file, enters every run id: an edited trainer
gives new runs, never a silent resume. Other files it imports are not hashed.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

from nncore.rules import ConfigError, check_choice, check_number, did_you_mean

from .params import Param

__all__ = [
    "DEFAULT_TIMEOUT_S", "RESERVED", "TRAINER_CHUNK_SIZE", "TYPES", "Trainer", "import_function",
    "load_trainer",
]  # fmt: skip

TYPES: dict[str, type] = {"float": float, "int": int, "str": str, "bool": bool}
ENTRY_KEYS = ("type", "default", "low", "high", "low_open", "high_open", "choices", "doc")
DEFAULT_TIMEOUT_S = 300.0  # per run: generous for the small networks this is for
TRAINER_CHUNK_SIZE = 16  # a user's run may take seconds: small chunks keep -j and resume fine
# runs.csv column names a trainer's parameter or metric may not take.
RESERVED = frozenset(
    "run_id max_epochs seed status epochs_to_threshold epochs_run final_loss best_loss "
    "max_error accuracy plateau_epochs plateau_end wall_time_s error curve".split()
)


@dataclass(frozen=True, eq=False)
class Trainer:
    """A loaded trainer: where it lives, what it is called, its hash and its parameters."""

    ref: str  # as written in the spec
    module: str  # the importable module's name, or the absolute path of the .py file
    function: str
    name: str  # "pkg.mod:fit_one" or "file.py:fit_one": the identity in run ids
    sha256: str  # of the source file
    params: Mapping[str, Param]
    metrics: tuple[str, ...]

    def identity(self) -> dict[str, str]:
        """What enters the run ids and the manifest."""
        return {"name": self.name, "sha256": self.sha256}

    def for_worker(self) -> dict[str, Any]:
        """What a worker needs to load the same code again (plain, picklable)."""
        return {
            "module": self.module,
            "function": self.function,
            "sha256": self.sha256,
            "sys_path": [p for p in sys.path if isinstance(p, str)],
        }

    def run_text(self, row: Mapping[str, Any], stop: Mapping[str, Any]) -> str:
        """Canonical JSON of one configuration without its seed (the run id's text)."""
        body = {
            "trainer": self.identity(),
            "params": {k: p.kind(row[k]) for k, p in self.params.items()},
            "max_epochs": int(row["max_epochs"]),
            "stop": {k: v if isinstance(v, bool) else float(v) for k, v in stop.items() if v},
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)

    def dtypes(self) -> dict[str, str]:
        """pandas dtypes of the parameter and metric columns."""
        kinds = {float: "float64", int: "int64", str: "string", bool: "boolean"}
        return {k: kinds[p.kind] for k, p in self.params.items()} | dict.fromkeys(
            self.metrics, "float64"
        )


_LOADED: dict[tuple[str, str], ModuleType] = {}


def import_function(ref: str, base: Path | None = None) -> tuple[Callable, ModuleType, str, Path]:
    """Import ``MODULE:FUNCTION`` or ``FILE.py:FUNCTION`` (relative to ``base``).

    Returns ``(function, module, module name or absolute file path, source file)``;
    a one-line ConfigError naming ``trainer`` when it cannot. A file is loaded once
    per content (a module of its own, named after its hash).
    """
    if not isinstance(ref, str) or ref.count(":") != 1 or not all(ref.split(":")):
        raise ConfigError(
            f"trainer={ref!r} must be 'MODULE:FUNCTION' or 'FILE.py:FUNCTION', "
            "e.g. 'mypkg.train:fit_one' or 'train.py:fit_one'"
        )
    target, name = ref.split(":")
    try:
        if target.endswith(".py") or "/" in target:
            path = Path(target) if Path(target).is_absolute() else (base or Path.cwd()) / target
            path = path.resolve()
            if not path.is_file():
                raise ConfigError(f"trainer={ref!r}: no file {str(path)!r}")
            key = (str(path), hashlib.sha256(path.read_bytes()).hexdigest())
            if key not in _LOADED:
                spec = importlib.util.spec_from_file_location(
                    f"nnsweep_trainer_{key[1][:16]}", path
                )
                module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
                sys.modules[spec.name] = module  # type: ignore[union-attr]
                spec.loader.exec_module(module)  # type: ignore[union-attr]
                _LOADED[key] = module
            module, where = _LOADED[key], str(path)
        else:
            module, where = importlib.import_module(target), target
    except ConfigError:
        raise
    except BaseException as e:  # a user's module may raise anything, even SystemExit
        first = str(e).splitlines()[0] if str(e) else ""
        raise ConfigError(
            f"trainer={ref!r}: importing it failed: {type(e).__name__}: {first}"
        ) from None
    fn = getattr(module, name, None)
    if not callable(fn):
        names = [k for k, v in vars(module).items() if callable(v) and not k.startswith("_")]
        raise ConfigError(
            f"trainer={ref!r}: {target} has no function {name!r}" + did_you_mean(name, names)
        )
    source = Path(getattr(module, "__file__", "") or "")
    if not source.is_file():
        raise ConfigError(f"trainer={ref!r}: {target} has no source file to hash")
    return fn, module, where, source


def load_trainer(ref: str, base: Path | None = None) -> Trainer:
    """Import the trainer ``ref`` and read its declared parameters and metrics."""
    fn, module, where, source = import_function(ref, base)
    target, name = ref.split(":")
    shown = f"{Path(target).name if where.endswith('.py') else target}:{name}"
    decl = getattr(fn, "params", None)
    decl = getattr(module, "PARAMS", None) if decl is None else decl
    if not isinstance(decl, Mapping):
        raise ConfigError(
            f"trainer={ref!r} declares no parameters: give its module a PARAMS dict, "
            "e.g. PARAMS = {'lr': {'type': 'float', 'default': 0.5, 'low': 0}}"
        )
    params = {k: _param(ref, k, v) for k, v in decl.items()}
    metrics = getattr(fn, "metrics", None)
    metrics = getattr(module, "METRICS", ()) if metrics is None else metrics
    if isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics):
        raise ConfigError(f"trainer={ref!r}: METRICS={metrics!r} must be a list of names")
    for m in metrics:
        if m in RESERVED or m in params or not m.isidentifier():
            raise ConfigError(f"trainer={ref!r}: metric name {m!r} is taken or not a name")
    return Trainer(
        ref=ref,
        module=where,
        function=name,
        name=shown,
        sha256=hashlib.sha256(source.read_bytes()).hexdigest(),
        params=MappingProxyType(params),
        metrics=tuple(metrics),
    )


def _param(ref: str, name: Any, entry: Any) -> Param:
    """One declared parameter as a sweep Param (its checker gives nncore's one-liners)."""
    where = f"trainer={ref!r}: PARAMS[{name!r}]"
    if not isinstance(name, str) or not name.isidentifier() or name in RESERVED:
        raise ConfigError(f"{where}: the name must be an identifier other than {sorted(RESERVED)}")
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}={entry!r} must be a dict with 'type' and 'default'")
    for key in entry:
        if key not in ENTRY_KEYS:
            raise ConfigError(
                f"{where}: unknown key {key!r}; allowed: {list(ENTRY_KEYS)}"
                + did_you_mean(key, ENTRY_KEYS)
            )
    kind = TYPES[check_choice(f"{where}['type']", entry.get("type"), TYPES)]
    if "default" not in entry:
        raise ConfigError(f"{where} has no 'default'")
    check = _checker(kind, entry)
    default = check(f"{where}['default']", entry["default"])
    return Param(name, kind, default, check, str(entry.get("doc", "")))


def _checker(kind: type, entry: Mapping[str, Any]) -> Callable[[str, Any], Any]:
    choices = entry.get("choices")
    low, high = entry.get("low"), entry.get("high")

    def check(field: str, v: Any) -> Any:
        if kind is bool or kind is str:
            if not isinstance(v, kind):
                raise ConfigError(
                    f"{field}={v!r} must be {'true or false' if kind is bool else 'a string'}"
                )
        else:
            v = check_number(field, v, low=low, low_open=bool(entry.get("low_open")),
                             integer=kind is int)  # fmt: skip
            if high is not None and (v >= high if entry.get("high_open") else v > high):
                raise ConfigError(
                    f"{field}={v!r} must be {'<' if entry.get('high_open') else '<='} {high:g}"
                )
            v = kind(v)
        if choices is not None and v not in choices:
            raise ConfigError(f"{field}={v!r} not in {list(choices)}" + did_you_mean(v, choices))
        return v

    return check
