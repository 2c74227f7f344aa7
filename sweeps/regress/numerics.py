"""Whether a baseline's bits can be reproduced here: its numerics signature against ours.

A baseline records the numerics signature of the machine that recorded it
(:func:`nncore.engines.signature.bits_signature`). A check on a machine with the same
signature compares every run to the bit; elsewhere the runs' last bits differ for no
fault of the code, and :data:`~sweeps.regress.exact.ACROSS_MACHINES` is the tolerance
(see :mod:`sweeps.regress.exact`).
"""

from __future__ import annotations

from typing import Any

from nncore.engines.signature import bits_signature, signature_differences

from .exact import ACROSS_MACHINES

__all__ = ["KEY", "here", "tolerance"]

KEY = "numerics"  # the baseline side file's key for the recording machine's signature


def here(engine: str = "numpy") -> dict[str, str]:
    """This machine's numerics signature for ``engine``."""
    return bits_signature(engine)


def tolerance(meta: dict[str, Any], engine: str = "numpy") -> tuple[float, str]:
    """``(rtol, why)`` for comparing runs here with a baseline recorded under ``meta``:
    ``(0.0, "")`` when the signatures agree, else the tolerance and one line saying why."""
    recorded = meta.get(KEY)
    if not isinstance(recorded, dict):
        return ACROSS_MACHINES, (
            "the baseline does not say which numerics recorded it (recorded before "
            f"signatures): final losses compared to {ACROSS_MACHINES:g} relative"
        )
    differences = signature_differences(recorded, here(engine))
    if not differences:
        return 0.0, ""
    return ACROSS_MACHINES, (
        "this machine's numerics differ from the baseline's ("
        + "; ".join(differences)
        + f"), so the last bits cannot match: final losses compared to {ACROSS_MACHINES:g} "
        "relative, status and epochs exactly"
    )
