"""The order chunks are handed to workers: the longest first, as far as is known.

A sweep ends when its last chunk does; if that chunk is a long one, the other
workers idle until it finishes. Handing out the longest work first (LPT
scheduling) leaves short chunks for the end. A chunk's length is not known before
it runs, but the chunks of one population are alike, so the first chunk of each
population is measured and its siblings are ranked by it. The order changes no
result: every chunk's numbers are the same whenever and wherever it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from sweeps.config.grid import Chunk

__all__ = ["LongestFirst"]


class LongestFirst:
    """Chunks in dispatch order; tell it how long each took with ``done``.

    First one chunk of every population (in plan order), so that each is measured
    early; then the rest, the chunk with the longest expected time first, where a
    chunk's expected time is its size times its population's seconds per run. A
    population not measured yet ranks first: better to learn early that it is long.
    Safe to iterate in one thread (joblib's dispatcher) and report in another.
    """

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        self._scouts: list[Chunk] = []
        self._rest: list[Chunk] = []
        seen: set[int] = set()
        for c in chunks:
            (self._rest if c.population in seen else self._scouts).append(c)
            seen.add(c.population)
        self._per_run: dict[int, float] = {}
        self._population = {c.chunk_id: c.population for c in [*self._scouts, *self._rest]}
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Chunk]:
        yield from self._scouts
        while True:
            with self._lock:
                if not self._rest:
                    return
                best = max(range(len(self._rest)), key=lambda i: self._expected(self._rest[i]))
                chunk = self._rest.pop(best)
            yield chunk

    def done(self, chunk_id: str, seconds: float, runs: int) -> None:
        """Record that chunk ``chunk_id`` of ``runs`` runs trained in ``seconds``."""
        population = self._population.get(chunk_id)
        if population is not None and runs > 0:
            with self._lock:
                self._per_run.setdefault(population, seconds / runs)

    def _expected(self, chunk: Chunk) -> float:
        per_run = self._per_run.get(chunk.population, float("inf"))
        return per_run * len(chunk)
