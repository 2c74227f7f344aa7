"""Activation functions and their derivatives, keyed by name.

Each entry holds ``forward(z, out)`` and ``derivative(z, a, out)``. Derivatives are
written in terms of the output ``a`` where the function allows it (so the
pre-activation ``z`` can be overwritten in place); ``needs_z`` marks the ones
that also need ``z``. Every function is finite and silent for finite inputs of
any size (sigmoid at -1000 is exactly 0). Callers still run them inside
``np.errstate(all="ignore")`` because a diverging network feeds them inf and NaN;
it is detected from its loss, not from warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from .rules import lookup

__all__ = ["ACTIVATIONS", "Activation", "get_activation"]

Array = NDArray[np.float64]

LECUN_A = 1.7159
LECUN_B = 2.0 / 3.0
LEAKY_SLOPE = 0.01
# max_z z*sigmoid(z)' = s(1 + z(1 - s)), reached at z = 2.39936 (scipy minimize_scalar).
SILU_MAX_DERIVATIVE = 1.0998393201288672


@dataclass(frozen=True)
class Activation:
    """An activation: ``forward(z, out)`` and ``derivative(z, a, out)``; ``out`` may alias."""

    name: str
    forward: Callable[[Array, Array], Array]
    derivative: Callable[[Array, Array, Array], Array]
    needs_z: bool = False
    low: float = -np.inf  # range of the output, used to place targets and thresholds
    high: float = np.inf
    max_derivative: float = 1.0  # the largest f'(z): a unit below 5% of it is saturated

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _sigmoid(z: Array, out: Array) -> Array:
    # expit never overflows (exact 0 and 1 in the limits, no warning even outside an
    # errstate) and is one ufunc call, cheaper than four for small populations.
    return expit(z, out=out)


def _sigmoid_d(z: Array, a: Array, out: Array) -> Array:
    np.subtract(1.0, a, out=out)
    return np.multiply(out, a, out=out)


def _tanh(z: Array, out: Array) -> Array:
    # np.tanh costs ~14 ns per float64 element on AVX2 (no SIMD path), exp ~5 ns, so this
    # is twice as fast. It is within 3.4e-16 of tanh (absolute) and exact in the limits:
    # e^(-2z) = inf gives -1, e^(-2z) = 0 gives 1.
    with np.errstate(over="ignore", under="ignore"):
        np.multiply(z, -2.0, out=out)
        np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0
    return out


def _tanh_d(z: Array, a: Array, out: Array) -> Array:
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def _relu(z: Array, out: Array) -> Array:
    return np.maximum(z, 0.0, out=out)


def _relu_d(z: Array, a: Array, out: Array) -> Array:
    return np.greater(a, 0.0, out=out, casting="unsafe")


def _leaky(z: Array, out: Array) -> Array:
    # max(z, s*z) is z for z >= 0 and s*z below, for 0 < s < 1.
    return np.maximum(z, LEAKY_SLOPE * z, out=out)


def _leaky_d(z: Array, a: Array, out: Array) -> Array:
    np.greater(a, 0.0, out=out, casting="unsafe")
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _elu(z: Array, out: Array) -> Array:
    # expm1(min(z, 0)) is 0 for z > 0, so max(z, 0) + expm1(min(z, 0)) is elu(z).
    neg = np.expm1(np.minimum(z, 0.0))
    np.maximum(z, 0.0, out=out)
    out += neg
    return out


def _elu_d(z: Array, a: Array, out: Array) -> Array:
    # d/dz = 1 for z > 0, exp(z) = a + 1 below.
    pos = a > 0.0
    np.add(a, 1.0, out=out)
    out[pos] = 1.0
    return out


def _softplus(z: Array, out: Array) -> Array:
    return np.logaddexp(0.0, z, out=out)


def _softplus_d(z: Array, a: Array, out: Array) -> Array:
    # d/dz log(1+e^z) = sigmoid(z) = 1 - exp(-a), exact in terms of the output.
    np.negative(a, out=out)
    np.expm1(out, out=out)
    return np.negative(out, out=out)


def _softsign(z: Array, out: Array) -> Array:
    d = np.abs(z)
    d += 1.0
    return np.divide(z, d, out=out)


def _softsign_d(z: Array, a: Array, out: Array) -> Array:
    # 1/(1+|z|)^2 = (1-|a|)^2
    np.abs(a, out=out)
    np.subtract(1.0, out, out=out)
    return np.multiply(out, out, out=out)


def _identity(z: Array, out: Array) -> Array:
    if out is not z:
        np.copyto(out, z)
    return out


def _identity_d(z: Array, a: Array, out: Array) -> Array:
    out.fill(1.0)
    return out


def _lecun_tanh(z: Array, out: Array) -> Array:
    np.multiply(z, LECUN_B, out=out)
    np.tanh(out, out=out)
    return np.multiply(out, LECUN_A, out=out)


def _lecun_tanh_d(z: Array, a: Array, out: Array) -> Array:
    # a = A tanh(Bz)  =>  da/dz = A B (1 - (a/A)^2) = B (A - a^2/A)
    np.multiply(a, a, out=out)
    out *= -LECUN_B / LECUN_A
    out += LECUN_A * LECUN_B
    return out


def _silu(z: Array, out: Array) -> Array:
    s = _sigmoid(z, np.empty_like(z))
    return np.multiply(z, s, out=out)


def _silu_d(z: Array, a: Array, out: Array) -> Array:
    # s + z s (1 - s) = s (1 + z (1 - s))
    s = _sigmoid(z, np.empty_like(z))
    np.subtract(1.0, s, out=out)
    out *= z
    out += 1.0
    return np.multiply(out, s, out=out)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("sigmoid", _sigmoid, _sigmoid_d, low=0.0, high=1.0, max_derivative=0.25),
        Activation("tanh", _tanh, _tanh_d, low=-1.0, high=1.0),
        Activation("relu", _relu, _relu_d, low=0.0),
        Activation("leaky_relu", _leaky, _leaky_d),
        Activation("elu", _elu, _elu_d, low=-1.0),
        Activation("softplus", _softplus, _softplus_d, low=0.0),
        Activation("softsign", _softsign, _softsign_d, low=-1.0, high=1.0),
        Activation("identity", _identity, _identity_d),
        Activation(
            "lecun_tanh",
            _lecun_tanh,
            _lecun_tanh_d,
            low=-LECUN_A,
            high=LECUN_A,
            max_derivative=LECUN_A * LECUN_B,
        ),
        Activation(
            "silu", _silu, _silu_d, needs_z=True, low=-0.2785, max_derivative=SILU_MAX_DERIVATIVE
        ),
    ]
}


def get_activation(name: str, field: str = "activation") -> Activation:
    """Return the registered activation ``name`` (one-line error when unknown)."""
    return lookup(ACTIVATIONS, field, name)
