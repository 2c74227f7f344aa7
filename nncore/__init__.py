"""nncore: NumPy multilayer perceptrons trained a whole population at a time."""

from __future__ import annotations

from .activations import ACTIVATIONS, Activation, get_activation
from .extend import (
    register_activation,
    register_initializer,
    register_loss,
    register_optimizer,
    register_task,
)
from .initializers import INITIALIZERS, get_initializer
from .losses import LOSSES, OUTPUT_ACTIVATIONS, get_loss
from .network import Network
from .optimizers import OPTIMIZERS, get_optimizer
from .population import Architecture, Population
from .rules import RULES, ConfigError, Rule, applies, check, hyper_defaults, hyper_names
from .stop import STOP_CRITERIA, StopCriteria
from .tasks import Dataset, get_task, parse_task
from .train import RunRecord, log_epochs

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "OPTIMIZERS",
    "OUTPUT_ACTIVATIONS",
    "RULES",
    "STOP_CRITERIA",
    "Activation",
    "Architecture",
    "ConfigError",
    "Dataset",
    "Network",
    "Population",
    "Rule",
    "RunRecord",
    "StopCriteria",
    "applies",
    "check",
    "get_activation",
    "get_initializer",
    "get_loss",
    "get_optimizer",
    "get_task",
    "hyper_defaults",
    "hyper_names",
    "log_epochs",
    "parse_task",
    "register_activation",
    "register_initializer",
    "register_loss",
    "register_optimizer",
    "register_task",
]
