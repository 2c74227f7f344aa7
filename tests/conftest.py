"""Shared test helpers: a seeded generator, a tiny task and plain reference formulas.

The reference formulas are written straight from their textbook definitions, with
no in-place tricks and no shared code with nncore, so nncore's optimised versions
are checked against something independent. They are only meant for moderate
inputs (|z| < 30), where the naive formulas are accurate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace

import numpy as np
import pytest

from nncore import LOSSES, OUTPUT_ACTIVATIONS, ConfigError, Dataset, get_loss, get_task

Array = np.ndarray

REF_ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0.0)) - 1.0),
    "softplus": lambda z: np.log(1.0 + np.exp(z)),
    "softsign": lambda z: z / (1.0 + np.abs(z)),
    "identity": lambda z: z,
    "lecun_tanh": lambda z: 1.7159 * np.tanh(2.0 * z / 3.0),
    "silu": lambda z: z / (1.0 + np.exp(-z)),
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True),
}

# Loss per network from outputs a (..., B, o) and targets y (B, o): mean over samples.
REF_LOSSES: dict[str, Callable[[Array, Array], Array]] = {
    "mse": lambda a, y: 0.5 * np.mean((a - y) ** 2, axis=(-2, -1)),
    "bce": lambda a, y: -np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a), axis=(-2, -1)),
    "ce": lambda a, y: -np.mean(np.sum(y * np.log(a), axis=-1), axis=-1),
}


def valid_loss_outputs() -> list[tuple[str, str]]:
    """Every (loss, output activation) pair the registries accept."""
    pairs = []
    for loss in LOSSES:
        for out in OUTPUT_ACTIVATIONS:
            try:
                get_loss(loss).check_output(out)
            except ConfigError:
                continue
            pairs.append((loss, out))
    return pairs


def ref_forward(
    weights: Sequence[Array],
    biases: Sequence[Array],
    X: Array,
    activation: str,
    output: str,
    shortcut: bool = False,
) -> Array:
    """Outputs ``(..., B, o)``: ``a = f(a @ W + b)`` layer by layer.

    ``weights[l]`` is ``(..., i, o)`` and ``biases[l]`` ``(..., o)``; leading axes stack
    several networks (used to evaluate many perturbed copies at once). With ``shortcut``
    a layer's input is the inputs and every earlier layer's output, concatenated in that
    order.
    """
    a = np.asarray(X, dtype=np.float64)
    seen = a
    for l, (w, b) in enumerate(zip(weights, biases, strict=True)):
        name = output if l == len(weights) - 1 else activation
        a = REF_ACTIVATIONS[name]((seen if shortcut else a) @ w + b[..., None, :])
        if shortcut:  # the shared inputs broadcast against a stack of networks
            seen = np.concatenate([np.broadcast_to(seen, (*a.shape[:-1], seen.shape[-1])), a], -1)
    return a


def ref_loss(
    weights, biases, X, Y, activation: str, output: str, loss: str, shortcut: bool = False
) -> Array:
    """The loss of one network (or of a stack of them), from the reference formulas."""
    return REF_LOSSES[loss](ref_forward(weights, biases, X, activation, output, shortcut), Y)


def targets(loss: str, rng: np.random.Generator, n: int, n_out: int) -> Array:
    """Targets a loss accepts: one-hot rows for ce, 0/1 for bce, anything in [0, 1] for mse."""
    if loss == "ce":
        return np.eye(n_out)[rng.integers(0, n_out, n)]
    if loss == "bce":
        return rng.integers(0, 2, (n, n_out)).astype(np.float64)
    return rng.uniform(0.0, 1.0, (n, n_out))


def numeric_gradient(
    f: Callable[[list[Array]], Array], params: Sequence[Array], h: float = 1e-6
) -> list[Array]:
    """Central differences of ``f`` with respect to every entry of ``params``.

    ``f`` takes the parameters stacked on a new first axis of length 2P (P entries in
    all) and returns one loss per copy; copy 2j has entry j raised by ``h``, copy
    2j+1 lowered, so the whole gradient costs one stacked call.
    """
    sizes = [p.size for p in params]
    n = sum(sizes)
    stacks = [np.repeat(np.asarray(p, dtype=np.float64)[None], 2 * n, axis=0) for p in params]
    j = 0
    for stack, size in zip(stacks, sizes, strict=True):
        flat = stack.reshape(2 * n, size)
        for i in range(size):
            flat[2 * (j + i), i] += h
            flat[2 * (j + i) + 1, i] -= h
        j += size
    losses = np.asarray(f(stacks))
    # The step actually taken after rounding: copies 2j and 2j+1 differ in entry j only.
    step = sum((s[0::2] - s[1::2]).reshape(n, -1).sum(axis=1) for s in stacks)
    grad = (losses[0::2] - losses[1::2]) / step
    return [
        g.reshape(p.shape)
        for g, p in zip(np.split(grad, np.cumsum(sizes)[:-1]), params, strict=True)
    ]


def rel_error(a: Sequence[Array], b: Sequence[Array]) -> float:
    """``|a - b| / max(|a|, |b|)`` in the 2-norm over all arrays of a gradient."""
    fa = np.concatenate([np.ravel(x) for x in a])
    fb = np.concatenate([np.ravel(x) for x in b])
    scale = max(np.linalg.norm(fa), np.linalg.norm(fb), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(fa - fb) / scale)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed, so every test sees the same numbers."""
    return np.random.default_rng(20240611)


@pytest.fixture
def xor() -> Dataset:
    """The four XOR patterns, the smallest task that needs a hidden layer."""
    return get_task("xor")


@pytest.fixture
def fresh_plugins():
    """Every plugin a test loads is unloaded after it (its parts unregistered), so no
    test sees another's parts."""
    from sweeps.config import plugins

    before = set(plugins.loaded())
    yield
    for p in set(plugins.loaded()) - before:
        plugins.unload(p)


@pytest.fixture(scope="session")
def ref() -> SimpleNamespace:
    """The reference formulas and gradient-check helpers above, for test modules."""
    return SimpleNamespace(
        activations=REF_ACTIVATIONS,
        losses=REF_LOSSES,
        forward=ref_forward,
        loss=ref_loss,
        targets=targets,
        numeric_gradient=numeric_gradient,
        rel_error=rel_error,
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Parametrising from the registries means a new loss or output gets tested at once.
    if "loss_output" in metafunc.fixturenames:
        pairs = valid_loss_outputs()
        metafunc.parametrize("loss_output", pairs, ids=[f"{l}-{o}" for l, o in pairs])
