"""The gallery: classic experiments re-measured, each a bundled spec and a generated page.

An entry is a bundled spec (``nnsweep run NAME``) plus an analysis that reads its
results directory and writes ``docs/gallery/NAME.md`` with its figures in
``docs/gallery/img/``: the headline, the key plot, the exact command and its
measured wall time, the citation, and a table putting the published claim next to
nnsweep's measured figure with its 95% interval (Wilson for rates, Kaplan–Meier for
median epochs). Every measured number on a page is computed from the runs; only the
published claims are written by hand.

Example
-------
>>> from sweeps.gallery.pages import run_entry, write_page
>>> res = run_entry("xor-hidden-units", jobs=2)  # doctest: +SKIP
>>> write_page(res, "docs/gallery")  # doctest: +SKIP
PosixPath('docs/gallery/xor-hidden-units.md')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nncore.rules import ConfigError, check_choice, check_number
from sweeps.config.spec import SweepSpec, load_spec
from sweeps.results.files import write_text
from sweeps.results.read import ResultsDir, load

from . import (
    depth_saturation,
    encoder,
    init_plateau,
    kit,
    seed_or_gate,
    two_spirals,
    xor_hidden_units,
)

DOCS = Path("docs/gallery")


@dataclass(frozen=True)
class Entry:
    """One gallery entry: its bundled spec's name, its page title, question and sources."""

    name: str
    title: str
    question: str
    citations: tuple[str, ...]
    analyse: Callable[[ResultsDir, Path], kit.Page]


ENTRIES: dict[str, Entry] = {
    e.name: e
    for e in [
        Entry(
            "seed-or-gate",
            "The seed's OR gate: why sigmoid crawls, and what fixes it",
            "An OR gate, 2-6-1, from weights normal(0, 0.01): why does a sigmoid network "
            "crawl where tanh learns, and what else (init scale, learning rate, output loss) "
            "fixes it?",
            (
                'The seed question: "Neural network backpropagation not fully training", '
                "Stack Overflow question 48970179, and its accepted answer (the text is in "
                "`shared/seed/`).",
            ),
            seed_or_gate.page,
        ),
        Entry(
            "xor-hidden-units",
            "XOR: failures and epochs against the number of hidden units",
            "How do the failure rate and the time to learn XOR change with 2, 3, 4, 8, 16 and "
            "32 sigmoid hidden units (batch gradient descent, momentum 0.9)?",
            (
                "D. E. Rumelhart, G. E. Hinton & R. J. Williams (1986). Learning internal "
                "representations by error propagation. In *Parallel Distributed Processing*, "
                "vol. 1, ch. 8. MIT Press.",
            ),
            xor_hidden_units.page,
        ),
        Entry(
            "encoder-8-3-8",
            "The 8-3-8 and 10-5-10 encoders: plain GD, momentum, Rprop and Adam",
            "Under Fahlman's 40-20-40 rule, how many epochs do plain gradient descent, "
            "momentum, Rprop and Adam need on the n-m-n encoders, each at its best rate?",
            (
                "S. E. Fahlman (1988). An empirical study of learning speed in back-propagation "
                "networks. Technical report CMU-CS-88-162, Carnegie Mellon University.",
                "M. Riedmiller & H. Braun (1993). A direct adaptive method for faster "
                "backpropagation learning: the RPROP algorithm. *IEEE International "
                "Conference on Neural Networks*, 586–591.",
            ),
            encoder.page,
        ),
        Entry(
            "init-plateau",
            "XOR from small and large initial weights: plateaus and failures",
            "How does the range of the initial weights (±0.01 to ±3) decide whether XOR "
            "2-2-1 and 2-2-2-1 learn: where do runs sit on a plateau, and where do they fail?",
            (
                "J. F. Kolen & J. B. Pollack (1990). Back propagation is sensitive to initial "
                "conditions. *Complex Systems* 4(3), 269–280.",
            ),
            init_plateau.page,
        ),
        Entry(
            "depth-saturation",
            "Depth and saturation: where sigmoid networks stop training",
            "On 4-bit parity with 1 to 5 hidden layers of 8, where do sigmoid networks stop "
            "training as depth grows, and do tanh, relu, LeCun's scaled tanh, or Glorot and "
            "He initialisation change that?",
            (
                "X. Glorot & Y. Bengio (2010). Understanding the difficulty of training deep "
                "feedforward neural networks. *AISTATS*, PMLR 9, 249–256.",
                "Y. LeCun, L. Bottou, G. B. Orr & K.-R. Müller (1998). Efficient BackProp. In "
                "*Neural Networks: Tricks of the Trade*, LNCS 1524, 9–50. Springer.",
            ),
            depth_saturation.page,
        ),
        Entry(
            "two-spirals",
            "Two spirals: plain GD vs Adam vs Rprop within a budget",
            "Within 4,000 epochs, how often do networks with 1 to 3 hidden layers separate "
            "the two spirals under plain gradient descent, Adam and Rprop, and what do a "
            "success and a failure look like?",
            (
                "K. J. Lang & M. J. Witbrock (1988). Learning to tell two spirals apart. "
                "*Proceedings of the 1988 Connectionist Models Summer School*.",
                'The CMU neural-network benchmark collection, "two-spirals" (maintained by '
                "S. E. Fahlman): the data, the 40-20-40 rule and epochs as the unit.",
            ),
            two_spirals.page,
        ),
    ]
}


def get_entry(name: str) -> Entry:
    """The gallery entry ``name`` (one-line ConfigError with a did-you-mean when unknown)."""
    return ENTRIES[check_choice("entry", name, ENTRIES)]


def reduce(spec: SweepSpec, seeds: int = 3, max_epochs: int = 200, keep: int = 2) -> SweepSpec:
    """A small version of ``spec`` for smoke tests: fewer seeds, epochs and axis levels.

    Each axis keeps ``keep`` of its levels, spread from first to last, so every
    figure still has its panels and lines; the name and stop rule are unchanged.
    """
    for field, value in (("seeds", seeds), ("max_epochs", max_epochs), ("keep", keep)):
        check_number(field, value, low=1, integer=True)
    params = {k: _spread(v, keep) for k, v in spec.params.items()}
    return dataclasses.replace(
        spec,
        seeds=spec.seeds[:seeds],
        max_epochs=min(spec.max_epochs, max_epochs),
        params=params,
        source="",
    )


def _spread(values: tuple, keep: int) -> tuple:
    if len(values) <= keep:
        return values
    picks = sorted({round(i * (len(values) - 1) / (keep - 1)) for i in range(keep)})
    return tuple(values[i] for i in picks)


def entry_spec(name: str, reduced: bool = False) -> SweepSpec:
    """The bundled spec of entry ``name``, or its reduced version (see :func:`reduce`)."""
    spec = load_spec(get_entry(name).name)
    return reduce(spec) if reduced else spec


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
        and len(res.runs) == spec.n_runs
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
    return load(out)


def write_page(
    results_dir: str | os.PathLike | ResultsDir, docs: str | os.PathLike = DOCS
) -> Path:
    """Write the entry's page ``docs/NAME.md`` (figures in ``docs/img``) and the index."""
    res = results_dir if isinstance(results_dir, ResultsDir) else load(results_dir)
    entry = get_entry(res.manifest.get("spec", {}).get("name", ""))
    docs = Path(docs)
    page = entry.analyse(res, docs / "img")
    path = docs / f"{entry.name}.md"
    docs.mkdir(parents=True, exist_ok=True)
    write_text(path, _markdown(entry, res, page))
    write_index(docs)
    return path


def _markdown(entry: Entry, res: ResultsDir, page: kit.Page) -> str:
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
    parts += ["## Reproduce\n", _reproduce(entry, res), "## References\n"]
    parts += [f"- {c}" for c in entry.citations]
    return "\n".join(parts) + "\n"


def _comparison(page: kit.Page):
    import pandas as pd

    return pd.DataFrame(page.comparison, columns=["", "Published", "nnsweep (95% interval)"])


def _image(name: str, caption: str) -> str:
    return f"![{caption.split('.')[0]}](img/{name})\n\n*{caption}*\n"


def _reproduce(entry: Entry, res: ResultsDir) -> str:
    m = res.manifest
    jobs = m.get("jobs")
    command = f"nnsweep run {entry.name}" + (f" -j {jobs}" if jobs else "")
    return (
        "```bash\n"
        f"{command}        # trains {len(res.runs):,} runs into results/{entry.name}\n"
        f"nnsweep gallery {entry.name}    # rewrites this page from those results\n"
        "```\n\n"
        f"Measured: {_wall_time(m)}. The spec is `sweeps/specs/{entry.name}.toml`; "
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
    from sweeps.config.spec import bundled_descriptions

    docs = Path(docs)
    described = bundled_descriptions()
    lines = [
        "# Gallery: classic experiments, re-measured\n",
        "Each entry is a bundled spec (`nnsweep run NAME`) and a page generated from its "
        "results (`nnsweep gallery NAME`): the published claim next to nnsweep's measured "
        "figure with its 95% interval, and where and why they differ. No measured number on "
        "these pages is typed by hand.\n",
    ]
    for e in ENTRIES.values():
        page = docs / f"{e.name}.md"
        link = f"[{e.title}]({e.name}.md)" if page.is_file() else f"{e.title} (not generated)"
        lines.append(f"- **{e.name}**: {link}. {described.get(e.name, '')}")
    path = docs / "README.md"
    docs.mkdir(parents=True, exist_ok=True)
    write_text(path, "\n".join(lines) + "\n")
    return path
