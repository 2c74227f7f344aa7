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
    plugins = []                    # optional: your own parts, e.g. ["extras/my_parts.py",
                                    # "mypkg.nnsweep_ext"] (see below)

    [params]                        # a value is fixed; a list of values is a grid axis
    task = "or"                     # and, or, nand, nor, xor, xnor, parity<n>, encoder<n>,
                                    # two_spirals, or a [tasks.NAME] (below)
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

A spec may define tasks of its own in ``[tasks.NAME]`` tables and name them in
``task`` (every key: :mod:`sweeps.config.tasks`), e.g. ``[tasks.iris]`` with
``file = "data/iris.csv"``, ``target = "species"``, ``holdout = 0.3``, or
``generator = "moons"``. A table is read and checked with the spec; its settings and
its file's sha256 enter the spec_hash and the run ids of the runs on it (an edited
file makes new runs). With a holdout, runs.csv's ``val_*`` columns and the curves'
``val_loss`` are measured on the held-out part.

``plugins`` lists Python files (paths relative to the spec file, ending in .py) and
importable modules that register parts with ``nncore.register_activation``,
``register_loss``, ``register_initializer``, ``register_optimizer`` or
``register_task``; installed packages add theirs through the entry-point group
``nnsweep.plugins``. They are imported before the spec is checked, in this process
and in every worker, so ``activation = "hardtanh"`` is checked like a built-in name.
A run that uses a plugin's part hashes the plugin's name and sha256 into its id,
and a spec that lists plugins hashes them into its ``spec_hash``; runs and specs
without them hash as before (see :mod:`sweeps.config.plugins`).

A bad spec raises :class:`SpecError`: one line naming the file, the key, the value
and what is allowed, with a "did you mean" when a close name exists.

On the command line, ``KEY=VALUE[,VALUE...]`` overrides (``lr=0.1,0.5``, ``seeds=5``,
``stop.max_error_below=0.05``; the grammar is in :mod:`sweeps.config.overrides`) change
the parsed file before these checks; an overridden spec's results go to
``results/NAME.HASH`` (:attr:`SweepSpec.dirname`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
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
from .plugins import Plugin, entry_point_plugins, load_listed, used_plugins
from .sampling import Sample
from .tasks import TaskData, parse_tasks

__all__ = ["REQUIRED", "SPECS_DIR", "TOP_KEYS", "SpecError", "SweepSpec"]

SPECS_DIR = Path(__file__).parent.parent / "specs"
TOP_KEYS = (
    "name", "description", "seeds", "max_epochs", "chunk_size", "diagnostics",
    "params", "sample", "stop", "tasks", "plugins",
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
            _set(self, "tasks", parse_tasks(self.tasks, _base_dir(self.source)))
        _set(self, "tasks", MappingProxyType(dict(self.tasks)))
        _set(self, "params", MappingProxyType(check_params(self.params, sampled, self.tasks)))
        _set(self, "stop", MappingProxyType(check_stop(self.stop)))
        n = math.prod(len(v) for v in self.params.values()) * len(self.seeds)
        n *= self.sample.n if self.sample else 1
        if n > MAX_RUNS:
            raise ConfigError(f"the grid has {n:,} runs; the limit is {MAX_RUNS:,}")
        check_combinations(self.candidates, self.tasks)
        _set(self, "plugins", listed + used_plugins(self.candidates, listed))

    def _base(self) -> Path:
        """Where the plugins' paths start: the spec file's folder (else the cwd)."""
        if self.source and Path(self.source).is_file():
            return Path(self.source).resolve().parent
        return Path.cwd()

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

        Optimiser hyper-parameters that no optimiser in the spec uses are left out.
        """
        optimizers = self.candidates("optimizer")
        params = {
            k: v[0] if len(v) == 1 else list(v)
            for k, v in self.params.items()
            if k not in OPTIMIZER_PARAMS or any(applies(k, o) for o in optimizers)
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
        if self.tasks:  # only then: a spec without [tasks] hashes as it always did
            out["tasks"] = {name: dict(t.settings) for name, t in self.tasks.items()}
        if self.plugins:
            out["plugins"] = [p.to_dict() for p in self.plugins]
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


def _base_dir(source: str) -> Path:
    """The folder a spec's data files are relative to: its own (a bundled one's too)."""
    if source and Path(source).is_file():
        return Path(source).parent
    if source and (SPECS_DIR / f"{source}.toml").is_file():
        return SPECS_DIR
    return Path(".")


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
    base = Path(source).resolve().parent if source and Path(source).is_file() else Path.cwd()
    plugins = load_listed(raw.get("plugins", ()), base)  # before [sample] names any part
    entry_point_plugins()
    sample = raw.get("sample")
    if sample is not None:
        if not isinstance(sample, Mapping):
            raise ConfigError(f"sample={sample!r} must be a table")
        sample = Sample.from_mapping(sample)
    optional = {k: raw[k] for k in ("description", "chunk_size", "diagnostics") if k in raw}
    if "tasks" in raw:  # read before the params, whose task axis may name them
        optional["tasks"] = parse_tasks(raw["tasks"], _base_dir(source))
    params = raw.get("params", {})
    spec = cls(
        name=name,
        seeds=raw["seeds"],
        max_epochs=raw["max_epochs"],
        stop=raw["stop"],
        params=params,
        sample=sample,
        plugins=plugins,
        source=source,
        **optional,
    )
    given = {f"params.{k}={v!r}": k for k, v in params.items()}
    given |= {f"sample.{k}": k for k in (spec.sample.names if spec.sample else ())}
    check_useful(list(spec.candidates("optimizer")), given)
    return spec
