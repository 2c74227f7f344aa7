"""A plugin: the hard tanh activation clip(z, -1, 1), for examples/plugin-activation.toml."""

import numpy as np

import nncore

nncore.register_activation(
    "hardtanh",
    lambda z: np.clip(z, -1.0, 1.0),  # forward(z), element by element
    lambda z: (np.abs(z) < 1.0).astype(np.float64),  # derivative(z) = f'(z)
    low=-1.0,  # the output's range
    high=1.0,
)
