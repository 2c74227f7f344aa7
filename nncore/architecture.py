"""What every member of a population shares: layer sizes, activations, loss, wiring.

With ``shortcut=True`` every layer is also fed by the inputs and by every earlier
layer's output (shortcut connections, as in Lang & Witbrock's 2-5-5-5-1 two-spirals
network and Rumelhart, Hinton & Williams' 2-1-1 XOR). Layer l then sees the
concatenation, in that order, of the inputs and the outputs of layers 0 .. l-1, so its
weight matrix is ``(fan_in, fan_out)`` with ``fan_in = sizes[0] + ... + sizes[l]``: rows
``0 .. sizes[0]-1`` weigh the inputs, the next ``sizes[1]`` rows layer 0's output, and so
on. Without shortcuts ``fan_in = sizes[l]``, the plain chain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation
from .losses import OUTPUT_ACTIVATIONS, Loss, get_loss
from .rules import ConfigError, check_number, lookup

__all__ = ["Architecture"]


@dataclass(frozen=True)
class Architecture:
    """What every member of a population shares: layer sizes, activations, loss and
    whether layers have shortcut connections (see the module's docstring)."""

    sizes: tuple[int, ...]
    activation: str = "tanh"
    output_activation: str = "sigmoid"
    loss: str = "mse"
    shortcut: bool = False

    def __post_init__(self) -> None:
        sizes = tuple(self.sizes)
        if len(sizes) < 2:
            raise ConfigError(f"sizes={list(sizes)} needs at least an input and an output size")
        for s in sizes:
            check_number("sizes", s, low=1, integer=True)
        object.__setattr__(self, "sizes", sizes)
        if not isinstance(self.shortcut, (bool, np.bool_)):
            raise ConfigError(f"shortcut={self.shortcut!r} must be true or false")
        object.__setattr__(self, "shortcut", bool(self.shortcut))
        get_activation(self.activation)
        lookup(OUTPUT_ACTIVATIONS, "output_activation", self.output_activation)
        get_loss(self.loss).check_output(self.output_activation)

    @property
    def hidden_fn(self) -> Activation:
        return get_activation(self.activation)

    @property
    def output_fn(self) -> Activation:
        return OUTPUT_ACTIVATIONS[self.output_activation]

    @property
    def loss_fn(self) -> Loss:
        return get_loss(self.loss)

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def fan_ins(self) -> tuple[int, ...]:
        """Each layer's number of inputs: ``sizes[l]``, or with shortcuts the sum of the
        input width and every earlier layer's width, ``sizes[0] + ... + sizes[l]``."""
        if not self.shortcut:
            return self.sizes[:-1]
        return tuple(sum(self.sizes[: l + 1]) for l in range(self.n_layers))

    @property
    def weight_shapes(self) -> tuple[tuple[int, int], ...]:
        """Each layer's weight matrix ``(fan_in, fan_out)`` (one member's)."""
        return tuple(zip(self.fan_ins, self.sizes[1:], strict=True))
