"""A stop criterion at exactly its threshold is not met: "below" means strictly below."""

from __future__ import annotations

import numpy as np

from nncore import Population, StopCriteria

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def test_max_error_equal_to_the_tolerance_is_not_met():
    # Outputs 0.25 and 0.75 against targets 0 and 1: the max error is 0.25 exactly.
    out = np.where(Y == 0.0, 0.25, 0.75)[None]
    loss = np.array([0.03125])
    assert np.abs(out - Y).max() == 0.25
    assert not StopCriteria(max_error_below=0.25).met(out, Y, loss)[0]
    assert StopCriteria(max_error_below=np.nextafter(0.25, 1.0)).met(out, Y, loss)[0]


def test_loss_equal_to_the_threshold_is_not_met():
    out = np.where(Y == 0.0, 0.25, 0.75)[None]
    loss = np.array([0.03125])
    assert not StopCriteria(loss_below=0.03125).met(out, Y, loss)[0]
    assert StopCriteria(loss_below=np.nextafter(0.03125, 1.0)).met(out, Y, loss)[0]


def test_a_trained_network_at_exactly_the_tolerance_has_not_converged():
    # Zero weights: every output is sigmoid(0) = 0.5, so the max error is 0.5 exactly
    # and the loss (half the mean square) 0.125 exactly, at every epoch: the gradient
    # of the output layer's weights is zero, and that of its bias too, by symmetry.
    for stop, edge in (("max_error_below", 0.5), ("loss_below", 0.125)):
        at = Population([2, 1], activation="tanh", init_scale=0.0, seeds=[0])
        rec = at.fit(X, Y, max_epochs=3, lr=1.0, stop={stop: edge})[0]
        assert rec.status == "censored" and rec.epochs_to_threshold is None
        above = Population([2, 1], activation="tanh", init_scale=0.0, seeds=[0])
        rec = above.fit(X, Y, max_epochs=3, lr=1.0, stop={stop: np.nextafter(edge, 1.0)})[0]
        assert rec.status == "converged" and rec.epochs_to_threshold == 0
