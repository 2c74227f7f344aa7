"""The spec file format: its keys, and a parsed TOML document read into a SweepSpec.

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
    shortcut = false (true: every layer also sees the inputs and all earlier layers'
    outputs; [false, true] is an axis), activation = "tanh",
    output_activation = "sigmoid", loss = "mse", init = "normal",
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
shortcut, activations, loss, optimizer, batch_size, max_epochs) train as one population, cut
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
Your own training code: with ``trainer = "train.py:fit_one"`` at the top (``MODULE:FUNCTION``
or ``FILE.py:FUNCTION``, a path relative to the spec file), every run is handed to that
function instead of nncore (optional ``trainer_timeout_s = 300``); ``[params]`` then
sets the trainer's own declared parameters (see :mod:`sweeps.config.trainer`), ``[sample]``
is not available, ``chunk_size`` defaults to 16, and a run that raises, returns a
malformed record or takes longer than ``trainer_timeout_s`` seconds is recorded as
``failed`` with the reason in ``error``.

A bad spec raises :class:`SpecError`: one line naming the file, the key, the value
and what is allowed, with a "did you mean" when a close name exists.

On the command line, ``KEY=VALUE[,VALUE...]`` overrides (``lr=0.1,0.5``, ``seeds=5``,
``stop.max_error_below=0.05``; the grammar is in :mod:`sweeps.config.overrides`) change
the parsed file before these checks; an overridden spec's results go to
``results/NAME.HASH`` (:attr:`SweepSpec.dirname`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nncore import STOP_CRITERIA
from nncore.rules import ConfigError, did_you_mean

from .fields import check_useful
from .plugins import entry_point_plugins, load_listed
from .sampling import Sample
from .tasks import parse_tasks
from .trainer import TRAINER_CHUNK_SIZE

__all__ = [
    "MAX_EPOCHS",
    "NAME_RE",
    "REQUIRED",
    "SPECS_DIR",
    "TOP_KEYS",
    "base_dir",
    "read_document",
]

SPECS_DIR = Path(__file__).parent.parent / "specs"
TOP_KEYS = (
    "name", "description", "seeds", "max_epochs", "chunk_size", "diagnostics",
    "params", "sample", "stop", "tasks", "plugins", "trainer", "trainer_timeout_s",
)  # fmt: skip
REQUIRED = {
    "seeds": "a seed count (seeds = 20 means 0..19) or a list of seeds",
    "max_epochs": "the budget of updates per run, an integer >= 1",
    "stop": f"a [stop] table setting at least one of {list(STOP_CRITERIA)}",
}
NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")  # a directory name: never . or ..
MAX_EPOCHS = 100_000_000  # a run of 1e8 full-batch updates is days of work


def base_dir(source: str) -> Path:
    """The folder a spec's data files are relative to: its own (a bundled one's too)."""
    if source and Path(source).is_file():
        return Path(source).parent
    if source and (SPECS_DIR / f"{source}.toml").is_file():
        return SPECS_DIR
    return Path(".")


def read_document(cls: Any, raw: Mapping[str, Any], source: str, default_name: str | None) -> Any:
    """Check a parsed document's top level and build ``cls`` (SweepSpec) from it."""
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
    if "tasks" in raw:  # read before the params, whose task axis may name them
        optional["tasks"] = parse_tasks(raw["tasks"], base_dir(source))
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
    if spec.trainer:
        return spec
    given = {f"params.{k}={v!r}": k for k, v in params.items()}
    given |= {f"sample.{k}": k for k in (spec.sample.names if spec.sample else ())}
    check_useful(list(spec.candidates("optimizer")), given)
    return spec
