"""Dispatch order: one chunk of each population first, then the longest expected."""

from __future__ import annotations

import numpy as np

from sweeps.config.grid import Chunk
from sweeps.execute.schedule import LongestFirst


def _chunk(name: str, population: int, size: int = 10) -> Chunk:
    return Chunk(name, np.arange(size), population)


def test_scouts_first_then_the_longest_population_first():
    plan = [_chunk(f"p{p}c{i}", p) for p in range(3) for i in range(3)]
    order = LongestFirst(plan)
    it = iter(order)
    scouts = [next(it).chunk_id for _ in range(3)]
    assert scouts == ["p0c0", "p1c0", "p2c0"]
    order.done("p0c0", 1.0, 10)  # 0.1 s per run
    order.done("p2c0", 5.0, 10)  # 0.5 s per run; p1 not measured yet: it ranks first
    assert next(it).chunk_id == "p1c1"
    order.done("p1c0", 3.0, 10)
    assert [c.chunk_id for c in it] == ["p2c1", "p2c2", "p1c2", "p0c1", "p0c2"]


def test_size_counts_too_and_every_chunk_comes_once():
    plan = [_chunk("a0", 0, 10), _chunk("a1", 0, 2), _chunk("a2", 0, 30), _chunk("b0", 1, 5)]
    order = LongestFirst(plan)
    it = iter(order)
    assert [next(it).chunk_id for _ in range(2)] == ["a0", "b0"]
    order.done("a0", 1.0, 10)
    order.done("b0", 1.0, 5)
    assert [c.chunk_id for c in it] == ["a2", "a1"]
    assert sorted(c.chunk_id for c in LongestFirst(plan)) == ["a0", "a1", "a2", "b0"]
