"""Limits checked before any work starts: where results go, and what fits in memory.

Each failure is one line of the spec rules (a ConfigError, exit 2): better than
a MemoryError after minutes, or results written somewhere odd.
"""

from __future__ import annotations

import os
from itertools import accumulate
from pathlib import Path

from nncore import ConfigError
from sweeps.config.params import parse_hidden
from sweeps.config.spec import SweepSpec

# Arrays of a population's size a training step holds at once (weights, gradients,
# optimiser state, a copy for the best): a generous count, to refuse the absurd only.
ARRAYS_PER_WEIGHT = 6


def check_out(out: str | os.PathLike, create: bool = True) -> Path:
    """``out`` if it is a directory or absent (and creatable), else one line; with
    ``create``, an absent ``out`` is made here (so that a failure is bad input)."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"out={str(path)!r} is not a directory; allowed: a directory, or a path to create"
        )
    if not path.exists():
        parent = next((p for p in path.absolute().parents if p.exists()), Path("/"))
        if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            raise ConfigError(
                f"out={str(path)!r} cannot be created: {str(parent)!r} is not a writable "
                "directory; allowed: a directory, or a path to create"
            )
        if create:
            try:
                path.mkdir(parents=True)
            except OSError as e:
                raise ConfigError(
                    f"out={str(path)!r} cannot be created ({e.strerror}); allowed: a "
                    "directory, or a path to create"
                ) from None
    return path


def available_memory() -> int | None:
    """Bytes of memory available now (MemAvailable), or None when unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def population_bytes(spec: SweepSpec) -> int:
    """float64 bytes of the largest population: its weights x the chunk size (0 for a
    trainer sweep: the user's code holds its own networks)."""
    largest = 0
    if spec.trainer:
        return 0
    try:
        values = spec.candidates("hidden")
    except StopIteration:  # sampled, and not among the dimensions
        values = ()
    shortcut = True in spec.params.get("shortcut", ())  # (sampled: a choice, rarely)
    for hidden in values:
        widths = [1, *parse_hidden("hidden", str(hidden)), 1]
        # With shortcuts a layer's fan-in is every width before it, not the previous one.
        fan_ins = list(accumulate(widths[:-1])) if shortcut else widths[:-1]
        largest = max(largest, sum((a + 1) * b for a, b in zip(fan_ins, widths[1:], strict=True)))
    return largest * spec.chunk_size * 8 * ARRAYS_PER_WEIGHT


def check_resources(spec: SweepSpec) -> None:
    """Refuse a sweep whose largest population cannot fit in the memory available."""
    need, have = population_bytes(spec), available_memory()
    if have is not None and need > have:
        raise ConfigError(
            f"hidden: the largest population needs about {need / 2**30:,.1f} GiB "
            f"(layer sizes x chunk_size={spec.chunk_size} x float64) and "
            f"{have / 2**30:,.1f} GiB is available; allowed: smaller layers or chunk_size"
        )
