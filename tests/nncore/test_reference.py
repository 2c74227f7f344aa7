"""The per-network loop used as the yardstick: it trains like nncore, run for run."""

from __future__ import annotations

import numpy as np

from nncore import Network, get_task
from nncore.reference import train_reference


def test_reference_run_matches_a_network_trained_by_nncore():
    data = get_task("xor")
    net = Network([2, 3, 1], init_scale=0.5, seed=4)
    ws, bs = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    ref = train_reference(ws, bs, data.X, data.Y, lr=2.0, max_epochs=800, max_error_below=0.1)
    rec = net.fit(data.X, data.Y, lr=2.0, max_epochs=800, stop={"max_error_below": 0.1})
    assert (ref.status, ref.epochs_run, ref.epochs_to_threshold) == (
        rec.status, rec.epochs_run, rec.epochs_to_threshold
    )  # fmt: skip
    for a, b in zip(ref.weights, net.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_reference_run_leaves_its_inputs_alone():
    data = get_task("or")
    net = Network([2, 3, 1], seed=0)
    ws = net.weights
    before = [w.copy() for w in ws]
    run = train_reference(ws, net.biases, data.X, data.Y, lr=1e3, max_epochs=20)
    for w, b in zip(ws, before, strict=True):
        np.testing.assert_array_equal(w, b)
    assert run.epochs_run <= 20 and run.status in ("censored", "diverged")
