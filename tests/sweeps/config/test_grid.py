"""Grid expansion, run ids, populations and chunks."""

from __future__ import annotations

import io
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from nncore import ConfigError
from sweeps.config.columns import DTYPES, PARAM_COLUMNS
from sweeps.config.grid import (
    POPULATION_KEY,
    cells,
    chunks,
    cost,
    expand,
    groups,
    n_runs,
    run_id,
)
from sweeps.config.params import OPTIMIZER_PARAMS, STRUCTURAL, applies
from sweeps.config.sampling import Sample
from sweeps.config.spec import SweepSpec

STOP = {"max_error_below": 0.1}


def make(params: dict, seeds=3, max_epochs=100, stop=STOP, **kw) -> SweepSpec:
    return SweepSpec("g", seeds=seeds, max_epochs=max_epochs, stop=stop, params=params, **kw)


GRID = {"task": ["or", "xor"], "activation": ["sigmoid", "tanh"], "lr": [0.1, 0.5, 2.0]}


def test_columns_dtypes_and_order():
    df = expand(make(GRID))
    assert list(df.columns) == ["run_id"] + PARAM_COLUMNS
    assert {c: str(t) for c, t in df.dtypes.items()} == {c: str(DTYPES[c]) for c in df.columns}
    assert isinstance(df.index, pd.RangeIndex) and len(df) == 2 * 2 * 3 * 3
    # the first axis varies slowest, the seed fastest
    expected = list(itertools.product(*GRID.values(), range(3)))
    got = list(df[["task", "activation", "lr", "seed"]].itertuples(index=False, name=None))
    assert got == expected


def test_fixed_values_fill_every_row():
    df = expand(make({"hidden": "16x16", "init_scale": 0.3, "lr": [1, 2]}, max_epochs=77))
    assert set(df["hidden"]) == {"16x16"} and set(df["init_scale"]) == {0.3}
    assert set(df["max_epochs"]) == {77} and set(df["task"]) == {"or"}


def test_hyper_parameters_that_do_not_apply_are_missing_and_runs_kept_once():
    spec = make({"optimizer": ["gd", "momentum", "adam"], "momentum": [0.5, 0.9], "lr": [0.1]})
    df = expand(spec)
    for opt, rows in df.groupby("optimizer"):
        for name in OPTIMIZER_PARAMS:
            assert rows[name].isna().all() != applies(name, str(opt)), (opt, name)
    # gd and adam ignore momentum: its axis would only repeat them
    assert df.groupby("optimizer").size().to_dict() == {"adam": 3, "gd": 3, "momentum": 6}
    assert list(dict.fromkeys(df["optimizer"])) == ["gd", "momentum", "adam"]
    assert list(df.loc[df.optimizer == "momentum", "momentum"]) == [0.5] * 3 + [0.9] * 3
    assert df["run_id"].is_unique and n_runs(spec) == len(df) == len(cells(spec)) * 3


def test_grid_times_sampled_points_times_seeds():
    sample = Sample.from_mapping({"n": 5, "lr": {"log_uniform": [0.01, 10]}})
    spec = make({"activation": ["sigmoid", "tanh"]}, seeds=[4, 9], sample=sample)
    df = expand(spec)
    assert spec.axes == ("activation", "lr") and len(df) == 2 * 5 * 2 == n_runs(spec)
    lrs = sample.points["lr"]
    for act_i, act in enumerate(["sigmoid", "tanh"]):
        block = df.iloc[act_i * 10 : (act_i + 1) * 10]
        assert set(block["activation"]) == {act}
        assert list(block["lr"]) == [v for v in lrs for _ in range(2)]
        assert list(block["seed"]) == [4, 9] * 5


def test_sampled_floats_survive_a_csv_round_trip():
    sample = Sample.from_mapping(
        {"n": 50, "lr": {"log_uniform": [1e-3, 10]}, "init_scale": {"uniform": [0.1, 2]}}
    )
    df = expand(make({}, sample=sample))
    back = pd.read_csv(io.StringIO(df.to_csv(index=False)), dtype={"hidden": "string"})
    for col in ("lr", "init_scale", "momentum"):
        np.testing.assert_array_equal(back[col].to_numpy(), df[col].to_numpy())


def test_run_id_matches_every_expanded_row():
    spec = make({**GRID, "optimizer": ["gd", "adam"]})
    df = expand(spec)
    for row in df.to_dict("records"):
        assert run_id(row, spec.stop) == row["run_id"]
        assert run_id({**row, "stop": dict(spec.stop)}) == row["run_id"]


def test_run_id_is_independent_of_grid_position_and_spec():
    a = expand(make(GRID))
    b = expand(
        SweepSpec(
            "other",
            seeds=[2, 0],
            max_epochs=100,
            stop=STOP,
            params={"lr": [2.0, 0.5], "activation": "tanh", "task": ["xor", "or"]},
        )
    )
    shared = a.merge(b, on=PARAM_COLUMNS, suffixes=("_a", "_b"))
    assert len(shared) == 2 * 2 * 2
    assert (shared["run_id_a"] == shared["run_id_b"]).all()


def test_run_id_ignores_hyper_parameters_the_optimiser_does_not_use():
    row = expand(make({"optimizer": "gd"})).iloc[0].to_dict()
    assert run_id({**row, "momentum": 0.123}, STOP) == row["run_id"]
    assert run_id({k: v for k, v in row.items() if k != "beta1"}, STOP) == row["run_id"]


@pytest.mark.parametrize(
    ("key", "value"),
    [("seed", 1), ("max_epochs", 101), ("lr", 0.51), ("hidden", "7"), ("init", "uniform"),
     ("batch_size", 2), ("stop", {"max_error_below": 0.2}), ("stop", {"loss_below": 0.1}),
     ("shortcut", True)],
)  # fmt: skip
def test_run_id_changes_with_each_part_of_the_config(key, value):
    row = {**expand(make({"lr": 0.5})).iloc[0].to_dict(), "stop": STOP}
    assert run_id({**row, key: value}) != run_id(row)


def test_run_id_canonicalises_values():
    row = {**expand(make({"lr": 1.0, "hidden": "6"})).iloc[0].to_dict(), "stop": STOP}
    assert run_id({**row, "lr": 1, "hidden": 6, "seed": np.int64(row["seed"])}) == run_id(row)
    assert run_id({**row, "stop": {"max_error_below": 0.1, "bits_40_20_40": False}}) == run_id(row)


def test_run_id_needs_every_used_parameter():
    row = expand(make({})).iloc[0].to_dict()
    del row["init_scale"]
    with pytest.raises(ConfigError, match="run_id: config has no value for 'init_scale'"):
        run_id(row, STOP)


def test_groups_share_structure_and_partition_the_frame():
    spec = make({**GRID, "init_scale": [0.1, 1.0], "hidden": ["2", "4"]}, seeds=4)
    df = expand(spec)
    found = groups(df)
    assert len(found) == 2 * 2 * 2  # task x activation x hidden; lr and init_scale vary inside
    assert sorted(np.concatenate(found)) == list(range(len(df)))
    for idx in found:
        assert len(df.iloc[idx][list(POPULATION_KEY)].drop_duplicates()) == 1
        assert list(idx) == sorted(idx)
    firsts = [idx[0] for idx in found]
    assert firsts == sorted(firsts)
    assert set(STRUCTURAL) <= set(POPULATION_KEY) and "max_epochs" in POPULATION_KEY


@pytest.mark.parametrize("size", [1, 7, 24, 25, 1000])
def test_chunks_are_balanced_within_groups_and_cover_every_run_once(size):
    df = expand(make({**GRID, "init_scale": [0.1, 1.0]}, seeds=4))  # groups of 24
    plan = chunks(df, size)
    rows = np.concatenate([c.rows for c in plan])
    assert sorted(rows) == list(range(len(df)))
    group_of = np.empty(len(df), int)
    for g, idx in enumerate(groups(df)):
        group_of[idx] = g
    per_group = -(-24 // size)
    assert len(plan) == 4 * per_group
    for c in plan:
        assert 0 < len(c) <= size and len(set(group_of[c.rows])) == 1
        assert len(c) in (24 // per_group, -(-24 // per_group))
    assert len({c.chunk_id for c in plan}) == len(plan)


def test_chunk_ids_name_the_same_work_every_time():
    spec = make(GRID, seeds=5)
    a, b = chunks(expand(spec), 8), chunks(expand(spec), 8)
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert all((x.rows == y.rows).all() for x, y in zip(a, b, strict=True))
    c = chunks(expand(make(GRID, seeds=6)), 8)  # other runs, other chunks
    assert not {x.chunk_id for x in a} & {y.chunk_id for y in c}
    with pytest.raises(ConfigError, match="chunk_size=0 must be an integer >= 1"):
        chunks(expand(spec), 0)


def test_chunk_rows_select_rows_with_iloc():
    df = expand(make(GRID))
    plan = chunks(df, 5)
    assert list(df.iloc[plan[0].rows]["run_id"]) == list(df["run_id"].iloc[plan[0].rows[0] :][:5])
    with pytest.raises(ValueError):
        plan[0].rows[0] = 3  # read-only


def test_cost_counts_work_populations_and_chunks():
    spec = make({**GRID, "init_scale": [0.1, 1.0]}, seeds=4, max_epochs=250, chunk_size=10)
    got = cost(spec)
    assert got == {"runs": 96, "cells": 24, "network_epochs": 96 * 250, "populations": 4,
                   "chunks": 4 * 3}  # fmt: skip
    assert cost(expand(spec))["chunks"] == 4  # a frame alone: default chunk size 256
    assert cost(expand(spec), chunk_size=10) == got


@pytest.mark.parametrize(
    "sample",
    [
        None,
        {"n": 30, "seed": 1, "eps": {"choice": [1e-8, 1e-7]}, "eta_plus": {"choice": [1.1, 1.2]}},
        {"n": 40, "seed": 2, "optimizer": {"choice": ["gd", "momentum", "adam"]},
         "beta1": {"choice": [0.8, 0.9]}, "init_scale": {"uniform": [0.1, 1.0]}},
    ],
)  # fmt: skip
def test_n_runs_counts_the_rows_masking_leaves(sample):
    params = {"lr": [0.1, 1.0], "momentum": [0.5, 0.9], "beta1": [0.8, 0.9]}
    if sample is None or "optimizer" not in sample:
        params["optimizer"] = ["gd", "momentum", "adam", "rprop"]
    if sample and "beta1" in sample:
        del params["beta1"]
    spec = SweepSpec(
        name="t", seeds=3, max_epochs=10, stop={"loss_below": 0.1}, params=params, sample=sample
    )
    assert (
        n_runs(spec)
        == len(expand(spec))
        < math.prod(map(len, params.values())) * 3 * (sample["n"] if sample else 1)
    )


def test_a_chunk_reads_only_the_hyper_parameters_its_optimizer_uses():
    from sweeps.execute.chunk import train_chunk

    df = expand(make({"optimizer": "momentum", "lr": 0.5, "momentum": 0.8}, seeds=2))
    configs = {c: df[c].tolist() for c in df.columns}
    want, _, _ = train_chunk(configs, STOP)
    # Columns of other optimisers' hyper-parameters are never read, whatever they hold.
    configs |= {"beta1": ["not a number"] * 2, "eps": [None] * 2}
    got, _, _ = train_chunk(configs, STOP)
    assert {k: v for k, v in got.items() if k != "wall_time_s"} == {
        k: v for k, v in want.items() if k != "wall_time_s"
    }


def test_an_unset_lr_is_each_optimizers_default_and_keeps_given_ids():
    from nncore import RULES

    spec = make({"optimizer": ["gd", "adam"]}, seeds=1)
    df = expand(spec)
    assert df["lr"].tolist() == [RULES["lr"].default_for("gd"), RULES["lr"].default_for("adam")]
    given = expand(make({"optimizer": ["gd", "adam"], "lr": [0.5, 0.001]}, seeds=1))
    # The unset lr hashes like the same lr given: a run's id is its configuration.
    assert set(df["run_id"]) <= set(given["run_id"])


def test_shortcut_off_or_absent_keeps_the_ids_runs_had_before_it_existed():
    row = {**expand(make({"lr": 0.5})).iloc[0].to_dict(), "stop": STOP}
    assert not row["shortcut"]  # the default
    before = {k: v for k, v in row.items() if k != "shortcut"}  # a row from an older runs.csv
    assert run_id(before) == run_id(row) == run_id({**row, "shortcut": False})
    on = expand(make({"lr": 0.5, "shortcut": True}))
    assert on["run_id"].iloc[0] == run_id({**row, "shortcut": True}) != row["run_id"]


def test_shortcut_is_a_structural_axis():
    df = expand(make({"task": "xor", "hidden": "1", "shortcut": [False, True]}, seeds=2))
    assert df["shortcut"].tolist() == [False, False, True, True]
    assert [list(g) for g in groups(df)] == [[0, 1], [2, 3]]


@pytest.mark.parametrize("value", ["yes", 1, [True, "no"]])
def test_shortcut_must_be_true_or_false(value):
    with pytest.raises(ConfigError, match=r"params\.shortcut=.* is not a boolean; allowed: true"):
        make({"shortcut": value})


def test_a_chunk_builds_its_population_with_shortcuts():
    from nncore import Population, get_task
    from sweeps.execute.chunk import train_chunk

    spec = make({"task": "xor", "hidden": "1", "shortcut": True, "lr": 2.0}, seeds=2)
    df = expand(spec)
    got, _, _ = train_chunk({c: df[c].tolist() for c in df.columns}, STOP)
    xor = get_task("xor")
    pop = Population([2, 1, 1], shortcut=True, seeds=[0, 1])
    want = pop.fit(xor.X, xor.Y, lr=2.0, max_epochs=100, stop=STOP)
    assert got["final_loss"] == [r.final_loss for r in want]
