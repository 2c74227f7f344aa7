"""One network: a population of size 1 with a friendlier, unstacked interface."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .population import Population
from .rules import RULES, ConfigError
from .train import RunRecord

__all__ = ["Network"]

Array = NDArray[np.float64]


class Network:
    """A multilayer perceptron trained with the same code path as a Population.

    ``weights[l]`` is ``(fan_in, fan_out)`` and ``biases[l]`` is ``(fan_out,)``; both are
    views into the underlying population, so assigning into them (or replacing the
    lists) changes the network. With ``shortcut=True`` every layer also sees the inputs
    and all earlier layers' outputs, and ``weights[l]`` has ``sizes[0] + ... + sizes[l]``
    rows (see :mod:`nncore.architecture`).

    Example
    -------
    >>> import numpy as np
    >>> from nncore import Network, get_task
    >>> data = get_task("or")
    >>> net = Network([2, 6, 1], activation="tanh", init_scale=0.5, seed=0)
    >>> net.fit(data.X, data.Y, lr=2.0, max_epochs=5000, stop={"max_error_below": 0.1}).status
    'converged'
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "sigmoid",
        loss: str = "mse",
        init: str = "normal",
        init_scale: float = 1.0,
        seed: int = 0,
        shortcut: bool = False,
    ) -> None:
        self._pop = Population(
            sizes,
            activation=activation,
            output_activation=output_activation,
            loss=loss,
            init=init,
            init_scale=init_scale,
            seeds=[seed],
            shortcut=shortcut,
        )

    @classmethod
    def of(cls, pop: Population, k: int) -> Network:
        """A copy of member ``k`` of ``pop`` as a standalone Network."""
        a = pop.arch
        net = cls(
            list(a.sizes),
            a.activation,
            a.output_activation,
            a.loss,
            seed=pop.seeds[k],
            shortcut=a.shortcut,
        )
        net.weights = [w[k] for w in pop.weights]
        net.biases = [b[k, 0] for b in pop.biases]
        return net

    @property
    def sizes(self) -> list[int]:
        return list(self._pop.arch.sizes)

    @property
    def weights(self) -> list[Array]:
        return [w[0] for w in self._pop.weights]

    @weights.setter
    def weights(self, values: Sequence[ArrayLike]) -> None:
        self._assign("weights", self._pop.weights, values, lambda a: a[0])

    @property
    def biases(self) -> list[Array]:
        return [b[0, 0] for b in self._pop.biases]

    @biases.setter
    def biases(self, values: Sequence[ArrayLike]) -> None:
        self._assign("biases", self._pop.biases, values, lambda a: a[0, 0])

    @staticmethod
    def _assign(name, targets, values, view) -> None:
        values = list(values)
        if len(values) != len(targets):
            raise ConfigError(f"{name} needs {len(targets)} arrays, got {len(values)}")
        for l, (t, v) in enumerate(zip(targets, values, strict=True)):
            v = np.asarray(v, dtype=np.float64)
            if v.shape != view(t).shape:
                raise ConfigError(f"{name}[{l}] has shape {v.shape}; expected {view(t).shape}")
            view(t)[...] = v

    def forward(self, X: ArrayLike) -> Array:
        """Outputs ``(n_samples, n_out)`` for inputs ``X`` ``(n_samples, n_in)``."""
        return self._pop.forward(X)[0]

    def loss_and_gradients(
        self, X: ArrayLike, Y: ArrayLike
    ) -> tuple[float, list[Array], list[Array]]:
        """The loss and its exact gradients, shaped like ``weights`` and ``biases``."""
        loss, dws, dbs = self._pop.loss_and_gradients(X, Y)
        return float(loss[0]), [d[0] for d in dws], [d[0, 0] for d in dbs]

    def fit(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        optimizer: str = "gd",
        lr: float | None = None,
        max_epochs: int = RULES["max_epochs"].default,
        stop: Mapping[str, float | bool] | None = None,
        batch_size: int | None = None,
        diagnostics: bool = False,
        **hyper: float,
    ) -> RunRecord:
        """Train in place; return the run's record (see :meth:`Population.fit`).

        ``lr=None`` takes the optimiser's own default from the rulebook (0.5 for gd,
        0.001 for adam ...), as :meth:`Population.fit` does.
        """
        if lr is not None:
            hyper["lr"] = lr
        return self._pop.fit(
            X,
            Y,
            optimizer=optimizer,
            max_epochs=max_epochs,
            stop=stop,
            batch_size=batch_size,
            diagnostics=diagnostics,
            **hyper,
        )[0]

    def __repr__(self) -> str:
        a = self._pop.arch
        wiring = ", shortcut=True" if a.shortcut else ""
        return (
            f"Network({list(a.sizes)}, activation={a.activation!r}, "
            f"output_activation={a.output_activation!r}, loss={a.loss!r}{wiring})"
        )
