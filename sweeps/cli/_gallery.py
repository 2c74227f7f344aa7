"""nnsweep gallery: run a classic experiment and write its page."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import EXIT_OK, add_jobs


def _gallery(args: argparse.Namespace) -> int:
    from sweeps.gallery.entries import entry_spec
    from sweeps.gallery.pages import complete, run_entry, write_page

    spec = entry_spec(args.name, args.reduced)  # an unknown name fails before any work
    out = args.out or Path("results") / (args.name + "-reduced" * args.reduced)
    docs = args.docs or (out / "gallery" if args.reduced else Path("docs/gallery"))
    bar = None

    def progress(p) -> None:
        nonlocal bar
        if bar is None and not args.quiet:
            from tqdm import tqdm

            bar = tqdm(total=p.total, initial=p.done, unit="run", desc=spec.name)
        if bar is not None:
            bar.n = p.done
            bar.refresh()

    if not args.quiet and complete(out, spec):
        print(f"{out} already holds every run of {spec.name}: writing the page only")
    try:
        res = run_entry(args.name, out, args.jobs, reduced=args.reduced, on_progress=progress)
    finally:
        if bar is not None:
            bar.close()
    page = write_page(res, docs)
    if not args.quiet:
        print(f"results: {out}\npage: {page}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the ``nnsweep`` parser."""
    gl = sub.add_parser("gallery", help="run a gallery entry and write its page")
    gl.add_argument("name", help="a gallery entry (a bundled spec name, e.g. two-spirals)")
    add_jobs(gl)
    gl.add_argument("-o", "--out", type=Path, default=None, help="results directory")
    gl.add_argument(
        "--docs",
        type=Path,
        default=None,
        help="where the page goes (default docs/gallery; with --reduced, OUT/gallery)",
    )
    gl.add_argument(
        "--reduced",
        action="store_true",
        help="3 seeds, 200 epochs, 2 levels per axis: a smoke test",
    )
    gl.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    gl.set_defaults(func=_gallery)
