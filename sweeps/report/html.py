"""A self-contained ``report.html``: images embedded as base64, no external assets.

Sections, top to bottom: the computed headline, the figures with their
captions, the summary table, how to reproduce, the spec and the manifest.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from sweeps.results.files import write_text
from sweeps.results.read import ResultsDir
from sweeps.stats.levels import level_label
from sweeps.stats.survival import format_epochs, format_rate

from .figures import Plot
from .ranking import TOP, ranking_table

__all__ = ["CSS", "MAX_TABLE_ROWS", "format_summary", "write_html"]

MAX_TABLE_ROWS = 2000
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1200px;padding:1.5rem 2rem;color:#1d232a;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
.sub{color:#59636e;margin-top:0}
.headline{font-size:1.15rem;background:#f3f7fb;border-left:4px solid #2a6fb0;
padding:.8rem 1rem;margin:1rem 0}
figure{margin:1.5rem 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#39424c;font-size:.92rem;max-width:60rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #e5e5e5;text-align:right;white-space:nowrap}
th{background:#f6f8fa;position:sticky;top:0} td.k,th.k{text-align:left}
tr:nth-child(even) td{background:#fafbfc}
pre{background:#f6f8fa;padding:.8rem;overflow-x:auto;font-size:.85rem}
.note{color:#7a4b00}
"""


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(path.stem)}">'


def _figure(plot: Plot) -> str:
    return (
        f'<figure id="{escape(plot.name)}"><h3>{escape(plot.title)}</h3>{_img(plot.path)}'
        f"<figcaption>{escape(plot.caption)}</figcaption></figure>"
    )


def _interval(value: float, lo: float, hi: float, fmt) -> str:
    return f"{fmt(value)} ({fmt(lo)} – {fmt(hi)})"


def format_summary(summary: pd.DataFrame, axes: list[str], max_epochs: int) -> pd.DataFrame:
    """The summary table as text: rates with intervals, "> max" for unreached medians."""

    def epochs(v: float) -> str:
        return format_epochs(v, max_epochs)

    out = pd.DataFrame({a: [level_label(v) for v in summary[a]] for a in axes})
    for c in ("runs", "converged", "diverged", "censored", "failed"):
        if c in summary:  # failed: a user trainer's sweep only
            out[c] = [f"{int(v):,}" for v in summary[c]]
    out["success (95% CI)"] = [
        _interval(v, lo, hi, format_rate)
        for v, lo, hi in zip(
            summary["success_rate"], summary["success_lo"], summary["success_hi"], strict=True
        )
    ]
    out["median epochs (95% CI)"] = [
        epochs(m) if not np.isfinite(m) else _interval(m, lo, hi, epochs)
        for m, lo, hi in zip(
            summary["km_median"], summary["km_median_lo"], summary["km_median_hi"], strict=True
        )
    ]
    out["RMST epochs"] = [f"{v:,.0f}" for v in summary["rmst"]]
    out["median final loss"] = [f"{v:.3g}" for v in summary["median_final_loss"]]
    if "median_val_loss" in summary:  # a holdout: how the runs did on data they never saw
        out["median val loss"] = [f"{v:.3g}" for v in summary["median_val_loss"]]
        out["median val accuracy"] = [format_rate(v) for v in summary["median_val_accuracy"]]
    return out


def _table(df: pd.DataFrame, keys: Sequence[str]) -> str:
    def cls(c: str) -> str:
        return ' class="k"' if c in keys else ""

    head = "".join(f"<th{cls(c)}>{escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{cls(c)}>{escape(str(v))}</td>" for c, v in zip(df.columns, row, strict=True)
        )
        + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _reproduce(res: ResultsDir) -> str:
    m = res.manifest
    commit = f" at commit {m['git_commit']}" if m.get("git_commit") else ""
    lines = [
        f"# the sweep (command as run{commit})",
        m.get("command") or "nnsweep run spec.toml",
        "# this report",
        f"nnsweep report {res.path}",
    ]
    versions = ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items())
    extra = f"<p>Versions: {escape(versions)}.</p>" if versions else ""
    return f"<pre>{escape(chr(10).join(lines))}</pre>{extra}"


def _header(res: ResultsDir, summary: pd.DataFrame, headline: str, notes: list[str]) -> str:
    m, spec = res.manifest, res.manifest.get("spec") or {}
    sub = spec.get("description") or ""
    facts = (
        f"{len(res.runs):,} runs · {len(summary):,} cells · budget {res.max_epochs:,} "
        f"epochs · stop: {json.dumps(m.get('stop', {}))} · axes: {', '.join(res.axes) or 'none'}"
    )
    return (
        f"<h1>{escape(_name(res))}</h1>"
        + (f"<p class='sub'>{escape(str(sub))}</p>" if sub else "")
        + f"<p class='sub'>{escape(facts)}</p><p class='headline'>{escape(headline)}</p>"
        + "".join(f"<p class='note'>{escape(n)}</p>" for n in notes)
    )


def _summary_section(res: ResultsDir, summary: pd.DataFrame) -> str:
    table = format_summary(summary, res.axes, res.max_epochs)
    cut = ""
    if len(table) > MAX_TABLE_ROWS:
        cut = (
            f"<p class='note'>First {MAX_TABLE_ROWS:,} of {len(table):,} cells; all are in "
            "summary.csv.</p>"
        )
        table = table.head(MAX_TABLE_ROWS)
    m = f"{res.max_epochs:,}"
    return (
        "<h2>Summary by cell</h2>"
        "<p>Success: share of runs that met the stop criterion, with its Wilson 95% interval. "
        "Median: Kaplan–Meier median epochs to threshold with its 95% interval; runs that did "
        f"not converge count as censored at {m} epochs, so '&gt; {m}' means fewer than half "
        "converged (an upper end '&gt; …' means the interval is open). RMST: restricted mean "
        "epochs to threshold, the area under the survival curve up to the budget.</p>"
        + cut
        + _table(table, res.axes)
    )


def _ranking_section(res: ResultsDir, summary: pd.DataFrame) -> str:
    if "rank" not in summary or len(summary) < 2:
        return ""
    table = ranking_table(summary, res.axes, res.max_epochs, TOP)
    return (
        f"<h2>Best configurations</h2><p>The top {len(table)} of {len(summary):,} cells, "
        "ranked by the lower end of the Wilson 95% success interval (so that a few lucky "
        "runs do not rank first), then by the Kaplan–Meier median epochs to threshold. "
        "Every cell's rank is the <code>rank</code> column of summary.csv; "
        f"<code>nnsweep report DIR --top N</code> prints the table.</p>"
        + _table(table, ["rank", *res.axes])
    )


def _overrides(res: ResultsDir) -> str:
    """The command-line overrides applied to the spec file below, if any."""
    given = res.manifest.get("overrides") or []
    if not given:
        return ""
    shown = " ".join(str(o) for o in given)
    return f"<p>The file as given, run with the overrides <code>{escape(shown)}</code> (the "
    "effective spec is the manifest's <code>spec</code>).</p>"


def _name(res: ResultsDir) -> str:
    return str((res.manifest.get("spec") or {}).get("name") or res.path.name)


def write_html(
    res: ResultsDir, summary: pd.DataFrame, plots: list[Plot], notes: list[str], headline: str
) -> Path:
    """Write ``report.html`` into the results directory and return its path."""
    spec_path = res.path / "spec.toml"
    spec = res.manifest.get("spec") or {}
    spec_text = spec_path.read_text() if spec_path.is_file() else json.dumps(spec, indent=2)
    body = (
        _header(res, summary, headline, notes)
        + "".join(_figure(p) for p in plots)
        + _ranking_section(res, summary)
        + _summary_section(res, summary)
        + f"<h2>How to reproduce</h2>{_reproduce(res)}"
        + f"<h2>Spec</h2>{_overrides(res)}<pre>{escape(spec_text)}</pre>"
        + f"<h2>Manifest</h2><pre>{escape(json.dumps(res.manifest, indent=2, default=str))}</pre>"
    )
    doc = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(_name(res))}: nnsweep report</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
    out = res.path / "report.html"
    write_text(out, doc)
    return out
