"""The training loop: a whole population, full batch or mini-batch, no I/O.

Epoch ``t`` means "after t updates". Each epoch starts with a forward pass on the
whole training set; the stop criteria are judged on it, so ``epochs_to_threshold``
is the number of updates a member needed (0 if it met them at initialisation).
Members that converge or diverge leave the working arrays, so a population gets
cheaper as it finishes; their parameters are written back as they were then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _dense, rules
from ._holdout import measure_validation, validation_set
from ._passes import backward_pass, forward_pass, member_rng
from .architecture import Architecture
from .optimizers import get_optimizer
from .rules import ConfigError
from .stop import EXPLODED_LOSS, StopCriteria, accuracy, max_error

if TYPE_CHECKING:
    from .diagnostics import Diagnostics

__all__ = ["RunRecord", "log_epochs", "train"]

Array = NDArray[np.float64]
# observer(epoch, ids, outputs, pre_activations, weight_grads): see train().
Observer = Callable[[int, NDArray[np.intp], list[Array], list[Array | None], list[Array]], None]

# Drop finished members from the working arrays once they are this share of them.
COMPACT_SHARE = 0.1


def log_epochs(max_epochs: int) -> NDArray[np.int64]:
    """0, 1, 2, ..., 10, 20, ..., 100, 200, ... and max_epochs: the curve's epochs."""
    out, e, step = [], 0, 1
    while e <= max_epochs:
        out.append(e)
        if e >= 10 * step:
            step *= 10
        e += step
    if out[-1] != max_epochs:
        out.append(max_epochs)
    return np.array(out, dtype=np.int64)


@dataclass
class RunRecord:
    """How one member's training went; the loss curve is at log-spaced epochs."""

    status: str  # "converged" | "censored" | "diverged"
    epochs_to_threshold: int | None
    epochs_run: int
    final_loss: float
    best_loss: float
    max_error: float
    accuracy: float
    curve_epochs: NDArray[np.int64] = field(repr=False)
    curve_loss: Array = field(repr=False)
    # Per-layer metrics at the curve's epochs, when trained with diagnostics=True.
    diagnostics: Diagnostics | None = field(default=None, repr=False)
    # With a validation set: its loss at the curve's epochs, and the measures at the end.
    curve_val_loss: Array | None = field(default=None, repr=False)
    val_loss: float | None = None
    val_max_error: float | None = None
    val_accuracy: float | None = None
    # The engine that trained it (see nncore.engines).
    engine: str = "numpy"


class _Book:
    """Per-member bookkeeping across epochs, indexed by population position."""

    def __init__(self, n: int, max_epochs: int, validation: bool = False) -> None:
        self.grid = log_epochs(max_epochs)
        self.slot = {int(e): i for i, e in enumerate(self.grid)}
        self.curve = np.full((len(self.grid), n), np.nan)
        self.val_curve = np.full((len(self.grid), n), np.nan) if validation else None
        self.best = np.full(n, np.inf)
        self.records: list[RunRecord | None] = [None] * n

    def observe(self, t: int, ids: NDArray[np.intp], loss: Array) -> None:
        self.best[ids] = np.fmin(self.best[ids], loss)
        i = self.slot.get(t)
        if i is not None:
            self.curve[i, ids] = loss

    def finish(
        self, t: int, ks: NDArray[np.intp], status: list[str], loss: Array, err: Array, acc: Array
    ) -> None:
        """Record members ``ks`` (population indices) as finished at epoch ``t``."""
        upto = int(np.searchsorted(self.grid, t, side="right"))
        epochs, curves = self.grid[:upto], self.curve[:upto, ks]
        vals = None if self.val_curve is None else self.val_curve[:upto, ks]
        if epochs[-1] != t:
            epochs, curves = np.append(epochs, t), np.vstack([curves, loss])
            if vals is not None:  # the end's value is filled in by train()
                vals = np.vstack([vals, np.full(len(ks), np.nan)])
        best = self.best[ks]
        best = np.where(np.isfinite(best), best, np.nan)
        curves = np.ascontiguousarray(curves.T)  # one row per member
        # A diverged run's last loss (a finite 1e30, say) is no level to compare or average:
        # its final loss is recorded as inf, or NaN where the arithmetic gave NaN.
        blown = (np.asarray(status) == "diverged") & ~np.isnan(loss)
        final = np.where(blown, np.inf, loss)
        values = (ks.tolist(), status, final.tolist(), best.tolist(), err.tolist(), acc.tolist())
        for j, (k, s, lo, b, e, a) in enumerate(zip(*values, strict=True)):
            reached = t if s == "converged" else None
            self.records[k] = RunRecord(s, reached, t, lo, b, e, a, epochs.copy(), curves[j])
            if vals is not None:
                self.records[k].curve_val_loss = np.ascontiguousarray(vals[:, j])


class Members(Protocol):
    """What the trainer needs of a population (:class:`~nncore.population.Population`)."""

    arch: Architecture
    weights: list[Array]
    biases: list[Array]
    seeds: list[int]

    def __len__(self) -> int: ...


def train(
    pop: Members,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    optimizer: str,
    max_epochs: int,
    stop: Mapping[str, float | bool] | StopCriteria | None,
    batch_size: int | None,
    hyper: Mapping[str, float | Sequence[float]],
    observer: Observer | None = None,
    validation: tuple[ArrayLike, ArrayLike] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[RunRecord]:
    """Train ``pop`` in place (see :meth:`Population.fit`).

    ``observer``, if given, is called at each epoch of the loss curve's grid before that
    epoch's update, as ``observer(epoch, ids, outputs, pre, grads)``: ``ids`` are the
    population indices of the members still training, and the member-first arrays hold
    their values only: each layer's output ``(n, B, units)`` and pre-activation (None
    where the activation does without it) on the whole training set, and the gradient
    of the whole training set's loss for each layer's weights ``(n, fan_in, fan_out)``.
    It must not change what it is given; training goes on exactly as without it.

    ``validation``, if given, is a held-out ``(X_val, Y_val)``: never trained on, its loss
    is recorded at the curve's epochs (``curve_val_loss``) and its loss, max error and
    accuracy at each member's end (``val_loss`` ...). Training is unchanged by it.
    ``progress(n_ended, epoch)``, if given, is called at each epoch where members end.
    """
    # Aligned as well as contiguous: an array unpickled from a message buffer can start at
    # an odd address, and NumPy's loops over such memory round differently in the last bit.
    x = np.require(X, np.float64, ("C", "A"))
    y = np.require(Y, np.float64, ("C", "A"))
    arch = pop.arch
    if x.ndim != 2 or y.ndim != 2 or len(x) != len(y):
        raise ConfigError(f"X {x.shape} and Y {y.shape} must be (B, n_in) and (B, n_out)")
    if x.shape[1] != arch.sizes[0] or y.shape[1] != arch.sizes[-1]:
        raise ConfigError(f"sizes={list(arch.sizes)} do not fit X {x.shape} and Y {y.shape}")
    rules.check("max_epochs", max_epochs)
    crit = stop if isinstance(stop, StopCriteria) else StopCriteria.from_mapping(stop)
    opt_cls = get_optimizer(optimizer)
    hyper = rules.member_hyper(optimizer, hyper, len(pop))
    if batch_size is not None:
        rules.check("batch_size", batch_size)
        if batch_size == 0 or batch_size >= len(x):  # 0, as in a spec: full batch
            batch_size = None
    val = None if validation is None else validation_set(validation, arch)
    with np.errstate(all="ignore"):
        trainer = _Trainer(
            pop, x, y, opt_cls, hyper, crit, batch_size, max_epochs, observer, val
        )  # fmt: skip
        trainer.progress = progress  # called as members end
        records = trainer.run()
        if val is not None:
            measure_validation(pop, records, *val)
        return records


class _Trainer:
    """The epoch loop over the working (not yet finished) members.

    The parameters live in population-last copies stored in the layout that suits the
    layer sizes and batch size (see ``_dense``); the optimiser sees them through
    member-first views. A member's parameters are written back to the population when
    it finishes.
    """

    def __init__(
        self, pop, x, y, opt_cls, hyper, crit, batch_size, max_epochs, observer, val=None
    ) -> None:
        self.pop, self.x, self.y, self.crit = pop, x, y, crit
        self.batch_size, self.max_epochs = batch_size, max_epochs
        self.arch = pop.arch
        self.layout = _dense.choose_layout(
            self.arch.sizes, batch_size or len(x), self.arch.fan_ins
        )
        self.work = _dense.Scratch(self.layout)  # the epoch's arrays, reused every epoch
        self.ws = [self.layout.adopt(w) for w in pop.weights]
        self.bs = [self.layout.adopt(b) for b in pop.biases]
        self.params = [_dense.members_first(p) for p in self.ws + self.bs]
        self.ids = np.arange(len(pop))  # population index of each working row
        self.live = np.ones(len(pop), dtype=bool)  # working rows not yet finished
        self.opt = opt_cls(self.params, hyper)
        self.book = _Book(len(pop), max_epochs, validation=val is not None)
        self.orders = [_BatchOrder(s, len(x)) for s in pop.seeds] if batch_size else None
        self.observer = observer
        # The epochs the observer sees; without one, an empty dict: one lookup an epoch.
        self.watch = self.book.slot if observer is not None else {}
        self.val = val  # a held-out (X, Y), evaluated with scratch arrays of its own
        self.val_work = _dense.Scratch(self.layout) if val is not None else None
        self.progress: Callable[[int, int], None] | None = None

    def run(self) -> list[RunRecord]:
        for t in range(self.max_epochs + 1):
            acts, zs, loss, delta = self._evaluate(self.x, self.y)
            if self.val is not None and t in self.book.slot:
                self._observe_validation(t)
            self._judge(t, acts[-1], loss)
            if not self.live.any() or t == self.max_epochs:
                break
            compact = self.live.sum() <= (1.0 - COMPACT_SHARE) * len(self.live)
            if compact:
                self._compact()
            if self.batch_size is not None:
                if t in self.watch:
                    self._observe_full_batch(t)
                self._minibatch_epoch()
                continue
            if compact:  # recomputed for the members kept: the same numbers, fewer rows
                acts, zs, _, delta = self._evaluate(self.x, self.y)
            self._step(acts, zs, delta, t if t in self.watch else None)
        return self.book.records  # type: ignore[return-value]

    def _evaluate(self, x: Array, y: Array):
        """Forward pass, loss ``(N,)`` and output delta on inputs ``x`` and targets ``y``."""
        acts, zs = forward_pass(self.arch, x, self.ws, self.bs, self.work)
        loss, delta = self.arch.loss_fn.value_and_delta(zs[-1], acts[-1], y, self.arch.output_fn)
        return acts, zs, loss, delta

    def _observe_validation(self, t: int) -> None:
        """Record the working members' validation loss at curve epoch ``t``."""
        xv, yv = self.val
        acts, zs = forward_pass(self.arch, xv, self.ws, self.bs, self.val_work)
        loss, _ = self.arch.loss_fn.value_and_delta(zs[-1], acts[-1], yv, self.arch.output_fn)
        live = np.flatnonzero(self.live)
        self.book.val_curve[self.book.slot[t], self.ids[live]] = loss[live]

    def _judge(self, t: int, out: Array, loss: Array) -> None:
        """Record the epoch's losses; finish the members that converged or diverged."""
        live = np.flatnonzero(self.live)
        loss = loss[live]
        self.book.observe(t, self.ids[live], loss)
        if self.crit.empty:
            met = np.zeros(len(live), dtype=bool)
        else:
            met = self.crit.met(out[live], self.y, loss)
        bad = ~np.isfinite(loss) | (loss > EXPLODED_LOSS)
        done = bad | met | (t == self.max_epochs)
        if not done.any():
            return
        rows = live[done]
        status = np.where(bad[done], "diverged", np.where(met[done], "converged", "censored"))
        err, acc = max_error(out[rows], self.y), accuracy(out[rows], self.y)
        self.book.finish(t, self.ids[rows], status.tolist(), loss[done], err, acc)
        for w, pw in zip(self.params, self.pop.weights + self.pop.biases, strict=True):
            pw[self.ids[rows]] = w[rows]
        self.live[rows] = False
        if self.progress is not None:
            self.progress(len(rows), t)

    def _compact(self) -> None:
        keep = np.flatnonzero(self.live)
        self.ws = [self.layout.take(w, keep) for w in self.ws]
        self.bs = [self.layout.take(b, keep) for b in self.bs]
        self.params = [_dense.members_first(p) for p in self.ws + self.bs]
        self.opt.take(keep)
        self.ids, self.live = self.ids[keep], self.live[keep]

    def _step(self, acts, zs, delta, observe_at: int | None = None) -> None:
        dws, dbs = backward_pass(self.arch, acts, zs, delta, self.ws, self.work)
        if observe_at is not None:  # before the optimiser, which may overwrite the gradients
            self._observe(observe_at, acts, zs, dws)
        self.opt.step(self.params, [_dense.members_first(g) for g in dws + dbs])

    def _observe_full_batch(self, t: int) -> None:
        """Show the observer the whole training set's gradients (mini-batch training)."""
        acts, zs, _, delta = self._evaluate(self.x, self.y)
        dws, _ = backward_pass(self.arch, acts, zs, delta, self.ws, self.work)
        self._observe(t, acts, zs, dws)

    def _observe(self, t: int, acts, zs, dws) -> None:
        """Call the observer with member-first copies of the live rows' arrays."""
        rows = np.flatnonzero(self.live)
        first = _dense.members_first
        # Hidden layers are logical (B, units, N); the output layer is member-first already.
        outs = [first(a)[rows] for a in acts[1:-1]] + [acts[-1][rows]]
        pre = [None if z is None else first(z)[rows] for z in zs[:-1]] + [zs[-1][rows]]
        grads = [first(g)[rows] for g in dws]
        self.observer(t, self.ids[rows], outs, pre, grads)

    def _minibatch_epoch(self) -> None:
        perm = np.stack([self.orders[i].next() for i in self.ids])  # (n_work, B)
        for start in range(0, len(self.x), self.batch_size):
            idx = perm[:, start : start + self.batch_size]
            xb = self.layout.view(self.x[idx])  # each member's own batch, (b, n_in, N)
            acts, zs, _, delta = self._evaluate(xb, self.y[idx])
            self._step(acts, zs, delta)


class _BatchOrder:
    """A member's own sequence of epoch permutations, drawn in blocks to save calls."""

    BLOCK = 64

    def __init__(self, seed: int, n: int) -> None:
        self.rng, self.n, self.buf, self.i = member_rng(seed, 1), n, None, self.BLOCK

    def next(self) -> NDArray[np.intp]:
        if self.i == self.BLOCK:
            self.buf = np.argsort(self.rng.random((self.BLOCK, self.n)), axis=1)
            self.i = 0
        self.i += 1
        return self.buf[self.i - 1]
