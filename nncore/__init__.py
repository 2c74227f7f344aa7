"""nncore: NumPy multilayer perceptrons trained a whole population at a time."""

from __future__ import annotations

from .activations import ACTIVATIONS, Activation, get_activation
from .initializers import INITIALIZERS, get_initializer
from .losses import LOSSES, OUTPUT_ACTIVATIONS, get_loss
from .network import Network
from .optimizers import OPTIMIZERS, get_optimizer
from .population import Architecture, Population
from .rules import ConfigError
from .tasks import Dataset, get_task, parse_task
from .train import STOP_CRITERIA, RunRecord, StopCriteria, log_epochs

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "OPTIMIZERS",
    "OUTPUT_ACTIVATIONS",
    "STOP_CRITERIA",
    "Activation",
    "Architecture",
    "ConfigError",
    "Dataset",
    "Network",
    "Population",
    "RunRecord",
    "StopCriteria",
    "get_activation",
    "get_initializer",
    "get_loss",
    "get_optimizer",
    "get_task",
    "log_epochs",
    "parse_task",
]
