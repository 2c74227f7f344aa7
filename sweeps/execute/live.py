"""Progress per run: workers note the runs that end, the parent polls and reports.

Runs end inside a chunk, in a worker process (loky or Dask) or in this one (-j 1).
nncore calls ``progress(n_ended, epoch)`` as members end (``Population.fit``); a
worker's :class:`ProgressFile` keeps a running count and writes it, at most a few
times a second, to a small file beside the chunk (``chunks/<id>.progress``: "ended
epochs-of-ended current-epoch"). The parent's :class:`Live` reads those files every
quarter second, adds them to the finished chunks' runs and reports.

The files are only a display: a chunk counts when its result arrives (its chunk files
remain the truth), its progress file is then dropped, and a message lost or left over
never loses nor duplicates a run. The count shown never goes down and ends at the
chunks' own count.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sweeps.results.files import write_bytes

__all__ = ["SUFFIX", "Live", "Progress", "ProgressFile", "clear_progress"]

SUFFIX = ".progress"
WRITE_EVERY_S = 0.2  # a worker's writes: about as often as the parent reads them


@dataclass
class Progress:
    """Counts reported as runs end: runs done (of total), converged, diverged, failed (a
    user trainer's runs only), and the seconds left (None until it can be told)."""

    done: int
    total: int
    converged: int
    diverged: int
    failed: int = 0
    eta_s: float | None = None


class ProgressFile:
    """In a worker: the ``progress`` callback of one chunk's training."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.ended = self.ended_epochs = self.epoch = 0
        self._last = -float("inf")

    def __call__(self, n_ended: int, epoch: int) -> None:
        self.ended += n_ended
        self.ended_epochs += n_ended * epoch
        self.epoch = epoch
        now = time.monotonic()
        if now - self._last >= WRITE_EVERY_S:
            self._last = now
            try:  # only a display: a failed write loses nothing
                text = f"{self.ended} {self.ended_epochs} {self.epoch}\n"
                write_bytes(self.path, text.encode(), root=self.path.parent.parent)
            except OSError:
                pass


def clear_progress(chunks: Path) -> None:
    """Remove the progress files left by an earlier, stopped sweep."""
    for p in _progress_files(chunks):
        p.unlink(missing_ok=True)


def _progress_files(chunks: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(chunks) if e.name.endswith(SUFFIX)]
    except OSError:
        return []


def _read(path: Path) -> tuple[int, int, int] | None:
    try:
        ended, epochs, epoch = (int(v) for v in path.read_text().split())
    except (OSError, ValueError):  # gone (the chunk ended) or not one of ours
        return None
    return ended, epochs, epoch


class Live:
    """In the parent: runs ended so far, from finished chunks and progress files.

    ``sizes`` maps each chunk still to run to its number of runs, ``budget`` gives each
    its max_epochs; ``counts`` holds the finished chunks' counts so far. ``report`` is
    called with a :class:`Progress` after each finished chunk and every ``interval``
    seconds in between (from a thread of its own: calls never overlap).
    """

    def __init__(
        self,
        counts: Progress,
        report: Callable[[Progress], None] | None,
        chunks: Path | None,
        sizes: Mapping[str, int],
        budget: Mapping[str, int],
        interval: float = 0.25,
    ) -> None:
        self.counts, self.report, self.chunks = counts, report, chunks
        self.pending = dict(sizes)
        self.budget = dict(budget)
        self.interval = interval
        self._epochs = self._ended = 0  # over the runs ended in finished chunks
        self._shown = counts.done
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = time.monotonic()

    def __enter__(self) -> Live:
        if self.report is not None and self.chunks is not None and self.pending:
            self._thread = threading.Thread(target=self._poll, name="nnsweep-bar", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.chunks is not None:  # a stopped sweep's notes of chunks it did not finish
            for cid in self.pending:
                (self.chunks / f"{cid}{SUFFIX}").unlink(missing_ok=True)

    def finished(self, chunk_id: str, status: Sequence[str], epochs_run: Sequence[int]) -> None:
        """Count a chunk whose result has arrived, and report."""
        with self._lock:
            status = list(status)
            c = self.counts
            c.done += len(status)
            c.converged += status.count("converged")
            c.diverged += status.count("diverged")
            c.failed += status.count("failed")
            self._ended += len(status)
            self._epochs += sum(int(e) for e in epochs_run)
            self.pending.pop(chunk_id, None)
            if self.chunks is not None:
                (self.chunks / f"{chunk_id}{SUFFIX}").unlink(missing_ok=True)
            self._emit()

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                self._emit()

    def _emit(self) -> None:
        if self.report is None:
            return
        inflight = self._inflight()
        ended = sum(min(ended, self.pending[c]) for c, (ended, _, _) in inflight.items())
        done = min(max(self._shown, self.counts.done + ended), self.counts.total)
        self._shown = done
        self.report(replace(self.counts, done=done, eta_s=self._eta(inflight)))

    def _inflight(self) -> dict[str, tuple[int, int, int]]:
        """The progress files of the chunks still pending: chunk id -> its counts."""
        if self.chunks is None:
            return {}
        out = {}
        for p in _progress_files(self.chunks):
            cid = p.name[: -len(SUFFIX)]
            if cid in self.pending and (got := _read(p)) is not None:
                out[cid] = got
        return out

    def _eta(self, inflight: Mapping[str, tuple[int, int, int]]) -> float | None:
        """Seconds left, by the cost model's unit, network-epochs: the work left at the
        rate of the work done so far. A run not started costs the mean epochs of the
        runs ended so far (before any has ended, its budget); one still training at
        epoch t, as long again or that mean, whichever is more; none more than its budget."""
        ended = self._ended + sum(e for e, _, _ in inflight.values())
        ended_epochs = self._epochs + sum(s for _, s, _ in inflight.values())
        done, left = float(self._epochs), 0.0
        for cid, size in self.pending.items():
            mean = ended_epochs / ended if ended else self.budget[cid]
            n_ended, epochs, epoch = inflight.get(cid, (0, 0, 0))
            live = max(size - n_ended, 0)
            done += epochs + live * epoch
            expected = max(mean, 2 * epoch) if epoch else mean
            left += live * max(min(expected, self.budget[cid]) - epoch, 0.0)
        elapsed = time.monotonic() - self._start
        if done <= 0 or elapsed <= 0:
            return None
        return elapsed * left / done
