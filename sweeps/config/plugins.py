"""Plugins: the user's files and modules that register parts, loaded wherever runs train.

A spec's ``plugins = ["extras/my_parts.py", "mypkg.nnsweep_ext"]`` names a Python file
(relative to the spec file) or an importable module; installed packages add theirs
through the entry-point group ``nnsweep.plugins`` (a module, or ``module:function``
to call). Each is imported once per process, inside
:func:`nncore.extend.registering`, so the parts it registers belong to it, and is
identified by its sha256 (a file's bytes; a module's source, a package's every
``.py``). The main process loads them before the spec is checked; each worker loads
them from the task's references (:meth:`Plugin.ref`) before it trains, and refuses
to train with a plugin whose hash is not the main process's. A file's code is run
from the very bytes that were hashed.

Every failure is one line naming the plugin (:class:`PluginError`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nncore.extend import claim, origin, registering, unregister
from nncore.rules import ConfigError

__all__ = [
    "GROUP",
    "PART_COLUMNS",
    "Plugin",
    "PluginError",
    "ensure",
    "entry_point_plugins",
    "load",
    "load_listed",
    "loaded",
    "run_plugins",
    "unload",
    "used_plugins",
]

GROUP = "nnsweep.plugins"
MODULE_RE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:[A-Za-z_]\w*)?")
# The run parameters that name a registered part, and the kind of part each names.
PART_COLUMNS = {
    "task": "task", "activation": "activation", "output_activation": "activation",
    "loss": "loss", "init": "initializer", "optimizer": "optimizer",
}  # fmt: skip


class PluginError(ConfigError):
    """A plugin cannot be found, imported or trusted: one line naming it."""


@dataclass(frozen=True)
class Plugin:
    """A loaded plugin: its ``name`` (as the spec writes it, or the entry point's),
    ``kind`` ("file", "module" or "entry point"), ``target`` (the file's absolute path,
    or ``module[:function]``), the ``path`` hashed and its ``sha256``."""

    name: str
    kind: str
    target: str
    path: str
    sha256: str

    def ref(self) -> tuple[str, str, str, str]:
        """What a worker needs to load it and check it: plain strings."""
        return (self.name, self.kind, self.target, self.sha256)

    def to_dict(self) -> dict[str, str]:
        """The manifest's and the canonical spec's entry (an entry point's with its
        ``target``, the module it names: its name is not one)."""
        out = {"name": self.name, "kind": self.kind, "path": self.path, "sha256": self.sha256}
        if self.kind == "entry point":
            out["target"] = self.target
        return out


_loaded: dict[str, Plugin] = {}  # by target: the plugins this process has imported
_entry_points: tuple[Plugin, ...] | None = None
_by_task: set[str] = set()  # targets loaded by ensure() alone: a worker's


def loaded() -> tuple[Plugin, ...]:
    """The plugins imported in this process."""
    return tuple(_loaded.values())


def unload(plugin: Plugin) -> None:
    """Forget ``plugin`` in this process and unregister its parts."""
    global _entry_points
    unregister(plugin.target)
    _loaded.pop(plugin.target, None)
    if _entry_points is not None and plugin in _entry_points:
        _entry_points = tuple(p for p in _entry_points if p != plugin)


def load(kind: str, name: str, target: str, expected: str | None = None) -> Plugin:
    """Import a plugin once per process (again if its source changed); return it.

    ``expected`` is the sha256 it must have (a worker's check, or a recorded spec's).
    """
    if kind == "file":
        data = _read(name, target)
        path, sha = target, hashlib.sha256(data).hexdigest()
    else:
        path, sha = _module_source(name, target.partition(":")[0])
    if expected is not None and sha != expected:
        raise PluginError(
            f"plugin {name!r} is not the one the sweep started with: its sha256 is now "
            f"{sha[:12]}, was {expected[:12]} (its file changed mid-sweep, or a worker has "
            "another version); run the sweep again"
        )
    old = _loaded.get(target)
    if old is not None and old.sha256 == sha:
        return old
    unregister(target)
    with registering(target, name):
        try:
            _execute(kind, name, target, data if kind == "file" else b"", sha, old is not None)
        except BaseException as e:
            unregister(target)
            if isinstance(e, KeyboardInterrupt):
                raise
            if isinstance(e, ConfigError):
                raise PluginError(str(e)) from None
            why = _describe(e, target)
            raise PluginError(f"plugin {name!r}: cannot import it: {why}") from None
    if kind != "file":
        claim(target, name, target.partition(":")[0])
    plugin = Plugin(name, kind, target, path, sha)
    _loaded[target] = plugin
    return plugin


def _read(name: str, target: str) -> bytes:
    try:
        return Path(target).read_bytes()
    except FileNotFoundError:
        raise PluginError(f"plugin {name!r}: no such file ({target})") from None
    except OSError as e:
        raise PluginError(f"plugin {name!r}: cannot read {target}: {e.strerror}") from None


def _execute(kind: str, name: str, target: str, data: bytes, sha: str, again: bool) -> None:
    """Run a file's bytes as a module of its own, or import (or reload) a module."""
    if kind == "file":
        module = types.ModuleType(f"nnsweep_plugin_{sha[:16]}")
        module.__file__ = target
        sys.modules[module.__name__] = module  # dataclasses and pickle look modules up
        try:
            exec(compile(data, target, "exec"), module.__dict__)
        except BaseException:
            del sys.modules[module.__name__]
            raise
        return
    modname, _, func = target.partition(":")
    module = sys.modules.get(modname)
    module = importlib.reload(module) if again and module else importlib.import_module(modname)
    if func:
        getattr(module, func)()


def _describe(e: BaseException, target: str = "") -> str:
    """One line: the exception, its message's first line, and the plugin's line."""
    if isinstance(e, SyntaxError):
        return f"SyntaxError: {e.msg} (line {e.lineno})"
    text = str(e).strip().splitlines()
    module = target.partition(":")[0]
    line, tb = "", e.__traceback__
    while tb is not None:  # the innermost frame of the plugin's own code
        frame = tb.tb_frame
        here = frame.f_globals.get("__name__", "")
        if frame.f_code.co_filename == target or here == module or here.startswith(module + "."):
            line = f" (line {tb.tb_lineno})"
        tb = tb.tb_next
    return f"{type(e).__name__}: {text[0] if text else '(no message)'}{line}"


def _module_source(name: str, module: str) -> tuple[str, str]:
    """The source a module plugin is identified by, and its sha256."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as e:
        raise PluginError(f"plugin {name!r}: cannot import it: {_describe(e)}") from None
    if spec is None:
        raise PluginError(
            f"plugin {name!r}: no module named {module!r} (not installed, and not on the "
            "Python path; a file is named by its path, ending in .py)"
        )
    h = hashlib.sha256()
    if spec.submodule_search_locations:  # a package: every .py in it, by relative path
        root = Path(next(iter(spec.submodule_search_locations)))
        for f in sorted(root.rglob("*.py")):
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
        return str(root), h.hexdigest()
    if not spec.origin or not Path(spec.origin).is_file():
        raise PluginError(f"plugin {name!r}: module {module!r} has no source file to hash")
    return spec.origin, hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()


def entry_point_plugins(refresh: bool = False) -> tuple[Plugin, ...]:
    """The installed plugins (entry-point group ``nnsweep.plugins``), loaded once."""
    global _entry_points
    if _entry_points is None or refresh:
        from importlib.metadata import entry_points

        found = sorted(entry_points(group=GROUP), key=lambda e: e.name)
        _entry_points = tuple(load("entry point", ep.name, ep.value) for ep in found)
    return _entry_points


def load_listed(entries: Any, base: Path) -> tuple[Plugin, ...]:
    """Load a spec's ``plugins`` (paths relative to ``base``, module names, the dicts
    of :meth:`Plugin.to_dict`, or Plugins); one-line errors naming the entry."""
    if isinstance(entries, (str, Mapping)) or not isinstance(entries, Iterable):
        raise ConfigError(f"plugins={entries!r} must be a list of file paths or module names")
    out: list[Plugin] = []
    for entry in entries:
        if isinstance(entry, Plugin):  # a spec rebuilt in another process (unpickled)
            ensure([entry.ref()])
            p = _loaded[entry.target]
        elif isinstance(entry, Mapping):
            p = _from_record(entry, base)
        else:
            p = load(*_locate(entry, base))
        _by_task.discard(p.target)  # checked by a spec here: no task may unload it
        if any(q.target == p.target for q in out):
            raise ConfigError(f"plugins lists {entry!r} twice")
        out.append(p)
    return tuple(out)


def _locate(entry: Any, base: Path) -> tuple[str, str, str]:
    """``(kind, name, target)`` of one spec entry: a .py path or a module name."""
    if isinstance(entry, str) and (entry.endswith(".py") or "/" in entry or "\\" in entry):
        return "file", entry, str((base / entry).resolve())
    if isinstance(entry, str) and MODULE_RE.fullmatch(entry) and ":" not in entry:
        return "module", entry, entry
    raise ConfigError(
        f"plugins entry {entry!r} is neither a file path ending in .py nor a module name "
        "(e.g. 'extras/my_parts.py' or 'mypkg.nnsweep_ext')"
    )


def _from_record(entry: Mapping[str, Any], base: Path) -> Plugin:
    """A recorded plugin (a manifest's spec): the same source, checked by its hash."""
    name, kind, sha = entry.get("name"), entry.get("kind", "file"), entry.get("sha256")
    if not isinstance(name, str) or not isinstance(sha, str):
        raise ConfigError(f"plugins entry {dict(entry)!r} needs a name and a sha256")
    if kind == "entry point":
        return load(kind, name, str(entry.get("target")), sha)
    kind, name, target = _locate(name, base)
    path = entry.get("path")
    if kind == "file" and isinstance(path, str):
        if not Path(path).is_file():
            raise PluginError(f"plugin {name!r}: its file is gone (it was {path})")
        target = path
    return load(kind, name, target, expected=sha)


def ensure(refs: Sequence[Sequence[str]]) -> None:
    """In a worker: load each plugin of ``refs`` (:meth:`Plugin.ref`) unless this process
    has it already with that hash, and refuse one whose source has another hash.

    A plugin an earlier task brought in and this one does not list is unloaded first (a
    reused worker may have served another sweep, whose parts could hold the same names);
    plugins loaded by checking a spec in this process are left alone.
    """
    wanted = {target for _, _, target, _ in refs}
    for target in sorted(_by_task - wanted):
        if target in _loaded:
            unload(_loaded[target])
        _by_task.discard(target)
    for name, kind, target, sha in refs:
        have = _loaded.get(target)
        if have is None or have.sha256 != sha:
            load(kind, name, target, expected=sha)
            _by_task.add(target)


def used_plugins(
    candidates: Callable[[str], tuple[Any, ...]], listed: Sequence[Plugin]
) -> tuple[Plugin, ...]:
    """The installed plugins whose parts a spec uses, beyond those it lists.

    A part from a plugin the spec does not list (loaded in this process by another
    spec), or registered outside any plugin, is refused: the workers would not have it,
    and no run id could name its code.
    """
    extra: list[Plugin] = []
    targets = {p.target for p in listed}
    installed = {p.target: p for p in _entry_points or ()}
    for column, kind in PART_COLUMNS.items():
        for value in candidates(column):
            o = origin(kind, value) if isinstance(value, str) else None
            if o is None or o.plugin in targets:
                continue
            if o.plugin in installed:
                if installed[o.plugin] not in extra:
                    extra.append(installed[o.plugin])
                continue
            by = f"plugin {o.label!r}" if o.plugin else f"module {o.module!r}, not by a plugin"
            raise ConfigError(
                f"params.{column}={value!r} was registered by {by}; list it in plugins = [...] "
                "so that every worker loads it and the run ids name its code"
            )
    return tuple(extra)


def run_plugins(config: Mapping[str, Any], plugins: Iterable[Plugin]) -> list[dict[str, str]]:
    """The plugins whose parts one run uses, as its id hashes them: name and sha256."""
    by_target = {p.target: p for p in plugins}
    out = {}
    for column, kind in PART_COLUMNS.items():
        value = config.get(column)
        o = origin(kind, value) if isinstance(value, str) else None
        if o is not None and o.plugin in by_target:
            p = by_target[o.plugin]
            out[p.name] = {"name": p.name, "sha256": p.sha256}
    return [out[k] for k in sorted(out)]
