"""The gallery's entries: each a bundled spec, its page title, question and sources.

:data:`ENTRIES` is the registry (in page order); :func:`entry_spec` gives an entry's
spec, or a reduced one for smoke tests (:func:`reduce`). The pages are written by
:mod:`sweeps.gallery.pages`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from nncore.rules import check_choice, check_number
from sweeps.config.load import load_spec
from sweeps.config.spec import SweepSpec

from . import (
    depth_saturation,
    encoder,
    init_plateau,
    kit,
    seed_or_gate,
    two_spirals,
    xor_hidden_units,
)

__all__ = ["ENTRIES", "Entry", "entry_spec", "get_entry", "reduce"]


@dataclass(frozen=True)
class Entry:
    """One gallery entry: its bundled spec's name, its page title, question and sources."""

    name: str
    title: str
    question: str
    citations: tuple[str, ...]
    analyse: Callable[..., kit.Page]  # (results, image dir[, parts]) -> the page
    parts: tuple[str, ...] = ()  # more bundled specs, NAME-PART, the page also reads

    def part_specs(self) -> dict[str, str]:
        """``{"bugs": "seed-or-gate-bugs", ...}``: each part's short name and spec."""
        return {p: f"{self.name}-{p}" for p in self.parts}


ENTRIES: dict[str, Entry] = {
    e.name: e
    for e in [
        Entry(
            "seed-or-gate",
            "The seed's OR gate: why it crawled, and what tanh fixes",
            "An OR gate, 2-6-1, from weights normal(0, 0.01): which of the seed's bugs made it "
            "crawl, does the accepted answer's tanh fix it in the hidden or the output layer, "
            "and does the answer's own setting reproduce?",
            (
                'The seed question: "Neural network backpropagation not fully training", '
                "Stack Overflow question 48970179, and its accepted answer.",
            ),
            seed_or_gate.page,
            parts=("bugs", "answer"),
        ),
        Entry(
            "xor-hidden-units",
            "XOR: failures and epochs against the number of hidden units",
            "How do the failure rate and the time to learn XOR change with 2, 3, 4, 8, 16 and "
            "32 sigmoid hidden units (batch gradient descent, momentum 0.9), and does one "
            "hidden unit with shortcut connections learn it?",
            (
                "D. E. Rumelhart, G. E. Hinton & R. J. Williams (1986). Learning internal "
                "representations by error propagation. In *Parallel Distributed Processing*, "
                "vol. 1, ch. 8. MIT Press.",
            ),
            xor_hidden_units.page,
        ),
        Entry(
            "encoder-8-3-8",
            "The 8-3-8 and 10-5-10 encoders: plain GD, momentum, Rprop and Adam",
            "Under Fahlman's 40-20-40 rule, how many epochs do plain gradient descent, "
            "momentum, Rprop and Adam need on the n-m-n encoders, each at its best rate, "
            "and do the SNNS manual's figures for the 8-3-8 encoder hold?",
            (
                "A. Zell et al. *SNNS: Stuttgart Neural Network Simulator, User Manual*. "
                "University of Stuttgart (IPVR) and University of Tübingen (WSI): the "
                "8-3-8 encoder figures for back-propagation, with momentum, and Rprop.",
                "S. E. Fahlman (1988). An empirical study of learning speed in back-propagation "
                "networks. Technical report CMU-CS-88-162, Carnegie Mellon University.",
                "M. Riedmiller & H. Braun (1993). A direct adaptive method for faster "
                "backpropagation learning: the RPROP algorithm. *IEEE International "
                "Conference on Neural Networks*, 586–591.",
            ),
            encoder.page,
            parts=("online",),
        ),
        Entry(
            "init-plateau",
            "XOR from small and large initial weights: plateaus and failures",
            "How does the range of the initial weights (±0.01 to ±3) decide whether XOR "
            "2-2-1 and 2-2-2-1 learn: where do runs sit on a plateau, and where do they fail?",
            (
                "J. F. Kolen & J. B. Pollack (1990). Back propagation is sensitive to initial "
                "conditions. *Complex Systems* 4(3), 269–280.",
            ),
            init_plateau.page,
        ),
        Entry(
            "depth-saturation",
            "Depth and saturation: where sigmoid networks stop training",
            "On 4-bit parity with 1 to 5 hidden layers of 8, where do sigmoid networks stop "
            "training as depth grows, and do tanh, relu, LeCun's scaled tanh, or Glorot and "
            "He initialisation change that?",
            (
                "X. Glorot & Y. Bengio (2010). Understanding the difficulty of training deep "
                "feedforward neural networks. *AISTATS*, PMLR 9, 249–256.",
                "Y. LeCun, L. Bottou, G. B. Orr & K.-R. Müller (1998). Efficient BackProp. In "
                "*Neural Networks: Tricks of the Trade*, LNCS 1524, 9–50. Springer.",
            ),
            depth_saturation.page,
        ),
        Entry(
            "two-spirals",
            "Two spirals: plain GD vs Adam vs Rprop within a budget",
            "Within 20,000 epochs, how often does Lang & Witbrock's 2-5-5-5-1 network, with "
            "and without its shortcut connections, separate the two spirals under plain "
            "gradient descent, Adam and Rprop, and what do a success and a failure look like?",
            (
                "K. J. Lang & M. J. Witbrock (1988). Learning to tell two spirals apart. "
                "*Proceedings of the 1988 Connectionist Models Summer School*.",
                'The CMU neural-network benchmark collection, "two-spirals" (maintained by '
                "S. E. Fahlman): the data, the 40-20-40 rule and epochs as the unit.",
            ),
            two_spirals.page,
        ),
    ]
}


def get_entry(name: str) -> Entry:
    """The gallery entry ``name`` (one-line ConfigError with a did-you-mean when unknown)."""
    return ENTRIES[check_choice("entry", name, ENTRIES)]


def reduce(spec: SweepSpec, seeds: int = 3, max_epochs: int = 200, keep: int = 2) -> SweepSpec:
    """A small version of ``spec`` for smoke tests: fewer seeds, epochs and axis levels.

    Each axis keeps ``keep`` of its levels, spread from first to last, so every
    figure still has its panels and lines; the name and stop rule are unchanged.
    """
    for field, value in (("seeds", seeds), ("max_epochs", max_epochs), ("keep", keep)):
        check_number(field, value, low=1, integer=True)
    params = {k: _spread(v, keep) for k, v in spec.params.items()}
    return dataclasses.replace(
        spec,
        seeds=spec.seeds[:seeds],
        max_epochs=min(spec.max_epochs, max_epochs),
        params=params,
        source=spec.source if spec.trainer else "",  # a trainer's file is found from its spec's
    )


def _spread(values: tuple, keep: int) -> tuple:
    if len(values) <= keep:
        return values
    picks = sorted({round(i * (len(values) - 1) / (keep - 1)) for i in range(keep)})
    return tuple(values[i] for i in picks)


def entry_spec(name: str, reduced: bool = False, part: str | None = None) -> SweepSpec:
    """The bundled spec of entry ``name`` (or of its ``part``), or its reduced version
    (see :func:`reduce`)."""
    entry = get_entry(name)
    spec = load_spec(
        entry.part_specs()[check_choice("part", part, entry.parts)] if part else entry.name
    )
    return reduce(spec) if reduced else spec
