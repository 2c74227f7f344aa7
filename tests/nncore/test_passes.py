"""The forward and backward passes on stacked parameters, in both memory layouts."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import Population, _dense, get_task
from nncore._passes import backward_pass, forward_pass, logical, member_rng


def test_member_rng_depends_on_seed_and_stream_only():
    a, b = member_rng(7, 0).random(3), member_rng(7, 0).random(3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, member_rng(7, 1).random(3))
    assert not np.array_equal(a, member_rng(8, 0).random(3))


@pytest.mark.parametrize("member_last", [True, False])
@pytest.mark.parametrize("sizes", [[2, 3, 1], [2, 5, 4, 1]])
def test_both_layouts_give_the_population_outputs_and_gradients(member_last, sizes):
    data = get_task("xor")
    pop = Population(sizes, init_scale=0.7, seeds=[1, 2, 3])
    layout = _dense.Layout(member_last)
    ws = [layout.adopt(w) for w in pop.weights]
    bs = [layout.adopt(b) for b in pop.biases]
    work = _dense.Scratch(layout)
    acts, zs = forward_pass(pop.arch, data.X, ws, bs, work)
    np.testing.assert_allclose(acts[-1], pop.forward(data.X), rtol=1e-12)
    loss, delta = pop.arch.loss_fn.value_and_delta(zs[-1], acts[-1], data.Y, pop.arch.output_fn)
    dws, _ = backward_pass(pop.arch, acts, zs, delta, ws, work)
    _, want, _ = pop.loss_and_gradients(data.X, data.Y)
    for got, w in zip(dws, want, strict=True):
        np.testing.assert_allclose(_dense.members_first(got), w, rtol=1e-10, atol=1e-15)


def test_logical_copies_the_parameters():
    pop = Population([2, 3, 1], seeds=[0, 1])
    ws, bs, work = logical(pop.arch, pop.weights, pop.biases, batch=4)
    assert [w.shape for w in ws] == [(2, 3, 2), (3, 1, 2)]
    ws[0][...] = 0.0
    assert np.abs(pop.weights[0]).sum() > 0 and work.layout == _dense.choose_layout((2, 3, 1), 4)
