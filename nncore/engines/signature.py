"""What the last bits of a run depend on, beyond the spec and the seeds.

The ``numpy`` engine's arithmetic goes through NumPy's ufuncs, which pick SIMD kernels
for the CPU at import (on an AVX-512 machine float64 ``exp`` and ``tanh`` are NumPy's own,
elsewhere the C library's), and through OpenBLAS, whose kernels are chosen per CPU family.
So its runs are bit-identical only between machines with the same signature; a
regression gate can ask for bit-identity (``nnsweep check --exact``) only then. The
``compiled`` engine calls no libm and no BLAS and contracts no FMA: its bits are the same
on any x86-64 machine, and its signature names the engine alone.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

__all__ = ["bits_signature", "signature_differences"]


def bits_signature(engine: str) -> dict[str, str]:
    """The facts a run's last bits depend on for ``engine`` (JSON-ready strings)."""
    if engine == "compiled":
        return {"engine": "compiled"}
    return {
        "engine": engine,
        "numpy": np.__version__,
        "simd": ",".join(_numpy_simd()),
        "blas": _blas_core(),
    }


def signature_differences(recorded: dict[str, str], now: dict[str, str]) -> list[str]:
    """``["simd: X86_V3 here, X86_V3,X86_V4 in the baseline", ...]``; empty when equal."""
    keys = sorted(set(recorded) | set(now))
    return [
        f"{k}: {now.get(k, '-') or '-'} here, {recorded.get(k, '-') or '-'} when recorded"
        for k in keys
        if recorded.get(k) != now.get(k)
    ]


def _numpy_simd() -> list[str]:
    """The SIMD targets NumPy dispatches to on this CPU (beyond its build's baseline)."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # an older NumPy layout
        try:
            from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
        except ImportError:
            return ["unknown"]
    return [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]


def _blas_core() -> str:
    """OpenBLAS's kernel family for this CPU ("Haswell", "SkylakeX" ...), or "unknown"."""
    here = os.path.dirname(np.__file__)
    for lib in sorted(glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*"))):
        try:
            blas = ctypes.CDLL(lib)
        except OSError:
            continue
        for name in ("scipy_openblas_get_corename64_", "openblas_get_corename64_",
                     "openblas_get_corename"):  # fmt: skip
            fn = getattr(blas, name, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                return fn().decode()
    return "unknown"
