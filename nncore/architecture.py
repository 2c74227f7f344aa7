"""What every member of a population shares: layer sizes, activations and loss."""

from __future__ import annotations

from dataclasses import dataclass

from .activations import Activation, get_activation
from .losses import OUTPUT_ACTIVATIONS, Loss, get_loss
from .rules import ConfigError, check_number, lookup

__all__ = ["Architecture"]


@dataclass(frozen=True)
class Architecture:
    """What every member of a population shares: layer sizes, activations and loss."""

    sizes: tuple[int, ...]
    activation: str = "tanh"
    output_activation: str = "sigmoid"
    loss: str = "mse"

    def __post_init__(self) -> None:
        sizes = tuple(self.sizes)
        if len(sizes) < 2:
            raise ConfigError(f"sizes={list(sizes)} needs at least an input and an output size")
        for s in sizes:
            check_number("sizes", s, low=1, integer=True)
        object.__setattr__(self, "sizes", sizes)
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
