"""Sweep specs: a parsed TOML document checked into a SweepSpec (read by sweeps.config.load).

The spec format
---------------
::

    name = "or-sigmoid-vs-tanh"     # [a-z0-9._-]+; default: the file name without .toml
    description = "OR gate, 2-6-1: which activation reaches the threshold first?"
    seeds = 20                      # seeds 0..19, or an explicit list: [3, 7, 11]
    max_epochs = 20000              # budget of updates per run
    chunk_size = 256                # optional: at most this many runs per population chunk
    diagnostics = false             # optional: also write per-layer diagnostics.csv.gz

    [params]                        # a value is fixed; a list of values is a grid axis
    task = "or"                     # and, or, nand, nor, xor, xnor, parity<n>, encoder<n>,
                                    # two_spirals
    hidden = "6"                    # "16x16" = two hidden layers, "" = none
    activation = ["sigmoid", "tanh"]
    optimizer = ["gd", "momentum"]
    momentum = 0.9                  # used by momentum (and nesterov) runs only

    [sample]                        # optional random search, crossed with the grid
    n = 200                         # points drawn
    seed = 0                        # default 0
    method = "random"               # "random" (default), "sobol" (n a power of 2), "lhs"
    lr = { log_uniform = [1e-3, 10] }
    init_scale = { uniform = [0.1, 2] }
    batch_size = { int_uniform = [1, 4] }   # batch_size, or hidden (one layer's width)
    init = { choice = ["normal", "glorot_uniform"] }

    [stop]                          # at least one; a run converges when all of them hold
    max_error_below = 0.1           # every output within 0.1 of its target
    loss_below = 0.01
    bits_40_20_40 = false           # Fahlman's 40-20-40 rule

Every parameter in :data:`sweeps.config.params.PARAMS` can be set in ``[params]`` or drawn
in ``[sample]``, never both; those left out take their defaults:

    task = "or", inputs = "binary" ({0,1} inputs; "centred" = {-1,1}), hidden = "6",
    activation = "tanh", output_activation = "sigmoid", loss = "mse", init = "normal",
    init_scale = 1.0, optimizer = "gd", lr = the optimiser's own (gd 0.5, momentum 0.05,
    nesterov 0.05, adam 0.001, rprop 0.1: nncore's rulebook), momentum = 0.9, beta1 = 0.9,
    beta2 = 0.999, eps = 1e-08, eta_plus = 1.2, eta_minus = 0.5, delta_max = 50.0,
    delta_min = 1e-06, batch_size = 0

``loss`` is mse (any output but softmax), bce (sigmoid output) or ce (softmax
output, tasks with 2 or more outputs). ``batch_size = 0`` is full batch, and so
is a batch as large as the task's training set. ``momentum`` is used by the
momentum and nesterov optimisers, ``beta1, beta2, eps`` by adam, ``eta_plus,
eta_minus, delta_max, delta_min`` by rprop; setting one that no optimiser in the
spec uses is an error.

The runs are every grid cell (axes in file order, the first varying slowest) times
every sampled point times every seed (the fastest). In each run, the optimiser
hyper-parameters its optimiser does not use are left empty, and runs that become
identical that way are kept once. Sampled points come from one generator seeded
by ``sample.seed``: the same spec draws the same points on any machine; floats are
rounded to 12 significant digits. Runs sharing a structure (task, inputs, hidden,
activations, loss, optimizer, batch_size, max_epochs) train as one population, cut
into near-equal chunks of at most ``chunk_size`` runs.

Your own training code: with ``trainer = "train.py:fit_one"`` at the top (``MODULE:FUNCTION``
or ``FILE.py:FUNCTION``, a path relative to the spec file), every run is handed to that
function instead of nncore (optional ``trainer_timeout_s = 300``); ``[params]`` then
sets the trainer's own declared parameters (see :mod:`sweeps.config.trainer`), ``[sample]``
is not available, ``chunk_size`` defaults to 16, and a run that raises, returns a
malformed record or takes longer than ``trainer_timeout_s`` seconds is recorded as
``failed`` with the reason in ``error``.

A bad spec raises :class:`SpecError`: one line naming the file, the key, the value
and what is allowed, with a "did you mean" when a close name exists.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from nncore import STOP_CRITERIA
from nncore.rules import ConfigError, check_number, did_you_mean

from .fields import (
    MAX_RUNS,
    check_combinations,
    check_params,
    check_seeds,
    check_stop,
    check_useful,
)
from .params import OPTIMIZER_PARAMS, applies
from .sampling import Sample
from .trainer import DEFAULT_TIMEOUT_S, TRAINER_CHUNK_SIZE, Trainer, load_trainer

__all__ = ["REQUIRED", "SPECS_DIR", "TOP_KEYS", "SpecError", "SweepSpec"]

SPECS_DIR = Path(__file__).parent.parent / "specs"
TOP_KEYS = (
    "name", "description", "seeds", "max_epochs", "chunk_size", "diagnostics",
    "params", "sample", "stop", "trainer", "trainer_timeout_s",
)  # fmt: skip
REQUIRED = {
    "seeds": "a seed count (seeds = 20 means 0..19) or a list of seeds",
    "max_epochs": "the budget of updates per run, an integer >= 1",
    "stop": f"a [stop] table setting at least one of {list(STOP_CRITERIA)}",
}
NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")  # a directory name: never . or ..
MAX_EPOCHS = 100_000_000  # a run of 1e8 full-batch updates is days of work


class SpecError(ConfigError):
    """An invalid spec: one line that starts with the file (or bundled name)."""


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep: what to vary, over which seeds, for how long, until what.

    ``params`` maps every parameter not drawn in ``sample`` to a tuple of values
    (one value: fixed; more: an axis), in file order, then the defaults.
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
    source: str = field(default="", compare=False)
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
        if self.trainer or self.trainer_timeout_s != DEFAULT_TIMEOUT_S:
            self._check_trainer()
        table = self.trainer_def.params if self.trainer else None
        _set(self, "params", MappingProxyType(check_params(self.params, sampled, table)))
        _set(self, "stop", MappingProxyType(check_stop(self.stop)))
        n = math.prod(len(v) for v in self.params.values()) * len(self.seeds)
        n *= self.sample.n if self.sample else 1
        if n > MAX_RUNS:
            raise ConfigError(f"the grid has {n:,} runs; the limit is {MAX_RUNS:,}")
        if not self.trainer:
            check_combinations(self.candidates)

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
            return _from_mapping(cls, raw, source, default_name)
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

        Optimiser hyper-parameters that no optimiser in the spec uses are left out.
        """
        optimizers = () if self.trainer else self.candidates("optimizer")
        params = {
            k: v[0] if len(v) == 1 else list(v)
            for k, v in self.params.items()
            if self.trainer or k not in OPTIMIZER_PARAMS or any(applies(k, o) for o in optimizers)
        }
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
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def __hash__(self) -> int:
        return hash(self.spec_hash)

    def __reduce__(self) -> tuple[Any, ...]:
        # Read-only mapping views do not pickle; rebuild from plain dicts (checked again).
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state.update(params=dict(self.params), stop=dict(self.stop))
        return (_rebuild, (type(self), state))


def _rebuild(cls: type[SweepSpec], state: dict[str, Any]) -> SweepSpec:
    return cls(**state)


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _from_mapping(
    cls: type[SweepSpec], raw: Mapping[str, Any], source: str, default_name: str | None
) -> SweepSpec:
    for key in raw:
        if key not in TOP_KEYS:
            raise ConfigError(
                f"unknown key {key!r} at top level; allowed: {list(TOP_KEYS)}"
                + did_you_mean(key, TOP_KEYS)
            )
    for key, hint in REQUIRED.items():
        if key not in raw:
            raise ConfigError(f"missing key {key!r} at top level: {hint}")
    name = raw.get("name", default_name)
    if name is None:
        raise ConfigError("missing key 'name' at top level: the sweep's name, [a-z0-9._-]+")
    sample = raw.get("sample")
    if sample is not None and raw.get("trainer"):
        raise ConfigError("[sample] is not available with trainer; list values in [params]")
    if sample is not None:
        if not isinstance(sample, Mapping):
            raise ConfigError(f"sample={sample!r} must be a table")
        sample = Sample.from_mapping(sample)
    keys = ("description", "chunk_size", "diagnostics", "trainer", "trainer_timeout_s")
    optional = {k: raw[k] for k in keys if k in raw}
    if "trainer" in raw and "chunk_size" not in raw:
        optional["chunk_size"] = TRAINER_CHUNK_SIZE
    params = raw.get("params", {})
    spec = cls(
        name=name,
        seeds=raw["seeds"],
        max_epochs=raw["max_epochs"],
        stop=raw["stop"],
        params=params,
        sample=sample,
        source=source,
        **optional,
    )
    if spec.trainer:
        return spec
    given = {f"params.{k}={v!r}": k for k, v in params.items()}
    given |= {f"sample.{k}": k for k in (spec.sample.names if spec.sample else ())}
    check_useful(list(spec.candidates("optimizer")), given)
    return spec
