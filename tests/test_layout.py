"""The layout of the code: no import circles, arrows pointing down, short modules.

Every ``.py`` under nncore/ and sweeps/ is parsed with ``ast``; every import counts
(top level, inside functions, under ``if TYPE_CHECKING:``), relative ones resolved.
An import of a name re-exported by a package's ``__init__`` (``from .x import name``)
counts as an import of the module it comes from.

The layers, lowest first: nncore < sweeps.config < sweeps.results < sweeps.stats <
sweeps.execute < sweeps.report < sweeps.regress < sweeps.bench < sweeps.doctor <
sweeps.gallery < sweeps.demo < sweeps.cli. A module imports from its own layer or lower ones only.
results sits above config because runs.csv's columns start with the grid's parameter
columns (:mod:`sweeps.config.columns`); execute sits above stats because each chunk
computes its plateau columns (:mod:`sweeps.stats.plateau`). The facade
``sweeps/__init__.py`` names anything (lazily) and nothing imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("nncore", "sweeps")
LAYERS = (
    "nncore", "sweeps.config", "sweeps.results", "sweeps.stats", "sweeps.execute",
    "sweeps.report", "sweeps.regress", "sweeps.bench", "sweeps.doctor", "sweeps.gallery",
    "sweeps.demo",
    "sweeps.cli",
)  # fmt: skip
FACADE = "sweeps"
MAX_LINES = 350
MAX_TOP_LEVEL = 8


def modules(root: Path = ROOT) -> dict[str, Path]:
    """``{dotted module name: path}`` of every .py under the packages (a package is its
    ``__init__``)."""
    out = {}
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _absolute(module: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(files: dict[str, Path]) -> dict[str, set[tuple[str, str]]]:
    """``{module: {(imported module, name)}}``: ``name`` is the imported name, or ``""``."""
    known = set(files)
    raw: dict[str, set[tuple[str, str]]] = {m: set() for m in files}
    for m, path in files.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                raw[m] |= {(a.name, "") for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                src = _absolute(m, is_pkg, node)
                for a in node.names:
                    sub = f"{src}.{a.name}"
                    raw[m].add((sub, "") if sub in known else (src, a.name))
    return {m: {(t, n) for t, n in targets if _owner(t, known)} for m, targets in raw.items()}


def _owner(name: str, known: set[str]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def graph(files: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules it imports (a re-exported name -> the module it comes from)."""
    known = set(files)
    found = imports(files)
    reexport = {}
    for pkg, targets in found.items():
        if files[pkg].name == "__init__.py":
            for target, name in targets:
                if name and _owner(target, known) != pkg:
                    reexport[(pkg, name)] = _owner(target, known)
    edges: dict[str, set[str]] = {m: set() for m in files}
    for m, targets in found.items():
        for target, name in targets:
            owner = reexport.get((target, name)) or _owner(target, known)
            if owner and owner != m:
                edges[m].add(owner)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def layer(module: str) -> int | None:
    """The position of ``module``'s layer in :data:`LAYERS` (None: the facade, or none)."""
    best = None
    for i, name in enumerate(LAYERS):
        if module == name or module.startswith(name + "."):
            best = i
    return best


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Imports that point up the layer order, or at the facade, as ``"a -> b"`` lines."""
    bad = []
    for m in sorted(edges):
        for t in sorted(edges[m]):
            if t == FACADE and m != FACADE:
                bad.append(f"{m} -> {t} (the facade is for users; import the module itself)")
            elif m != FACADE and layer(t) is not None and layer(m) is not None:
                if layer(t) > layer(m):
                    bad.append(f"{m} -> {t} ({LAYERS[layer(m)]} is below {LAYERS[layer(t)]})")
            elif m != FACADE and t.startswith("sweeps.") and layer(t) is None:
                bad.append(f"{m} -> {t} (a module outside every layer)")
    return bad


def _package(module: str, files: dict[str, Path]) -> str:
    return module if files[module].name == "__init__.py" else module.rpartition(".")[0]


def private_crossings(files: dict[str, Path]) -> list[str]:
    """Imports of an underscore module or name from outside the package that owns it."""
    known = set(files)
    bad = []
    for m, targets in sorted(imports(files).items()):
        here = _package(m, files)
        for target, name in sorted(targets):
            owner = _owner(target, known)
            there = _package(owner, files)
            hidden = [p for p in owner.split(".") if p.startswith("_") and p != "__init__"]
            if name.startswith("_"):
                hidden.append(name)
            inside = here == there or here.startswith(there + ".")
            if hidden and not inside:
                bad.append(f"{m} imports {target}{'.' + name if name else ''}")
    return bad


# -- the checker can fail --------------------------------------------------------------------


def test_the_checker_finds_a_circle_and_an_upward_import():
    edges = {
        "sweeps.config.a": {"sweeps.report.b"},  # upward
        "sweeps.report.b": {"sweeps.report.c"},
        "sweeps.report.c": {"sweeps.report.b"},  # circle b <-> c
        "sweeps.cli.d": {"sweeps"},  # the facade
        "sweeps": {"sweeps.cli.d"},
        "nncore.e": {"sweeps.config.a"},  # nncore imports nothing of sweeps
    }
    assert circles(edges) == [["sweeps", "sweeps.cli.d"], ["sweeps.report.b", "sweeps.report.c"]]
    assert [line.split(" (")[0] for line in upward(edges)] == [
        "nncore.e -> sweeps.config.a",
        "sweeps.cli.d -> sweeps",
        "sweeps.config.a -> sweeps.report.b",
    ]
    assert circles({"a": {"b"}, "b": set()}) == [] and upward({"sweeps.cli.x": {"nncore"}}) == []


def test_the_checker_reads_every_kind_of_import(tmp_path):
    pkg = tmp_path / "sweeps"
    (pkg / "config").mkdir(parents=True)
    (pkg / "report").mkdir()
    (tmp_path / "nncore").mkdir()
    (tmp_path / "nncore" / "__init__.py").write_text("from ._x import y\n")
    (tmp_path / "nncore" / "_x.py").write_text("y = 1\n")
    (pkg / "__init__.py").write_text("")
    (pkg / "config" / "__init__.py").write_text("")
    (pkg / "report" / "__init__.py").write_text("")
    (pkg / "report" / "w.py").write_text("from nncore._x import y\n")
    (pkg / "config" / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..report import w\n"
        "def f():\n    from . import b\n"
    )
    (pkg / "config" / "b.py").write_text("import sweeps.config.a\nfrom nncore import y\n")
    files = modules(tmp_path)
    edges = graph(files)
    assert edges["sweeps.config.a"] == {"sweeps.report.w", "sweeps.config.b"}
    assert edges["sweeps.config.b"] == {"sweeps.config.a", "nncore._x"}  # via the re-export
    assert circles(edges) == [["sweeps.config.a", "sweeps.config.b"]]
    assert upward(edges)[0].startswith("sweeps.config.a -> sweeps.report.w")
    assert private_crossings(files) == ["sweeps.report.w imports nncore._x.y"]


# -- the code --------------------------------------------------------------------------------


def _circles_in(package: str) -> list[list[str]]:
    return [c for c in circles(graph(modules())) if any(m.split(".")[0] == package for m in c)]


def test_no_import_circles_in_sweeps():
    found = _circles_in("sweeps")
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_no_import_circles_in_nncore():
    found = _circles_in("nncore")
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_imports_point_down_the_layers():
    bad = upward(graph(modules()))
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_every_module_is_in_a_layer():
    files = modules()
    outside = [m for m in files if m != FACADE and layer(m) is None]
    assert not outside, f"modules in no layer of {LAYERS}: {outside}"


def test_no_module_is_longer_than_the_limit():
    long = {
        m: n
        for m, p in modules().items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_sweeps_top_level_is_short():
    top = sorted(p.name for p in (ROOT / "sweeps").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_LEVEL, f"{len(top)} modules at sweeps/ top level: {top}"


def test_no_private_module_or_name_crosses_a_package_boundary():
    bad = private_crossings(modules())
    assert not bad, "private names used outside their package:\n" + "\n".join(bad)
