"""The changes doctor tries, one at a time: a documented set, as ``KEY=VALUE`` overrides.

For nncore's own network (the order is the order they are tried and listed):

* hidden activation: tanh, relu, leaky_relu, elu, softsign, sigmoid;
* output activation and loss together: sigmoid + bce, sigmoid + mse, tanh + mse,
  softmax + ce (each only where the task allows it);
* initialisation: glorot_uniform, he_normal, lecun_normal (at their own scale, 1), and
  the scale up and down by a decade;
* learning rate: down and up by a decade, then further (:mod:`sweeps.doctor.search`)
  until the best is inside the levels tried;
* optimiser: momentum, adam, rprop at their usual settings (nncore's defaults);
* width: every hidden layer halved and doubled;
* inputs: centred ({-1, 1}) for a built-in task, standardised for a file's task.

For a user trainer, only the parameters it declares: each other choice of a parameter
with choices (or the other value of a bool), ``lr`` by decades, a parameter whose name
has ``scale`` in it by decades, and ``hidden``/``width`` halved and doubled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nncore.rules import RULES
from sweeps.config.params import parse_hidden
from sweeps.config.spec import SweepSpec
from sweeps.config.trainer import import_function

__all__ = ["Candidate", "candidates", "configuration", "lr_candidate"]

HIDDEN = ("tanh", "relu", "leaky_relu", "elu", "softsign", "sigmoid")
OUTPUTS = (("sigmoid", "bce"), ("sigmoid", "mse"), ("tanh", "mse"), ("softmax", "ce"))
INITS = ("glorot_uniform", "he_normal", "lecun_normal")
OPTIMIZERS = ("momentum", "adam", "rprop")
LR_NAMES = ("lr", "learning_rate")


@dataclass(frozen=True)
class Candidate:
    """One change: its label, the parameter family it belongs to, and its overrides.

    ``sets`` maps each parameter the change sets to its new value (what a combination
    of changes merges); ``key`` names its folder in the results directory.
    """

    label: str
    family: str
    sets: tuple[tuple[str, Any], ...]

    @property
    def overrides(self) -> tuple[str, ...]:
        return tuple(f"~{k}" if v is None else f"{k}={_text(v)}" for k, v in self.sets)

    @property
    def key(self) -> str:
        text = "_".join(f"{k}-{'default' if v is None else v}" for k, v in self.sets)
        return "".join(c if c.isalnum() or c in "._-" else "-" for c in text.lower())[:90]


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"' if v == "" or "," in v else v
    return repr(v)


def configuration(spec: SweepSpec) -> dict[str, Any]:
    """The one configuration a doctor spec describes: each parameter's single value."""
    return {k: v[0] for k, v in spec.params.items()}


def lr_candidate(cfg: Mapping[str, Any], lr: float, name: str = "lr") -> Candidate:
    """The learning rate changed to ``lr`` (rounded to 12 significant digits)."""
    lr = float(f"{lr:.12g}")
    return Candidate(f"learning rate {cfg[name]:g} → {lr:g}", "lr", ((name, lr),))


def candidates(spec: SweepSpec) -> list[Candidate]:
    """Every change of the documented set that applies to ``spec``'s configuration.

    Whether a change is valid for the task (bce needs a sigmoid output, ce two or more
    outputs) is left to the spec's own checks when the change is built.
    """
    cfg = configuration(spec)
    return _trainer_candidates(spec, cfg) if spec.trainer else _builtin(spec, cfg)


def _builtin(spec: SweepSpec, cfg: dict[str, Any]) -> list[Candidate]:
    out: list[Candidate] = []
    hidden = parse_hidden("hidden", cfg["hidden"])
    if hidden:
        out += [
            Candidate(
                f"hidden activation {cfg['activation']} → {a}", "activation", (("activation", a),)
            )
            for a in HIDDEN
            if a != cfg["activation"]
        ]
    now = (cfg["output_activation"], cfg["loss"])
    out += [
        Candidate(
            f"output {now[0]} + {now[1]} → {o} + {lo}",
            "output",
            (("output_activation", o), ("loss", lo)),
        )
        for o, lo in OUTPUTS
        if (o, lo) != now
    ]
    out += [
        Candidate(
            f"init {cfg['init']} → {i} (scale 1)", "init", (("init", i), ("init_scale", 1.0))
        )
        for i in INITS
        if i != cfg["init"]
    ]
    scale = float(cfg["init_scale"])
    for f in (10.0, 0.1):
        new = float(f"{scale * f:.12g}")
        out.append(
            Candidate(f"init scale {scale:g} → {new:g}", "init_scale", (("init_scale", new),))
        )
    out += [lr_candidate(cfg, float(cfg["lr"]) * f) for f in (0.1, 10.0)]
    out += [
        Candidate(
            f"optimizer {cfg['optimizer']} → {o} (lr {RULES['lr'].default_for(o):g})",
            "optimizer",
            (("optimizer", o), ("lr", None)),
        )
        for o in OPTIMIZERS
        if o != cfg["optimizer"]
    ]
    if hidden:
        for f, word in ((0.5, "halved"), (2.0, "doubled")):
            new = "x".join(str(max(1, int(h * f))) for h in hidden)
            if new != cfg["hidden"]:
                out.append(
                    Candidate(
                        f"width {cfg['hidden']} → {new} ({word})", "width", (("hidden", new),)
                    )
                )
    own = spec.tasks.get(cfg["task"])
    if own is None and cfg["inputs"] == "binary":
        out.append(Candidate("inputs {0,1} → centred {-1,1}", "inputs", (("inputs", "centred"),)))
    elif own is not None and own.settings.get("scale", "standard") != "standard":
        key = f"tasks.{cfg['task']}.scale"
        out.append(
            Candidate(
                f"inputs {own.settings.get('scale')} → standardised",
                "inputs",
                ((key, "standard"),),
            )
        )
    return out


def _trainer_candidates(spec: SweepSpec, cfg: dict[str, Any]) -> list[Candidate]:
    base = spec.path.parent if spec.path is not None else None
    declared = getattr(import_function(spec.trainer, base)[1], "PARAMS", {}) or {}
    out: list[Candidate] = []
    for name, p in spec.trainer_def.params.items():
        v, entry = cfg[name], declared.get(name, {})
        if p.kind is bool:
            out.append(Candidate(f"{name} {v} → {not v}", name, ((name, not v),)))
        elif entry.get("choices"):
            out += [
                Candidate(f"{name} {v} → {c}", name, ((name, c),))
                for c in entry["choices"]
                if c != v
            ]
        elif name in LR_NAMES and p.kind is float:
            out += [lr_candidate(cfg, v * f, name) for f in (0.1, 10.0)]
        elif "scale" in name and p.kind is float:
            out += [
                Candidate(f"{name} {v:g} → {v * f:.12g}", name, ((name, float(f"{v * f:.12g}")),))
                for f in (10.0, 0.1)
            ]
        elif name in ("hidden", "width") and p.kind is int:
            out += [
                Candidate(f"{name} {v} → {n}", "width", ((name, n),))
                for n in (max(1, v // 2), v * 2)
                if n != v
            ]
    return out
