"""The layout holds: no import circle, imports point down the layers, modules stay small.

Every import of every module of nncore/ and sweeps/ counts — at the top, inside a
function, under ``if TYPE_CHECKING:`` — because a circle hidden in a function is still a
circle a reader must untangle. The layer order is the data's own order: a spec is read
(config), its results have a schema and a directory (results), statistics are pure
functions of tables (stats), execution trains chunks and writes them through the store
and computes their plateau columns (execute), then reports, the regression gate,
benchmarks, the gallery, the demo and the CLI on top. A module may import from its own
layer and from the layers below it, never above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("nncore", "sweeps")
LAYERS = (
    "nncore",
    "sweeps.config",
    "sweeps.results",
    "sweeps.stats",
    "sweeps.execute",
    "sweeps.report",
    "sweeps.regress",
    "sweeps.bench",
    "sweeps.gallery",
    "sweeps.demo",
    "sweeps.cli",
)
FACADE = "sweeps"  # the package root names the public API lazily; nothing imports it
MAX_LINES = 350
MAX_TOP_MODULES = 8


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every project module that ``name`` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            subs = {f"{base}.{a.name}" for a in node.names} & known  # submodules by name
            found.update(subs)
            if len(subs) < len(node.names):  # a name defined in the module itself
                found.add(base)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def layer(name: str) -> int:
    for i, prefix in reversed(list(enumerate(LAYERS))):
        if name == prefix or name.startswith(prefix + "."):
            return i
    raise AssertionError(f"{name} belongs to no layer of {LAYERS}")


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Imports that point up the layer order, or into the facade, as readable lines."""
    bad = []
    for src, targets in sorted(edges.items()):
        for dst in sorted(targets):
            if src == FACADE:
                continue
            if dst == FACADE:
                bad.append(f"{src} imports the facade {FACADE}")
            elif layer(dst) > layer(src):
                bad.append(f"{src} ({LAYERS[layer(src)]}) imports {dst} ({LAYERS[layer(dst)]})")
    return bad


def private_crossings(edges: dict[str, set[str]]) -> list[str]:
    """Underscore modules imported from outside the package that holds them."""
    bad = []
    for src, targets in sorted(edges.items()):
        for dst in sorted(targets):
            leaf = dst.rpartition(".")[2]
            owner = dst.rpartition(".")[0]
            if leaf.startswith("_") and not leaf.startswith("__"):
                if not (src == owner or src.startswith(owner + ".")):
                    bad.append(f"{src} imports the private module {dst}")
    return bad


def test_no_import_circle():
    assert circles(graph()) == []


def test_imports_point_down_the_layers():
    assert upward(graph()) == []


def test_private_modules_stay_in_their_package():
    assert private_crossings(graph()) == []


def test_nncore_imports_nothing_from_sweeps():
    edges = graph()
    assert not [(s, d) for s, t in edges.items() if s.startswith("nncore") for d in t
                if d.startswith("sweeps")]


def test_no_module_is_too_long():
    long = {n: len(p.read_text().splitlines()) for n, p in modules().items()}
    assert {n: k for n, k in long.items() if k > MAX_LINES} == {}


def test_sweeps_top_level_is_small():
    top = [p.name for p in (ROOT / "sweeps").glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= MAX_TOP_MODULES, top


def test_every_subpackage_says_what_lives_there():
    for init in (ROOT / "sweeps").glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        what = f"{init.parent.name}/__init__.py: a docstring saying what it may import"
        assert doc and "import" in doc.lower(), what


# The checkers themselves, on graphs made to fail: a test that cannot fail proves nothing.


def test_circles_finds_a_circle_hidden_in_a_longer_chain():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert circles(edges) == [["a", "b", "c"]]


def test_upward_names_an_import_that_points_up():
    edges = {"sweeps.config.spec": {"sweeps.report.write"}, "sweeps.report.write": set()}
    assert upward(edges) == [
        "sweeps.config.spec (sweeps.config) imports sweeps.report.write (sweeps.report)"
    ]


def test_private_crossings_allows_the_package_and_refuses_others():
    edges = {"nncore.train": {"nncore._dense"}, "sweeps.bench.trainer": {"nncore._dense"}}
    assert private_crossings(edges) == [
        "sweeps.bench.trainer imports the private module nncore._dense"
    ]


def test_imports_inside_functions_and_type_checking_count(tmp_path):
    src = tmp_path / "m.py"
    src.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .b import X\n"
        "def f():\n    from . import c\n"
    )
    found = imports_of("p.m", src, {"p.b", "p.c", "p.m"})
    assert found == {"p.b", "p.c"}


@pytest.mark.parametrize("name", ["sweeps.cli._run", "sweeps.config.spec", "nncore.train"])
def test_every_module_has_a_layer(name):
    assert LAYERS[layer(name)] in name
