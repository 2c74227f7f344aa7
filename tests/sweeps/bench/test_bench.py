"""nnsweep bench, its per-network yardstick, and the fast paths the bench times.

No timing is asserted here: speed is measured by ``nnsweep bench``. What is tested is
that the bench runs and reports sane figures, that the plain per-network loop it times
against trains exactly like nncore, and that the trainer's two memory layouts compute
the same numbers, a member's numbers not depending on its population.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from nncore import ACTIVATIONS, Network, Population, _dense, get_task
from nncore._passes import backward_pass, forward_pass
from nncore.reference import train_reference
from sweeps.bench.trainer import CASES
from sweeps.cli import main

# ---------------------------------------------------------------- the command


def test_quick_bench_prints_sane_json(capsys):
    assert main(["bench", "--quick", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in out["cases"]] == [c.name for c in CASES]
    assert [c["target_ratio"] for c in out["cases"]] == [55.0, 7.0]
    for c in out["cases"]:
        assert {"name", "population_rate", "loop_rate", "ratio", "target_ratio"} <= set(c)
        assert 0 < c["population_rate"] < 1e9 and 0 < c["loop_rate"] < 1e9
        assert c["ratio"] == pytest.approx(c["population_rate"] / c["loop_rate"])
        assert c["met"] == (c["ratio"] >= c["target_ratio"])
        assert c["n_networks"] > c["loop_networks"] >= 1
    assert out["quick"] is True
    assert "no network drops out" in out["stop"]


def test_sweep_bench_runs_real_sweeps_and_reports_the_best_of_each(monkeypatch):
    from sweeps.bench import sweep as sweepbench

    real, seen = sweepbench._one, []
    walls = iter([9.0, 5.0, 8.0, 6.0])  # -j1, -j2, -j1, -j2: the best are 8 and 5

    def one(spec, out, jobs):
        if not seen:  # one real sweep (a subprocess, -j 2); the others reuse its figures
            seen.append(real(spec, out, 2))
            r = seen[0]
            assert r["runs"] == sweepbench.CELLS and r["network_epochs"] > r["runs"]
            assert 0 < r["trainer_s"] < r["wall_s"] * 2 and r["peak_rss_mb"] > 10
        return {**seen[0], "jobs": jobs, "wall_s": next(walls)}

    monkeypatch.setattr(sweepbench, "_one", one)
    result = sweepbench.run_sweep_bench(runs=sweepbench.CELLS, repeat=2)
    j1, j2 = result["sweeps"]
    assert (j1["walls_s"], j2["walls_s"]) == ([9.0, 8.0], [5.0, 6.0])
    assert (j1["wall_s"], j2["wall_s"]) == (8.0, 5.0)
    assert j2["speedup"] == pytest.approx(8 / 5)
    assert j2["median_speedup"] == pytest.approx(8.5 / 5.5)
    case = {"name": "or-2-6-1", "n_networks": 64, "population_rate": 1e6}
    table = sweepbench.format_sweep_table(result, case)
    assert "best of 2" in table and "1.60x (1.55x)" in table and "9.0, 8.0 s" in table
    assert "case or-2-6-1, N=64): 1,000,000 network-epochs/s" in table


def test_sweep_bench_honours_save_and_baseline(tmp_path, monkeypatch, capsys):
    from sweeps.bench import sweep as sweepbench

    fake = {"runs": 80, "repeat": 1, "sweeps": [
        {"jobs": 1, "runs": 80, "wall_s": 2.0, "median_wall_s": 2.0, "walls_s": [2.0],
         "rate": 1e5, "speedup": 1.0, "median_speedup": 1.0, "overhead": 0.2,
         "peak_rss_mb": 90.0}]}  # fmt: skip
    monkeypatch.setattr(sweepbench, "run_sweep_bench", lambda runs, repeat: fake)
    saved = tmp_path / "bench.json"
    argv = ["bench", "--quick", "--sweep", "--runs", "80", "--repeat", "1"]
    assert main([*argv, "--save", str(saved)]) == 0
    doc = json.loads(saved.read_text())
    assert doc["sweep"] == fake and doc["quick"] is True and doc["cases"]
    out = capsys.readouterr().out
    assert "end-to-end sweep: 80 runs" in out and f"N={doc['cases'][0]['n_networks']}" in out
    assert "N=1000" not in out
    assert main([*argv, "--baseline", str(saved), "--max-drop", "0.99"]) == 0
    assert "population/loop ratios against" in capsys.readouterr().out


def test_quick_bench_prints_a_table(capsys):
    assert main(["bench", "--quick"]) == 0
    text = capsys.readouterr().out
    for case in CASES:
        line = next(row for row in text.splitlines() if row.startswith(case.name))
        assert f">= {case.target_ratio:g}x" in line
    assert "no stop criterion" in text or "no network drops out" in text
    assert "--quick" in text


# ---------------------------------------------------------------- the yardstick


@pytest.mark.parametrize(
    ("task", "sizes", "lr", "init_scale", "seeds"),
    [
        ("or", [2, 6, 1], 0.5, 0.5, [0, 1, 2]),
        ("and", [2, 6, 1], 2.0, 0.01, [3]),  # the seed's tiny initial weights
        ("xor", [2, 2, 1], 2.0, 1.0, [0, 1, 3]),  # seed 1 stays stuck: censored
        ("parity4", [4, 16, 16, 1], 0.5, 0.5, [0, 1]),
    ],
    ids=["or", "and", "xor", "parity4"],
)
def test_reference_loop_trains_like_nncore(task, sizes, lr, init_scale, seeds):
    data = get_task(task)
    pop = Population(sizes, init_scale=init_scale, seeds=seeds)
    start = [[w[k].copy() for w in pop.weights] for k in range(len(seeds))]
    biases = [[b[k, 0].copy() for b in pop.biases] for k in range(len(seeds))]
    stop = {"max_error_below": 0.1}
    records = pop.fit(data.X, data.Y, lr=lr, max_epochs=2000, stop=stop)
    statuses = set()
    for k, rec in enumerate(records):
        ref = train_reference(start[k], biases[k], data.X, data.Y, lr, 2000, 0.1)
        statuses.add(ref.status)
        assert (rec.status, rec.epochs_run) == (ref.status, ref.epochs_run)
        assert rec.epochs_to_threshold == ref.epochs_to_threshold
        assert rec.final_loss == pytest.approx(ref.final_loss, rel=1e-12)
        assert rec.max_error == pytest.approx(ref.max_error, rel=1e-12)
        for w, r in zip(pop.weights, ref.weights, strict=True):
            np.testing.assert_allclose(w[k], r, rtol=1e-10, atol=1e-13)
    assert "converged" in statuses
    if task == "xor":
        assert "censored" in statuses


def test_reference_loop_leaves_its_inputs_alone_and_flags_divergence():
    data = get_task("or")
    net = Network.of(Population([2, 6, 1], init_scale=0.5, seeds=[0]), 0)
    ws, bs = net.weights, net.biases
    before = [w.copy() for w in ws]
    run = train_reference(ws, bs, data.X, data.Y, lr=1e3, max_epochs=50)
    for w, b in zip(ws, before, strict=True):
        np.testing.assert_array_equal(w, b)
    record = net.fit(data.X, data.Y, lr=1e3, max_epochs=50)
    assert (run.status, run.epochs_run) == (record.status, record.epochs_run)


# ---------------------------------------------------------------- the fast paths


def _gradients(pop, X, Y, layout):
    ws = [layout.adopt(w) for w in pop.weights]
    bs = [layout.adopt(b) for b in pop.biases]
    work = _dense.Scratch(layout)
    acts, zs = forward_pass(pop.arch, X, ws, bs, work)
    loss, delta = pop.arch.loss_fn.value_and_delta(zs[-1], acts[-1], Y, pop.arch.output_fn)
    out = acts[-1].copy()
    dws, dbs = backward_pass(pop.arch, acts, zs, delta, ws, work)
    grads = [_dense.members_first(g).copy() for g in dws + dbs]
    return loss, out, grads


@pytest.mark.parametrize(
    ("sizes", "activation", "output", "loss"),
    [
        ([2, 6, 1], "tanh", "sigmoid", "mse"),
        ([3, 5, 4, 2], "silu", "sigmoid", "bce"),  # silu keeps its pre-activation
        ([4, 7, 3], "relu", "softmax", "ce"),
        ([2, 1], "tanh", "identity", "mse"),
    ],
    ids=str,
)
def test_both_layouts_compute_the_same_loss_outputs_and_gradients(sizes, activation, output, loss):
    rng = np.random.default_rng(5)
    kinds = {"activation": activation, "output_activation": output, "loss": loss}
    pop = Population(sizes, **kinds, init_scale=0.8, seeds=range(7))
    for b in pop.biases:
        b[...] = rng.normal(0.0, 0.3, b.shape)
    X = rng.normal(size=(9, sizes[0]))
    classes = rng.integers(0, sizes[-1], 9)
    Y = np.eye(sizes[-1])[classes] if output == "softmax" else rng.uniform(size=(9, sizes[-1]))
    last = _gradients(pop, X, Y, _dense.Layout(member_last=True))
    first = _gradients(pop, X, Y, _dense.Layout(member_last=False))
    np.testing.assert_allclose(last[0], first[0], rtol=1e-12)
    np.testing.assert_allclose(last[1], first[1], rtol=1e-12)
    for a, b in zip(last[2], first[2], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_layout_is_chosen_from_shapes_alone():
    assert _dense.choose_layout((2, 6, 1), 4).member_last  # the OR bench case
    assert not _dense.choose_layout((4, 16, 16, 1), 16).member_last  # parity-4
    assert not _dense.choose_layout((2, 6, 1), 194).member_last  # two spirals


@pytest.mark.parametrize(
    ("task", "sizes", "batch_size", "optimizer", "stop"),
    [
        ("two_spirals", [2, 5, 1], None, "gd", {"loss_below": 0.1225}),  # real-valued inputs
        ("two_spirals", [2, 4, 3, 1], 40, "momentum", {"loss_below": 0.118}),  # own batches
        ("parity4", [4, 16, 16, 1], None, "gd", {"max_error_below": 0.45}),
    ],
    ids=["spirals", "spirals-minibatch", "parity4"],
)
def test_wide_members_train_as_if_alone(task, sizes, batch_size, optimizer, stop):
    data = get_task(task)
    assert not _dense.choose_layout(tuple(sizes), batch_size or len(data.X)).member_last
    seeds, lrs = [11, 4, 98, 7, 23, 5, 61], [0.05, 0.3, 1.0, 2.0, 0.5, 8.0, 200.0]
    kwargs = {"optimizer": optimizer, "max_epochs": 60, "batch_size": batch_size, "stop": stop}
    pop = Population(sizes, init_scale=1.0, seeds=seeds)
    records = pop.fit(data.X, data.Y, lr=lrs, **kwargs)
    # Some members finish early, so the rest train on in a smaller working set.
    assert {"converged", "censored"} <= {r.status for r in records}
    for k, seed in enumerate(seeds):
        alone = Population(sizes, init_scale=1.0, seeds=[seed])
        rec = alone.fit(data.X, data.Y, lr=lrs[k], **kwargs)[0]
        other = records[k]
        assert (rec.status, rec.epochs_run, rec.final_loss) == (
            other.status,
            other.epochs_run,
            other.final_loss,
        )
        np.testing.assert_array_equal(rec.curve_loss, records[k].curve_loss)
        for w, a in zip(pop.weights + pop.biases, alone.weights + alone.biases, strict=True):
            np.testing.assert_array_equal(w[k], a[0])


def test_tanh_via_exp_stays_within_a_few_ulps_of_one_of_numpy_tanh():
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(0, s, 20_000) for s in (1e-8, 1e-3, 0.3, 3.0, 30.0)])
    z = np.concatenate([z, [0.0, -0.0, 1e-300, 400.0, -400.0, 1e308, -1e308, np.inf, -np.inf]])
    with np.errstate(all="raise"):  # silent even for the largest inputs
        a = ACTIVATIONS["tanh"].forward(z, np.empty_like(z))
    assert np.abs(a - np.tanh(z)).max() <= 4e-16
    assert np.isnan(ACTIVATIONS["tanh"].forward(np.array([np.nan]), np.empty(1))).all()
