"""The mutation check: does the test suite, or the gate, catch realistic one-line bugs?

Each mutant in docs/mutants.toml is an exact text replacement. For each, this script
copies the repository (its git files) to a temporary directory, applies the mutant
there, and runs, in the copy and importing the copy's code:

* the test suite (``python -m pytest -q -x -p no:cacheprovider``, the mutated module's
  own test file first);
* the gate as .ci/run runs it: ``nnsweep check SPEC --baseline ... --exact`` for ci,
  ci-full, ci-ce and ci-bce. The statistical verdict comes from the same runs: a check
  prints it, and exits 1 on it, with or without ``--exact``.

Usage::

    python docs/mutants.py [--only ID] [-j N] [--no-tests]

It takes minutes, so it is not part of .ci/run; run it before a release.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
GATE = [(s, f"results/baselines/{s}.csv") for s in ("ci", "ci-full", "ci-ce", "ci-bce")] + [
    ("examples/seed/corrected.toml", "examples/seed/baselines/corrected.csv")
]
PACKAGES = ("nncore", "sweeps")


def load_mutants(path: Path = ROOT / "docs" / "mutants.toml") -> list[dict]:
    """The mutants, each checked to have an id, a file hint, old and new text, about."""
    mutants = tomllib.loads(path.read_text())["mutant"]
    for m in mutants:
        missing = [k for k in ("id", "file", "old", "new", "about") if k not in m]
        if missing:
            sys.exit(f"{path.name}: mutant {m.get('id', '?')!r} lacks {missing}")
    return mutants


def locate(root: Path, mutant: dict) -> Path:
    """The one file under nncore/ and sweeps/ holding the mutant's old text."""
    hits = [
        (p, p.read_text().count(mutant["old"]))
        for pkg in PACKAGES
        for p in sorted((root / pkg).rglob("*.py"))
    ]
    hits = [(p, n) for p, n in hits if n]
    total = sum(n for _, n in hits)
    if total != 1:
        where = ", ".join(f"{p.relative_to(root)} x{n}" for p, n in hits) or "nowhere"
        raise LookupError(
            f"mutant {mutant['id']} (written for {mutant['file']}): its old text occurs "
            f"{total} times ({where}); it must occur exactly once"
        )
    return hits[0][0]


def mirror(root: Path, module: Path) -> list[str]:
    """The test file that mirrors ``module`` (nncore/x.py: tests/nncore/test_x.py), if any."""
    rel = module.relative_to(root)
    test = Path("tests", *rel.parts[:-1], f"test_{rel.name}")
    return [str(test)] if (root / test).is_file() else []


def suite_order(root: Path) -> list[str]:
    """Every test path, the unit tests (tests/nncore, tests/sweeps) first."""
    first = ["tests/nncore", "tests/sweeps"]
    rest = sorted(
        str(p.relative_to(root))
        for p in (root / "tests").iterdir()
        if (p.is_dir() and p.name not in ("nncore", "sweeps", "data", "__pycache__"))
        or (p.suffix == ".py" and p.name.startswith("test_"))
    )
    return first + rest


def copy_repo(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(copy))
    env.pop("PYTHONSAFEPATH", None)
    return env


def check_imports_copy(copy: Path) -> None:
    """Make sure that code run in ``copy`` imports the copy's packages, not ours."""
    code = "import nncore, sweeps; print(nncore.__file__); print(sweeps.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=copy, env=_env(copy), capture_output=True, text=True
    ).stdout.split()
    if len(out) != 2 or not all(Path(p).resolve().is_relative_to(copy.resolve()) for p in out):
        raise RuntimeError(f"the copy in {copy} imports {out}, not its own code")


def _run(cmd: list[str], copy: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=copy, env=_env(copy), capture_output=True, text=True)


def try_mutant(mutant: dict, tests: bool) -> dict:
    """Apply ``mutant`` to a fresh copy; which of the tests, exact and statistical gate fail."""
    with tempfile.TemporaryDirectory(prefix=f"mutant-{mutant['id']}-") as tmp:
        copy = Path(tmp)
        copy_repo(copy)
        check_imports_copy(copy)
        target = locate(copy, mutant)
        target.write_text(target.read_text().replace(mutant["old"], mutant["new"]))
        row = {"id": mutant["id"], "about": mutant["about"], "tests": None}
        if tests:
            # The mutated module's own test file first, then the whole suite with the
            # slow fault suite last: a caught mutant stops early (-x). (pytest folds a
            # file into a directory given beside it, hence two runs.)
            cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
            own = mirror(copy, target)
            row["tests"] = bool(own) and _run([*cmd, *own], copy).returncode != 0
            row["tests"] = row["tests"] or _run([*cmd, *suite_order(copy)], copy).returncode != 0
        exact, stat, where = False, False, []
        for spec, baseline in GATE:
            out = copy / "results" / "checks" / Path(spec).stem
            cmd = [sys.executable, "-m", "sweeps.cli", "check", spec, "--baseline", baseline,
                   "--exact", "-j", "1", "-o", str(out)]  # fmt: skip
            res = _run(cmd, copy)
            exact |= res.returncode != 0
            caught = res.returncode == 2 or "\nFAIL: " in res.stdout
            stat |= caught
            where += [Path(spec).stem] if caught else []
        row.update(exact=exact, stat=stat, where=" ".join(where))
        return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", help="run this mutant only (repeatable)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="mutants run in parallel")
    ap.add_argument("--no-tests", action="store_true", help="run the gate only")
    args = ap.parse_args(argv)
    mutants = load_mutants()
    for m in mutants:
        locate(ROOT, m)  # every old text found exactly once, before any work
    if args.only:
        unknown = set(args.only) - {m["id"] for m in mutants}
        if unknown:
            sys.exit(f"--only {sorted(unknown)[0]!r}: no such mutant; see docs/mutants.toml")
        mutants = [m for m in mutants if m["id"] in args.only]
    rows = []
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = [pool.submit(try_mutant, m, not args.no_tests) for m in mutants]
        for done in as_completed(futures):  # a line as each finishes: the run is long
            rows.append(done.result())
            print(_row(rows[-1], max(len(m["id"]) for m in mutants)), flush=True)
    order = [m["id"] for m in mutants]
    print(table(sorted(rows, key=lambda r: order.index(r["id"]))))
    return 0


YN = {True: "y", False: "n", None: "-"}


def _row(r: dict, width: int) -> str:
    line = f"{r['id']:<{width}}  {YN[r['tests']]:>5}  {YN[r['exact']]:>10}  {YN[r['stat']]:>16}"
    return f"{line}  {r['where']}".rstrip()


def table(rows: list[dict]) -> str:
    width = max(len(r["id"]) for r in rows)
    lines = [f"{'mutant':<{width}}  tests  exact gate  statistical gate  (by spec)"]
    lines += [_row(r, width) for r in rows]
    n = len(rows)
    count = {k: sum(bool(r[k]) for r in rows) for k in ("tests", "exact", "stat")}
    caught_any = sum(bool(r["tests"] or r["exact"]) for r in rows)
    tests = f"{count['tests']}/{n}" if rows[0]["tests"] is not None else "not run"
    lines.append(
        f"caught: tests {tests}, exact gate {count['exact']}/{n}, statistical gate "
        f"{count['stat']}/{n}; by the tests or the exact gate {caught_any}/{n}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
