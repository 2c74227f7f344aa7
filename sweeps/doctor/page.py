"""doctor's pages: ``report.html`` in its results directory, and on request a
gallery-style markdown page with its images, every figure computed from the runs."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from sweeps.report.figures import DPI
from sweeps.report.plots import survival_plot
from sweeps.results.files import make_dir, write_bytes, write_text, write_with

from .measure import ORIGINAL
from .output import criteria, json_rows
from .search import Diagnosis

__all__ = ["write_doctor_report", "write_page"]

CURVES = 4  # changes drawn next to the original in the survival figure


def _survival(d: Diagnosis, path: Path, root: Path) -> Path:
    import matplotlib.pyplot as plt

    shown = [("as given", ORIGINAL)] + [(e.change, e.key) for e in d.ranked[:CURVES]]
    frames = [d.measured[k].runs.assign(change=label) for label, k in shown if k in d.measured]
    runs = pd.concat(frames, ignore_index=True)
    fig, ax = plt.subplots(figsize=(7.5, 5.2), layout="constrained")
    survival_plot(runs, max_epochs=d.spec.max_epochs, hue="change", ax=ax)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    ax.set_title(
        f"share of runs not yet at {criteria(d.spec.stop)}: as given vs the best changes",
        fontsize=9,
    )
    make_dir(path.parent, root=root)
    write_with(path, lambda tmp: fig.savefig(tmp, dpi=DPI, format="png"), root=root)
    plt.close(fig)
    return path


def _rates(d: Diagnosis, path: Path, root: Path) -> Path:
    import matplotlib.pyplot as plt

    rows = [d.original, *d.ranked]
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(rows) + 1.0), layout="constrained")
    y = np.arange(len(rows))[::-1]
    rate = np.array([r.stats["success_rate"] for r in rows])
    lo = np.array([r.stats["success_lo"] for r in rows])
    hi = np.array([r.stats["success_hi"] for r in rows])
    colours = {"fix": "tab:green", "speed-up": "tab:blue", "worse": "tab:red"}
    for yi, r, a, b, e in zip(y, rate, lo, hi, rows, strict=True):
        c = "black" if e is d.original else colours.get(e.kind, "tab:gray")
        ax.plot([a, b], [yi, yi], color=c, lw=2)
        ax.plot([r], [yi], "o", color=c)
    ax.set_yticks(
        y, [("as given" if e is d.original else e.change)[:60] for e in rows], fontsize=7
    )
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("success rate, 95% Wilson interval\n(green: fix, blue: speed-up, red: worse)")
    make_dir(path.parent, root=root)
    write_with(path, lambda tmp: fig.savefig(tmp, dpi=DPI, format="png"), root=root)
    plt.close(fig)
    return path


def _table(d: Diagnosis) -> pd.DataFrame:
    cols = [
        "change",
        "kind",
        "runs",
        "converged",
        "success_lo",
        "success_hi",
        "km_median",
        "km_median_lo",
        "km_median_hi",
        "p_value",
        "folder",
    ]
    return pd.DataFrame(json_rows(d))[cols]


def write_doctor_report(d: Diagnosis, report: str, out: Path) -> Path:
    """``out/report.html``: the terminal report, both figures and every change's figures."""
    figs = [
        _survival(d, out / "plots" / "doctor-survival.png", out),
        _rates(d, out / "plots" / "doctor-rates.png", out),
    ]
    body = "".join(f'<p><img src="plots/{f.name}" style="max-width:100%"></p>' for f in figs)
    page = (
        f"<!doctype html><meta charset='utf-8'><title>doctor: {html.escape(d.spec.name)}</title>"
        f"<h1>doctor: {html.escape(d.spec.name)}</h1><pre>{html.escape(report)}</pre>{body}"
        f"{_table(d).to_html(index=False, na_rep='', float_format=lambda x: f'{x:.3g}')}"
        "<p>Each folder holds an ordinary sweep of the change (runs.csv, curves, diagnostics): "
        "<code>nnsweep report FOLDER</code> draws its own report.</p>"
    )
    return write_text(out / "report.html", page, root=out)


def write_page(d: Diagnosis, report: str, page: Path, command: str, seconds: float) -> Path:
    """A markdown page (images in ``img/`` beside it) from this diagnosis."""
    page = Path(page)
    img = page.parent / "img"
    make_dir(img)
    out = d.measured[ORIGINAL].path.parent
    names = []
    for name in ("doctor-survival.png", "doctor-rates.png"):
        target = img / f"{page.stem}-{name.removeprefix('doctor-')}"
        write_bytes(target, (out / "plots" / name).read_bytes())
        names.append(target.name)
    lines = [
        f"# doctor: {d.spec.name}",
        "",
        f"{d.spec.description}",
        "",
        "Written by `nnsweep doctor` from its own runs (the Stack Overflow question 48970179's "
        f"network); every number below is measured. Wall time: {seconds:.0f} s.",
        "",
        "```",
        command,
        "```",
        "",
        "```",
        report,
        "```",
        "",
        f"![survival: as given vs the best changes](img/{names[0]})",
        "",
        f"![success rates of every change](img/{names[1]})",
        "",
        *_markdown_table(d),
        "",
    ]
    return write_text(page, "\n".join(lines))


def _markdown_table(d: Diagnosis) -> list[str]:
    """Every change's figures as a markdown table, the original first."""
    from .output import SHORT, short_median

    out = ["| change | kind | converged | 95% CI | median epochs [95% CI] | p (Holm) |",
           "|---|---|---|---|---|---|"]  # fmt: skip
    for e in [d.original, *d.ranked]:
        s = e.stats
        p = "" if e is d.original else f"{e.p_value:.2g}"
        kind = "as given" if e is d.original else SHORT.get(e.kind, e.kind)
        out.append(
            f"| {'as given' if e is d.original else e.change} | {kind} | "
            f"{int(s['converged'])} of {int(s['runs'])} | "
            f"{s['success_lo']:.0%}–{s['success_hi']:.0%} | "
            f"{short_median(e, d.spec.max_epochs)} | {p} |"
        )
    return out
