"""The gallery's pages: run an entry, then write its markdown page and the index.

An entry is a bundled spec (``nnsweep run NAME``) plus an analysis that reads its
results directory and writes ``docs/gallery/NAME.md`` with its figures in
``docs/gallery/img/``: the headline, the key plot, the exact command and its
measured wall time, the citation, and a table putting the published claim next to
nnsweep's measured figure with its 95% interval (Wilson for rates, Kaplan–Meier for
median epochs). Every measured number on a page is computed from the runs; only the
published claims are written by hand. The entries are listed in
:mod:`sweeps.gallery.entries`.

Example
-------
>>> from sweeps.gallery.pages import run_entry, write_page
>>> res = run_entry("xor-hidden-units", jobs=2)  # doctest: +SKIP
>>> write_page(res, "docs/gallery")  # doctest: +SKIP
PosixPath('docs/gallery/xor-hidden-units.md')
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

from nncore.rules import ConfigError
from sweeps.config.grid import n_runs
from sweeps.config.spec import SweepSpec
from sweeps.results.files import write_text
from sweeps.results.read import ResultsDir, load

from . import kit
from .entries import ENTRIES, Entry, entry_spec, get_entry

__all__ = ["DOCS", "RULES", "complete", "part_dir", "run_entry", "write_index", "write_page"]

DOCS = Path("docs/gallery")

RULES = [
    "1. **Like with like.** A published figure is compared only with a run of the same "
    "set-up; every difference that remains (architecture, initialisation, learning rate and "
    "momentum, stopping rule, epoch cap, epochs vs pattern presentations) is stated next to "
    "the figure.",
    "2. **Bracket every optimum.** The best value of a grid axis is never at the grid's edge, "
    "or the page says that the optimum may lie beyond the grid.",
    "3. **Choose on one set of seeds, report on another.** A hyper-parameter chosen from the "
    "runs (the best learning rate of a cell, say) is chosen on the first half of the seeds "
    "and the figures quoted are those of the second half.",
    "4. **Censoring-aware spread.** A claim about spread or robustness uses quantities that "
    "count the runs that never converged: the success rate (Wilson interval) and "
    "Kaplan–Meier quartiles, never the spread of the converged runs alone.",
    '5. **Say "disagrees" plainly.** Where nnsweep\'s figure disagrees with the published '
    "one, the page says so, with the measured size of the disagreement.",
]


def complete(path: str | os.PathLike, spec: SweepSpec) -> bool:
    """Whether ``path`` holds every run of ``spec`` from a finished sweep."""
    try:
        res = load(path)
    except ConfigError:
        return False
    m = res.manifest
    return (
        m.get("spec_hash") == spec.spec_hash
        and m.get("finished") is not None
        and len(res.runs) == n_runs(spec)
    )


def run_entry(
    name: str,
    out: str | os.PathLike | None = None,
    jobs: int | None = None,
    *,
    reduced: bool = False,
    on_progress=None,
) -> ResultsDir:
    """Run entry ``name`` into ``out`` (default ``results/NAME``, ``-reduced`` appended
    when reduced) unless it is already complete there; return its results."""
    from sweeps.execute.runner import run

    spec = entry_spec(name, reduced)
    out = Path(out) if out is not None else Path("results") / (name + "-reduced" * reduced)
    if not complete(out, spec):
        run(spec, out, jobs, on_progress=on_progress)
    for part in get_entry(name).parts:
        part_spec = entry_spec(name, reduced, part)
        if not complete(part_dir(out, part), part_spec):
            run(part_spec, part_dir(out, part), jobs, on_progress=on_progress)
    return load(out)


def part_dir(out: str | os.PathLike, part: str) -> Path:
    """Where an entry's part runs: beside the entry's results, ``OUT.PART``."""
    out = Path(out)
    return out.with_name(f"{out.name}.{part}")


def write_page(
    results_dir: str | os.PathLike | ResultsDir, docs: str | os.PathLike = DOCS
) -> Path:
    """Write the entry's page ``docs/NAME.md`` (figures in ``docs/img``) and the index."""
    res = results_dir if isinstance(results_dir, ResultsDir) else load(results_dir)
    entry = get_entry(res.manifest.get("spec", {}).get("name", ""))
    docs = Path(docs)
    parts = {p: load(part_dir(res.path, p)) for p in entry.parts}
    page = entry.analyse(res, docs / "img", parts) if parts else entry.analyse(res, docs / "img")
    path = docs / f"{entry.name}.md"
    docs.mkdir(parents=True, exist_ok=True)
    write_text(path, _markdown(entry, res, page, parts))
    write_index(docs)
    return path


def _markdown(entry: Entry, res: ResultsDir, page: kit.Page, runs_of: dict) -> str:
    key, *more = page.figures
    parts = [
        f"# {entry.title}\n",
        f"**Question.** {entry.question}\n",
        f"**Headline.** {page.headline}\n",
        _image(*key),
        "## Published vs measured\n",
        kit.md_table(_comparison(page)) + "\n",
    ]
    if page.answer:
        parts.append(page.answer + "\n")
    parts += ["## Where they differ, and why\n", page.discussion + "\n"]
    if more or page.tables:
        parts.append("## More\n")
        parts += [_image(*f) for f in more]
        parts += [f"**{title}**\n\n{kit.md_table(table)}\n" for title, table in page.tables]
    parts += ["## Reproduce\n", _reproduce(entry, res, runs_of), "## References\n"]
    parts += [f"- {c}" for c in entry.citations]
    return "\n".join(parts) + "\n"


def _comparison(page: kit.Page):
    import pandas as pd

    return pd.DataFrame(page.comparison, columns=["", "Published", "nnsweep (95% interval)"])


def _image(name: str, caption: str) -> str:
    return f"![{caption.split('.')[0]}](img/{name})\n\n*{caption}*\n"


def _reproduce(entry: Entry, res: ResultsDir, parts: dict[str, ResultsDir]) -> str:
    m = res.manifest
    jobs = m.get("jobs")
    j = f" -j {jobs}" if jobs else ""
    lines = [f"nnsweep run {entry.name}{j}        # trains {len(res.runs):,} runs into "
             f"results/{entry.name}"]  # fmt: skip
    measured = [f"{_wall_time(m)}"]
    for p, part in parts.items():
        spec = entry.part_specs()[p]
        lines.append(
            f"nnsweep run {spec}{j} -o results/{entry.name}.{p}   # {len(part.runs):,} runs"
        )
        measured.append(f"part `{spec}`: {_wall_time(part.manifest)}")
    lines.append(f"nnsweep gallery {entry.name}    # rewrites this page from those results")
    specs = ", ".join(
        f"`sweeps/specs/{s}.toml`" for s in [entry.name, *entry.part_specs().values()]
    )
    return (
        "```bash\n" + "\n".join(lines) + "\n```\n\n"
        f"Measured: {'; '.join(measured)}. "
        + ("`nnsweep gallery` alone runs whatever is missing. " if parts else "")
        + f"The spec{'s are' if parts else ' is'} {specs}; "
        f"nnsweep {m.get('versions', {}).get('nnsweep', '?')}, commit "
        f"{(m.get('git_commit') or 'unknown')[:10]}.\n"
    )


def _wall_time(manifest: dict) -> str:
    """``"2 min 5 s with -j 2 on HOST (2 cores), 2026-11-25"`` from the manifest's times."""
    try:
        start = dt.datetime.fromisoformat(manifest["started"])
        end = dt.datetime.fromisoformat(manifest["finished"])
    except (KeyError, TypeError, ValueError):
        return "wall time not recorded"
    secs = (end - start).total_seconds()
    took = f"{int(secs // 60)} min {secs % 60:.0f} s" if secs >= 60 else f"{secs:.0f} s"
    host = manifest.get("host", "?")
    cores = f" ({os.cpu_count()} cores, shared with other work)" if host == platform.node() else ""
    jobs = manifest.get("jobs")
    return (
        f"{took} of training with {'-j ' + str(jobs) if jobs else 'all cores'} on {host}{cores}, "
        f"{start.date()} (one uninterrupted run, from the manifest's start and end times)"
    )


def write_index(docs: str | os.PathLike) -> Path:
    """``docs/README.md``: every entry, linked where its page has been generated."""
    from sweeps.config.load import bundled_descriptions

    docs = Path(docs)
    described = bundled_descriptions()
    lines = [
        "# Gallery: classic experiments, re-measured\n",
        "Each entry is a bundled spec (`nnsweep run NAME`) and a page generated from its "
        "results (`nnsweep gallery NAME`): the published claim next to nnsweep's measured "
        "figure with its 95% interval, and where and why they differ. No measured number on "
        "these pages is typed by hand.\n",
        "## Rules for every page\n",
        *RULES,
        "\n## Entries\n",
    ]
    for e in ENTRIES.values():
        page = docs / f"{e.name}.md"
        link = f"[{e.title}]({e.name}.md)" if page.is_file() else f"{e.title} (not generated)"
        lines.append(f"- **{e.name}**: {link}. {described.get(e.name, '')}")
    path = docs / "README.md"
    docs.mkdir(parents=True, exist_ok=True)
    write_text(path, "\n".join(lines) + "\n")
    return path
