"""The gallery: six bundled entries that run, report and write their pages.

The smoke test runs a reduced version of every entry (3 seeds, 200 epochs, two
levels per axis) once per session, then checks the pages against the runs they
were written from.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sweeps.cli import main
from sweeps.config.grid import n_runs
from sweeps.config.load import load_spec
from sweeps.gallery import kit
from sweeps.gallery.encoder import SNNS
from sweeps.gallery.encoder_claims import compare_figure
from sweeps.gallery.entries import ENTRIES, entry_spec
from sweeps.gallery.fair import halves, seed_ranges
from sweeps.gallery.pages import complete, run_entry, write_page
from sweeps.gallery.xor_hidden_units import SOURCE_LRS
from sweeps.report.boundary import retrain, typical_runs
from sweeps.report.write import write_report
from sweeps.results.read import load
from sweeps.stats.survival import format_rate, summarize, wilson_interval

NAMES = [
    "seed-or-gate",
    "xor-hidden-units",
    "encoder-8-3-8",
    "init-plateau",
    "depth-saturation",
    "two-spirals",
]


@pytest.fixture(scope="module")
def reduced(tmp_path_factory):
    """Every entry, reduced, run into its own directory; pages in one docs directory."""
    root = tmp_path_factory.mktemp("gallery")
    docs = root / "docs"
    out = {}
    for name in NAMES:
        res = run_entry(name, root / name, jobs=1, reduced=True)
        out[name] = (res, write_page(res, docs))
    return root, docs, out


def test_list_shows_the_entries_with_their_descriptions(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in NAMES:
        (line,) = [ln for ln in lines if ln.split()[0] == name]
        assert load_spec(name).description in line


def test_every_entry_runs_reports_and_writes_its_page(reduced):
    root, docs, out = reduced
    for name in NAMES:
        res, page = out[name]
        assert len(res.runs) == n_runs(entry_spec(name, reduced=True))
        text = page.read_text()
        assert text.startswith(f"# {ENTRIES[name].title}")
        parts = [
            "**Headline.**",
            "## Published vs measured",
            "| Published |",
            "## Where they differ, and why",
            f"nnsweep run {name}",
            "## References",
        ]
        for part in parts:
            assert part in text, (name, part)
        images = re.findall(r"\]\(img/([^)]+)\)", text)
        assert images, name
        for image in images:
            png = docs / "img" / image
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert png.stat().st_size > 5_000
        assert "nan" not in re.sub(r"[A-Za-z]nan|nan[A-Za-z]", "", text), name
        assert write_report(root / name).is_file()
    index = (docs / "README.md").read_text()
    for name in NAMES:
        assert f"]({name}.md)" in index


def test_a_page_quotes_the_rates_its_runs_give(reduced):
    _, _, out = reduced
    res, page = out["xor-hidden-units"]
    runs = res.runs.assign(width=res.runs["hidden"].astype(int))
    # the headline: the narrowest plain network that can learn XOR, at the chapter's rates
    plain = runs[~runs["shortcut"].astype(bool) & (runs["width"] >= 2)]
    source = plain[plain["lr"].isin(SOURCE_LRS)]
    narrow = source[source["width"] == source["width"].min()]
    assert len(narrow) > 0
    failed = int((narrow["status"] != "converged").sum())
    lo, hi = wilson_interval(failed, len(narrow))
    expected = (
        f"{format_rate(failed / len(narrow))} (95% CI {format_rate(lo)}–{format_rate(hi)}; "
        f"{failed} of {len(narrow)} runs)"
    )
    assert expected in page.read_text()


def test_two_spirals_page_matches_its_runs(reduced):
    _, _, out = reduced
    res, page = out["two-spirals"]
    text = page.read_text()
    runs = res.runs
    choosing, reporting = halves(runs)
    assert set(choosing["seed"]).isdisjoint(reporting["seed"])
    cells = reporting.groupby(["shortcut", "optimizer", "lr"])
    # every (layers, optimiser) row quotes one of its reporting cells: rate and run count
    for (shortcut, optimizer), group in reporting.groupby(["shortcut", "optimizer"]):
        quoted = []
        for lr in group["lr"].unique():
            cell = cells.get_group((shortcut, optimizer, lr))
            done = int((cell["status"] == "converged").sum())
            quoted.append(f"{done} of {len(cell)} runs" in text)
        assert any(quoted), (shortcut, optimizer)
    assert f"chosen on {seed_ranges(runs)[0]}" in text
    assert "two-spirals-boundaries.png" in text


def test_encoder_page_quotes_its_runs(reduced):
    _, _, out = reduced
    res, page = out["encoder-8-3-8"]
    text = page.read_text()
    (headline,) = [ln for ln in text.splitlines() if ln.startswith("**Headline.**")]
    _, reporting = halves(res.runs)
    main = reporting[(reporting["task"] == "encoder8") & (reporting["hidden"] == "3")]
    m = res.max_epochs
    for opt in main["optimizer"].unique():
        name = kit.OPT_NAMES[opt]
        # the headline names the chosen rate; its figures are the reporting seeds' at it
        found = re.search(rf"{re.escape(name)} \((?:lr|Δ0) ([0-9.e+-]+)\) median", headline)
        assert found, opt
        cell = main[(main["optimizer"] == opt) & np.isclose(main["lr"], float(found[1]))]
        done = int((cell["status"] == "converged").sum())
        quoted = headline[found.end() :].split(") converged")[0] + ") converged"
        assert f"{done} of {len(cell)} runs) converged" in quoted, (opt, quoted)
        row = summarize(cell, [], m).iloc[0]
        assert kit.median(row, m) in quoted
        if opt in SNNS:  # the published figure, and the verdict on the same runs
            assert f"about {SNNS[opt]:,.0f} epochs" in text
            assert compare_figure(SNNS[opt], row, m) in text
    online = reduced[0] / "encoder-8-3-8.online"
    _, per_pattern = halves(load(online).runs)
    for opt in per_pattern["optimizer"].unique():
        # the per-pattern rows quote the part's reporting seeds at the rate they name
        found = re.search(rf"{re.escape(kit.OPT_NAMES[opt])} at lr ([0-9.e+-]+) \(η ≈", text)
        assert found, opt
        cell = per_pattern[
            (per_pattern["optimizer"] == opt) & np.isclose(per_pattern["lr"], float(found[1]))
        ]
        row = summarize(cell, [], m).iloc[0]
        assert f"{kit.median(row, m)}, {kit.rate(row)} converged" in text[found.end() :]
        assert "Per-pattern updates, as SNNS: " + compare_figure(SNNS[opt], row, m) in text
    ran = set(main["optimizer"]) | set(per_pattern["optimizer"])
    for opt in set(SNNS) - ran:
        assert f"about {SNNS[opt]:,.0f} epochs (cycles) | not run |" in text
    assert "encoder-online.png" in text
    assert "cannot be compared: Quickprop is not in nnsweep" in text
    assert f"chosen on {seed_ranges(res.runs)[0]}" in text


def test_complete_directories_are_not_run_again(reduced):
    root, _, out = reduced
    res, _ = out["init-plateau"]
    spec = entry_spec("init-plateau", reduced=True)
    assert complete(root / "init-plateau", spec)
    assert not complete(root / "init-plateau", load_spec("init-plateau"))
    again = run_entry("init-plateau", root / "init-plateau", jobs=1, reduced=True)
    assert again.manifest["started"] == res.manifest["started"]


def test_gallery_command_runs_and_writes(tmp_path, capsys):
    out = tmp_path / "xor"
    args = ["gallery", "xor-hidden-units", "--reduced", "-o", str(out), "-j", "1"]
    assert main([*args, "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert (out / "gallery" / "xor-hidden-units.md").is_file()
    assert main(args) == 0  # complete: only the page is written again
    assert "already holds every run" in capsys.readouterr().out


def test_retrain_reproduces_the_recorded_runs(reduced):
    _, _, out = reduced
    res, _ = out["two-spirals"]
    for _, row in res.runs.iloc[[0, -1]].iterrows():
        _, record = retrain(row, res.manifest["stop"])
        assert record.status == row["status"]
        assert record.final_loss == pytest.approx(row["final_loss"], rel=1e-9)
    row = res.runs.iloc[0].copy()
    row["status"] = "converged" if row["status"] != "converged" else "censored"
    with pytest.raises(ValueError, match="retrained to"):
        retrain(row, res.manifest["stop"])


def test_typical_runs_picks_the_median_success_and_failure():
    rows = []
    for seed, (status, epochs, loss) in enumerate(
        [("converged", 100, 0.01), ("converged", 300, 0.01), ("converged", 200, 0.01),
         ("censored", None, 0.05), ("censored", None, 0.04), ("censored", None, 0.06)]
    ):  # fmt: skip
        rows.append(dict(hidden="8", optimizer="adam", lr=0.01, seed=seed, status=status,
                         epochs_to_threshold=epochs, final_loss=loss))  # fmt: skip
    rows += [
        dict(hidden="8", optimizer="gd", lr=lr, seed=10 + i, status="censored",
             epochs_to_threshold=None, final_loss=loss)
        for i, (lr, loss) in enumerate([(0.1, 0.2), (0.1, 0.3), (3.0, 0.1), (3.0, 0.12)])
    ]  # fmt: skip
    runs = pd.DataFrame(rows).astype({"epochs_to_threshold": "Int64"})
    picks = typical_runs(runs)
    assert picks["success"]["seed"] == 2  # 200 epochs: the median of 100, 200, 300
    assert picks["near miss"]["seed"] == 3  # final loss 0.05: the median of the failures
    assert picks["baseline failure"]["lr"] == 3.0  # gd's failures come closest at lr 3
    assert picks["baseline failure"]["seed"] == 12  # the lower middle of 0.1 and 0.12
    assert typical_runs(runs[runs["status"] == "converged"]).keys() == {"success"}


def test_numbers_in_words():
    row = pd.Series(
        dict(runs=20, converged=18, success_rate=0.9, success_lo=0.7, success_hi=0.97,
             km_median=1468.0, km_median_lo=997.0, km_median_hi=np.nan)
    )  # fmt: skip
    assert kit.rate(row) == "90% (95% CI 70%–97%; 18 of 20 runs)"
    assert kit.failure(row) == "10% (95% CI 3%–30%; 2 of 20 runs)"
    assert kit.median(row, 4000) == "1,468 epochs (95% CI 997–> 4,000)"
    assert kit.median(pd.Series({**row, "km_median": np.nan}), 4000).startswith("> 4,000")
    assert kit.ratio(1490, 263) == "5.7×" and kit.ratio(1490, np.nan) == "n/a"
    assert kit.big(1.49e9) == "1.5 billion" and kit.big(999) == "999"
    assert kit.trend(100, 50) == "falls" and kit.trend(100, 105) == "stays level"
    assert kit.trend(np.nan, 5) == "cannot be compared"


def test_best_ranks_success_then_time_then_loss():
    table = pd.DataFrame(
        dict(arm=["a"] * 4 + ["b"] * 2, lr=[1, 2, 3, 4, 1, 2],
             success_rate=[0.5, 1.0, 1.0, 0.9, 0.0, 0.0], rmst=[10, 30, 20, 5, 99, 99],
             median_final_loss=[0.1, 0.1, 0.1, 0.1, 0.2, 0.1])
    )  # fmt: skip
    top = kit.best(table, "lr", ["arm"]).set_index("arm")
    assert top.loc["a", "lr"] == 3 and top.loc["b", "lr"] == 2


def test_markdown_tables_escape_pipes():
    text = kit.md_table(pd.DataFrame({"a": ["x|y"], "b": [1]}))
    assert text.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | 1 |"]
