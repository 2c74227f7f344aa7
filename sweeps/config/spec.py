"""Sweep specs: a parsed TOML document checked into a SweepSpec (read by sweeps.config.load).

The file format, every key and what it means, is :mod:`sweeps.config.format`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from nncore.rules import ConfigError, check_number

from .fields import MAX_RUNS, check_combinations, check_params, check_seeds, check_stop
from .format import MAX_EPOCHS, NAME_RE, REQUIRED, SPECS_DIR, TOP_KEYS, base_dir, read_document
from .params import OPTIMIZER_PARAMS, PARAMS, UNHASHED_DEFAULTS, applies
from .plugins import Plugin, entry_point_plugins, load_listed, used_plugins
from .sampling import Sample
from .tasks import TaskData, parse_tasks
from .trainer import DEFAULT_TIMEOUT_S, Trainer, load_trainer

# The format's names, re-exported: callers have always found them here.
__all__ = [
    "MAX_EPOCHS", "NAME_RE", "REQUIRED", "SPECS_DIR", "TOP_KEYS", "SpecError", "SweepSpec",
]  # fmt: skip


class SpecError(ConfigError):
    """An invalid spec: one line that starts with the file (or bundled name)."""


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep: what to vary, over which seeds, for how long, until what.

    ``params`` maps every parameter not drawn in ``sample`` to a tuple of values
    (one value: fixed; more: an axis), in file order, then the defaults.
    ``plugins`` (given as the spec's entries, or loaded) become the loaded plugins
    it lists, then the installed ones whose parts it uses.
    """

    name: str
    seeds: tuple[int, ...]
    max_epochs: int
    stop: Mapping[str, float | bool]
    params: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    sample: Sample | None = None
    description: str = field(default="", compare=False)
    chunk_size: int = 256
    diagnostics: bool = False
    tasks: Mapping[str, TaskData] = field(default_factory=dict)
    plugins: tuple[Plugin, ...] = ()
    source: str = field(default="", compare=False)
    overrides: tuple[str, ...] = field(default=(), compare=False)
    trainer: str = ""
    trainer_timeout_s: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        try:
            self._check()
        except SpecError:
            raise
        except ConfigError as e:
            raise SpecError(f"{self.source or 'spec'}: {e}") from None

    def _check(self) -> None:
        if not isinstance(self.name, str) or not NAME_RE.fullmatch(self.name):
            shown = self.name[:60] if isinstance(self.name, str) else self.name
            raise ConfigError(
                f"name={shown!r} must match {NAME_RE.pattern} (at most 100 characters, "
                "starting with a letter or digit)"
            )
        if not isinstance(self.description, str):
            raise ConfigError(f"description={self.description!r} must be a string")
        listed = load_listed(self.plugins, self._base())  # first: they name parts
        entry_point_plugins()
        check_number("max_epochs", self.max_epochs, low=1, high=MAX_EPOCHS, integer=True)
        check_number("chunk_size", self.chunk_size, low=1, integer=True)
        if not isinstance(self.diagnostics, bool):
            raise ConfigError(f"diagnostics={self.diagnostics!r} must be true or false")
        if isinstance(self.sample, Mapping):
            _set(self, "sample", Sample.from_mapping(self.sample))
        elif self.sample is not None and not isinstance(self.sample, Sample):
            raise ConfigError(f"sample={self.sample!r} must be a [sample] table")
        sampled = self.sample.names if self.sample else ()
        _set(self, "seeds", check_seeds(self.seeds))
        tasks = self.tasks
        if not isinstance(tasks, Mapping) or not all(
            isinstance(t, TaskData) for t in tasks.values()
        ):
            _set(self, "tasks", parse_tasks(self.tasks, base_dir(self.source)))
        _set(self, "tasks", MappingProxyType(dict(self.tasks)))
        if self.trainer or self.trainer_timeout_s != DEFAULT_TIMEOUT_S:
            self._check_trainer()
        table = self.trainer_def.params if self.trainer else None
        params = check_params(self.params, sampled, self.tasks, table)
        _set(self, "params", MappingProxyType(params))
        _set(self, "stop", MappingProxyType(check_stop(self.stop)))
        n = math.prod(len(v) for v in self.params.values()) * len(self.seeds)
        n *= self.sample.n if self.sample else 1
        if n > MAX_RUNS:
            raise ConfigError(f"the grid has {n:,} runs; the limit is {MAX_RUNS:,}")
        if self.trainer:  # the trainer's parameters are its own, not nncore's parts
            _set(self, "plugins", listed)
            return
        check_combinations(self.candidates, self.tasks)
        _set(self, "plugins", listed + used_plugins(self.candidates, listed))

    def _base(self) -> Path:
        """Where the plugins' paths start: the spec file's folder (else the cwd)."""
        if self.source and Path(self.source).is_file():
            return Path(self.source).resolve().parent
        return Path.cwd()

    def _check_trainer(self) -> None:
        if not self.trainer:
            raise ConfigError("trainer_timeout_s is set but no trainer: it limits trainer runs")
        t = check_number("trainer_timeout_s", self.trainer_timeout_s, low=0, low_open=True)
        _set(self, "trainer_timeout_s", float(t))
        if self.sample is not None or self.diagnostics:
            what = "[sample]" if self.sample is not None else "diagnostics (nncore's layers)"
            raise ConfigError(f"{what} is not available with trainer")
        base = self.path.parent if self.path is not None else None
        _set(self, "_trainer", load_trainer(self.trainer, base))

    @property
    def trainer_def(self) -> Trainer:
        """The loaded trainer of a ``trainer`` spec (its parameters, hash, metrics)."""
        return self.__dict__["_trainer"]

    @classmethod
    def from_mapping(
        cls, raw: Mapping[str, Any], source: str = "", default_name: str | None = None
    ) -> SweepSpec:
        """Build from a parsed TOML document (see the module docstring for the format)."""
        try:
            return read_document(cls, raw, source, default_name)
        except SpecError:
            raise
        except ConfigError as e:
            raise SpecError(f"{source or 'spec'}: {e}") from None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SweepSpec:
        """Rebuild a spec from :meth:`to_dict` (e.g. a manifest's ``spec``)."""
        d = dict(d)
        return cls.from_mapping(d, source=d.pop("source", ""))

    @property
    def axes(self) -> tuple[str, ...]:
        """Names of the parameters that vary: grid axes in file order, then sampled ones."""
        grid = tuple(k for k, v in self.params.items() if len(v) > 1)
        return grid + (self.sample.names if self.sample else ())

    @property
    def dirname(self) -> str:
        """The default results directory's name: the spec's ``name``; with command-line
        overrides, ``NAME.HASH`` (HASH: the first 8 hex digits of spec_hash), so that an
        overridden sweep never resumes into, or overwrites, the results of the spec alone.
        """
        if not self.overrides:
            return self.name
        return f"{self.name[:91]}.{self.spec_hash[:8]}"  # still a name: at most 100 characters

    def with_overrides(self, texts: tuple[str, ...]) -> SweepSpec:
        """This spec, recording the command-line overrides it was made with (they change
        no result and no spec_hash: they are already in the spec)."""
        return replace(self, overrides=tuple(texts))

    @property
    def path(self) -> Path | None:
        """The TOML file this spec was read from (a bundled one too), if any."""
        if not self.source:
            return None
        if Path(self.source).is_file():
            return Path(self.source)
        bundled = SPECS_DIR / f"{self.source}.toml"  # what sweeps.config.load finds by name
        return bundled if bundled.parent == SPECS_DIR and bundled.is_file() else None

    def candidates(self, name: str) -> tuple[Any, ...]:
        """Values parameter ``name`` can take: its axis, or its choices when sampled.

        A parameter drawn from a numeric range gives ``()``.
        """
        if name in self.params:
            return self.params[name]
        dim = next(d for d in self.sample.dims if d.name == name)  # type: ignore[union-attr]
        return dim.values if dim.kind == "choice" else ()

    def to_dict(self) -> dict[str, Any]:
        """The canonical, JSON-ready form; :meth:`from_dict` reads it back.

        Optimiser hyper-parameters that no optimiser in the spec uses are left out, and so
        is ``shortcut`` at its default (specs hash as they did before it existed).
        """
        optimizers = () if self.trainer else self.candidates("optimizer")
        params = {
            k: v[0] if len(v) == 1 else list(v)
            for k, v in self.params.items()
            if self.trainer or k not in OPTIMIZER_PARAMS or any(applies(k, o) for o in optimizers)
        }
        for k in () if self.trainer else UNHASHED_DEFAULTS:  # as before the parameter existed
            if params.get(k, True) == PARAMS[k].default:
                del params[k]
        out = {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "seeds": list(self.seeds),
            "max_epochs": self.max_epochs,
            "chunk_size": self.chunk_size,
            "diagnostics": self.diagnostics,
            "params": params,
            "stop": dict(self.stop),
        }
        if self.sample is not None:
            out["sample"] = self.sample.to_dict()
        if self.tasks:  # only then: a spec without [tasks] hashes as it always did
            out["tasks"] = {name: dict(t.settings) for name, t in self.tasks.items()}
        if self.plugins:
            out["plugins"] = [p.to_dict() for p in self.plugins]
        if self.trainer:  # only then: every other spec hashes as before
            out |= {"trainer": self.trainer, "trainer_timeout_s": self.trainer_timeout_s}
        return out

    @cached_property
    def spec_hash(self) -> str:
        """sha256 of the canonical form, less source and description, plus the axis order.

        ``diagnostics`` counts as false: they add a file and change no result, so a sweep
        with them resumes one without (and every other hash stays as it was).
        """
        body = {k: v for k, v in self.to_dict().items() if k not in ("source", "description")}
        body["diagnostics"] = False
        body["axes"] = list(self.axes)
        if self.plugins:  # what they are, not where they lie on this machine
            body["plugins"] = [{k: v for k, v in p.to_dict().items() if k != "path"}
                               for p in self.plugins]  # fmt: skip
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def __hash__(self) -> int:
        return hash(self.spec_hash)

    def __reduce__(self) -> tuple[Any, ...]:
        # Read-only mapping views do not pickle; rebuild from plain dicts (checked again).
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state.update(params=dict(self.params), stop=dict(self.stop), tasks=dict(self.tasks))
        return (_rebuild, (type(self), state))


def _rebuild(cls: type[SweepSpec], state: dict[str, Any]) -> SweepSpec:
    return cls(**state)


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)
