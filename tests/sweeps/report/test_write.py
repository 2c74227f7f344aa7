"""Reports: every plot kind renders, the files are complete, defaults fit any axes."""

from __future__ import annotations

import gzip
import html
import re

import numpy as np
import pandas as pd
import pytest

from nncore import ConfigError
from sweeps.cli import main
from sweeps.report.figures import roles
from sweeps.report.headline import headline
from sweeps.report.write import write_report
from sweeps.results.read import load, read_curves
from sweeps.stats.survival import SUMMARY_METRICS

PLOTS = {
    "survival",
    "heatmap_success",
    "heatmap_median",
    "heatmap_ratio",
    "loss_curves",
    "epochs",
}


def test_write_report_writes_summary_plots_and_self_contained_html(small_results):
    html_path = write_report(small_results)
    assert html_path == small_results / "report.html"
    summary = pd.read_csv(small_results / "summary.csv")
    assert list(summary.columns) == ["activation", "init_scale", "lr", *SUMMARY_METRICS, "rank"]
    assert sorted(summary["rank"]) == list(range(1, 9))
    assert len(summary) == 8 and summary["runs"].sum() == 40
    pngs = {p.stem for p in (small_results / "plots").glob("*.png")}
    assert pngs == PLOTS
    for p in (small_results / "plots").glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000
    text = html_path.read_text()
    assert text.count("data:image/png;base64,") == len(PLOTS)
    # Offline: no external scripts, styles or images.
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text)
    res = load(small_results)
    plain = html.unescape(text)
    assert headline(res.runs, res.axes, res.max_epochs, "activation") in plain
    assert "nnsweep run small.toml" in plain and 'name = "small"' in plain
    # A median that was not reached reads "> 1,500", never as a number.
    unreached = summary["km_median"].isna().sum()
    assert unreached >= 1  # sigmoid from σ = 0.01 at lr 0.5 does not get there in 1,500
    assert plain.split("<h2>Summary by cell</h2>")[1].count("> 1,500</td>") == unreached
    # Two hue levels: a ratio heatmap says how many times the epochs the slower one needs.
    assert "Median epochs, sigmoid ÷ tanh" in plain


def test_read_curves_carries_the_last_loss_forward(tmp_path):
    path = tmp_path / "curves.csv.gz"
    rows = [("a", e, 1.0 / (e + 1)) for e in [*range(11), 20]]  # ran the whole budget
    rows += [("b", 0, 0.5), ("b", 1, 0.45), ("b", 2, np.nan)]  # diverged at epoch 2
    rows += [("c", e, 0.2) for e in range(11)] + [("c", 15, 0.01)]  # converged at 15
    with gzip.open(path, "wt") as f:
        pd.DataFrame(rows, columns=["run_id", "epoch", "loss"]).to_csv(f, index=False)
    epochs, loss = read_curves(path, pd.Series(["c", "a", "b", "missing"]))
    assert list(epochs) == [*range(1, 11), 20]
    np.testing.assert_array_equal(loss[1], [1.0 / (e + 1) for e in [*range(1, 11), 20]])
    np.testing.assert_array_equal(loss[2], [0.45] + [np.inf] * 10)
    np.testing.assert_array_equal(loss[0], [0.2] * 10 + [0.01])  # 15 lands on 20
    assert np.isnan(loss[3]).all()


@pytest.mark.parametrize(
    "axes, expected",
    [
        ([], (None, None, None, None)),
        (["lr"], ("lr", None, None, None)),
        (["activation", "lr"], ("activation", "lr", None, None)),
        (["init_scale", "lr", "activation"], ("activation", "lr", "init_scale", None)),
        (["task", "hidden", "lr", "activation"], ("activation", "lr", "task", "hidden")),
        (["task", "hidden", "optimizer"], ("task", "hidden", "optimizer", None)),
    ],
)
def test_default_roles_come_from_the_axes(axes, expected):
    r = roles(axes)
    assert (r.hue, r.x, r.y, r.col) == expected


def test_given_roles_are_kept_and_must_differ():
    r = roles(["activation", "lr", "init_scale"], hue="lr", col="activation")
    assert (r.hue, r.x, r.y, r.col) == ("lr", "init_scale", None, "activation")
    with pytest.raises(ConfigError, match="x='lr' is already the hue"):
        roles(["activation", "lr"], hue="lr", x="lr")


@pytest.mark.parametrize(
    "levels",
    [
        {},  # every run differs only by its seed
        {"activation": ["sigmoid", "tanh"]},
        {
            "activation": ["sigmoid", "tanh"],
            "lr": [0.1, 1.0],
            "init_scale": [0.1, 1.0],
            "hidden": ["2", "4"],
        },
    ],
    ids=["0 axes", "1 axis", "4 axes"],
)
def test_report_for_any_number_of_axes(fake_results, levels):
    out = fake_results(levels, seeds=8)
    html = write_report(out).read_text()
    drawn = {p.stem for p in (out / "plots").glob("*.png")}
    assert {"survival", "loss_curves", "epochs"} <= drawn
    assert ({"heatmap_success", "heatmap_median"} <= drawn) == (len(levels) >= 2)
    if len(levels) < 2:
        assert "Heatmaps need two categorical axes" in html
    assert len(pd.read_csv(out / "summary.csv")) == int(np.prod([len(v) for v in levels.values()]))


def test_bad_input_is_one_line_config_error(small_results, tmp_path):
    with pytest.raises(ConfigError, match=r"does not exist; did you mean"):
        write_report(small_results.parent / "smal")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="not a results directory: missing runs.csv"):
        write_report(tmp_path / "empty")
    with pytest.raises(ConfigError, match=r"hue='activatoin' not in .*did you mean 'activation'"):
        write_report(small_results, hue="activatoin")


def test_cli_report(fake_results, capsys):
    out = fake_results({"activation": ["sigmoid", "tanh"], "lr": [0.1, 1.0]}, seeds=4)
    assert main(["report", str(out), "--hue", "lr", "--x", "activation"]) == 0
    assert capsys.readouterr().out.strip() == f"report: {out / 'report.html'}"
    assert "One colour per learning rate" in (out / "report.html").read_text()
    assert main(["report", str(out), "--col", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: col='nope' not in") and err.count("\n") == 1


def test_headline_counts_runs_and_never_names_a_small_cell(fake_results):
    # 3 seeds per cell: every cell is under the minimum, so no cell is "where the gap is".
    out = fake_results({"activation": ["sigmoid", "tanh"], "lr": [0.1, 1.0]}, seeds=3)
    res = load(out)
    text = headline(res.runs, res.axes, res.max_epochs, "activation")
    assert "of 6 runs" in text and "gap is largest" not in text
    assert "No cell of the other axes holds 10 runs of each" in text
    out = fake_results({"activation": ["sigmoid", "tanh"], "lr": [0.1, 1.0]}, seeds=12)
    res = load(out)
    text = headline(res.runs, res.axes, res.max_epochs, "activation")
    assert "of 24 runs" in text and "The gap is largest at lr = " in text and "of 12 runs" in text


def test_ratio_heatmap_title_names_a_numeric_axis(fake_results):
    out = fake_results(
        {"lr": [0.1, 1.0], "activation": ["sigmoid", "tanh"], "init_scale": [0.5, 1.0]}, seeds=4
    )
    text = html.unescape(write_report(out, hue="lr").read_text())
    assert re.search(r"Median epochs, lr (0\.1|1) ÷ lr (0\.1|1)<", text)
    assert "'< 10 runs': too few runs on a side to compare" in text  # 4 seeds a cell


def test_cli_report_top_prints_the_ranking(fake_results, capsys):
    out = fake_results({"activation": ["sigmoid", "tanh"], "lr": [0.1, 1.0, 2.0]}, seeds=4)
    assert main(["report", str(out), "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("top 3 of 6 configurations")
    assert lines[1].split()[:3] == ["rank", "activation", "lr"]
    assert [ln.split()[0] for ln in lines[2:5]] == ["1", "2", "3"]
    assert lines[5] == f"report: {out / 'report.html'}"
    assert max(len(ln) for ln in lines[:5]) <= 100  # the table fits a terminal
