"""Command-line overrides: ``KEY=VALUE[,VALUE...]`` applied to a spec's parsed TOML.

The grammar
-----------
::

    override := KEY "=" VALUE | "~" KEY
    KEY      := NAME ("." NAME)*       NAME: letters, digits, "_" and "-"
    VALUE    := ITEM ("," ITEM)*       two or more items make a list (a grid axis)
    ITEM     := a TOML value           0.5  1e-3  20  true  "quoted"  'quoted'  [3, 7]
                                       {log_uniform = [1e-3, 10]}
              | a bare string          tanh  16x16  (anything else, spaces around it dropped)

A comma inside brackets, braces or quotes does not split: ``seeds=[3,7]`` is one list,
``'description="OR, then XOR"'`` one string. ``.5`` and ``5.`` are numbers too.

Where a key goes: a KEY whose first NAME is a top-level key of the spec format
(:data:`sweeps.config.spec.TOP_KEYS`: ``seeds``, ``max_epochs``, ``stop``, ``sample``,
...) is that key, a dotted one a key inside that table (``stop.max_error_below=0.05``;
missing tables are made). Any other single NAME is a parameter: ``lr=0.1,0.5`` means
``params.lr = [0.1, 0.5]``. ``~KEY`` removes a key the file sets (``~lr``: lr takes its
default; ``~stop.max_error_below``; ``~sample``: no random search). The same key given
twice: the last wins. Two rules keep a parameter in one place: setting ``params.X``
removes ``X`` from ``[sample]``, and setting ``sample.X`` (or a key inside it) removes
``X`` from ``[params]``; and as a ``[sample]`` dimension is one distribution,
``sample.X.KIND=...`` replaces ``sample.X`` whole (``sample.lr.log_uniform=1e-3,10``).

The grammar follows the common ``key=value`` command-line style (a comma-separated
value sweeps, ``~key`` deletes), kept to what a spec needs: no interpolation, no
ranges, no appending to lists.

The overridden mapping is then checked as a spec file is, and an error names the
override that caused it (:func:`build`).
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nncore.rules import ConfigError, did_you_mean

from .params import PARAMS
from .sampling import SAMPLE_KEYS
from .spec import TOP_KEYS, SpecError, SweepSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Override", "apply_overrides", "build", "parse_override", "parse_value"]

KEY_RE = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
# Numbers TOML refuses but a command line writes: .5, 5., -.5e-3
LOOSE_FLOAT = re.compile(r"[+-]?(\d+\.|\.\d+)([eE][+-]?\d+)?")
EXAMPLE = "e.g. lr=0.1,0.5 or stop.max_error_below=0.05"


@dataclass(frozen=True)
class Override:
    """One parsed override: the text as given, the key path it sets, the value (or
    ``remove``: the key is taken out)."""

    text: str
    path: tuple[str, ...]
    value: Any
    remove: bool = False

    @property
    def key(self) -> str:
        return ".".join(self.path)


def parse_override(text: str, top_keys: Iterable[str] = TOP_KEYS) -> Override:
    """``"lr=0.1,0.5"`` -> ``Override(path=("params", "lr"), value=[0.1, 0.5])``.

    A malformed override raises a one-line ConfigError that starts with it.
    """
    top = tuple(top_keys)
    where = f"override {text!r}"
    remove = text.strip().startswith("~")
    key, eq, value = text.strip().removeprefix("~").partition("=")
    key = key.strip()
    if remove and eq:
        raise ConfigError(f"{where}: ~KEY removes a key and takes no value")
    if not (eq or remove) or not key:
        raise ConfigError(f"{where} is not KEY=VALUE or ~KEY ({EXAMPLE})")
    if not KEY_RE.fullmatch(key):
        raise ConfigError(
            f"{where}: the key {key!r} must be names of letters, digits, '_' or '-' "
            f"joined by '.' ({EXAMPLE})"
        )
    parts = tuple(key.split("."))
    if parts[0] in top:
        path = parts
    elif len(parts) > 1:
        raise ConfigError(
            f"{where}: unknown table {parts[0]!r}; a dotted key starts with one of "
            f"{list(top)}" + did_you_mean(parts[0], top)
        )
    elif key not in PARAMS and did_you_mean(key, top):  # a slip of a top-level key
        raise ConfigError(
            f"{where}: unknown key {key!r}; allowed: a top-level key {list(top)} or a "
            f"parameter {list(PARAMS)}" + did_you_mean(key, top)
        )
    else:
        path = ("params", key)
    if remove:
        return Override(text, path, None, remove=True)
    try:
        return Override(text, path, parse_value(value))
    except ConfigError as e:
        raise ConfigError(f"{where}: {e}") from None


def parse_value(text: str) -> Any:
    """A VALUE of the grammar: one item, or a list when commas separate two or more."""
    items = _split(text)
    if any(not item.strip() for item in items):
        shown = "no value after '='" if not text.strip() else f"an empty item in {text!r}"
        raise ConfigError(f"{shown}; give a value, a quoted string, or a list as [a, b]")
    values = [_item(item.strip()) for item in items]
    return values[0] if len(values) == 1 else values


def _split(text: str) -> list[str]:
    """Split at the commas outside brackets, braces and quotes."""
    out, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1  # an escaped character, e.g. \" inside a basic string
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(depth - 1, 0)
        elif c == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
        i += 1
    out.append(text[start:])
    return out


def _item(text: str) -> Any:
    if "\n" not in text and "\r" not in text:  # one value, never extra TOML lines
        try:
            return tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            pass
    if LOOSE_FLOAT.fullmatch(text):
        return float(text)
    return text


def apply_overrides(raw: Mapping[str, Any], overrides: Sequence[Override]) -> dict[str, Any]:
    """A copy of the parsed TOML mapping ``raw`` with ``overrides`` applied, in order."""
    doc = copy.deepcopy(dict(raw))
    for o in overrides:
        node = doc
        for i, part in enumerate(o.path[:-1]):
            if node.get(part) is None and o.remove:
                raise ConfigError(
                    f"override {o.text!r}: {o.key} is not set, so it cannot be removed"
                )
            if node.get(part) is None:
                node[part] = {}
            elif not isinstance(node[part], dict):
                where = ".".join(o.path[: i + 1])
                raise ConfigError(
                    f"override {o.text!r}: {where}={node[part]!r} is not a table, so "
                    f"{o.key} cannot be set"
                )
            node = node[part]
        if not o.remove:
            node[o.path[-1]] = copy.deepcopy(o.value)
            _one_place(doc, o)
        elif node.pop(o.path[-1], None) is None:
            raise ConfigError(f"override {o.text!r}: {o.key} is not set, so it cannot be removed")
    return doc


def _one_place(doc: dict[str, Any], o: Override) -> None:
    """A parameter is set in [params] or drawn in [sample], never both; a [sample]
    dimension is a single distribution."""
    table, name = o.path[0], o.path[1] if len(o.path) > 1 else None
    if table == "params" and len(o.path) == 2 and isinstance(doc.get("sample"), dict):
        doc["sample"].pop(name, None)
    if table == "sample" and name is not None and name not in SAMPLE_KEYS:
        if isinstance(doc.get("params"), dict):
            doc["params"].pop(name, None)
        if len(o.path) == 3:
            doc["sample"][name] = {o.path[2]: copy.deepcopy(o.value)}


def build(
    raw: Mapping[str, Any],
    texts: Sequence[str],
    make: Callable[[Mapping[str, Any]], SweepSpec],
    label: str,
) -> SweepSpec:
    """Check ``raw`` with the overrides ``texts`` applied into a spec (``make`` checks a
    mapping, e.g. :meth:`SweepSpec.from_mapping`), recording the overrides on it.

    An error is one line that starts with ``label`` and names the override at fault:
    the one that fails the same way applied alone, else the first that fails alone,
    else all of them. An error of the file itself is reported as it is without them.
    """
    try:
        parsed = [parse_override(t) for t in texts]
        doc = apply_overrides(raw, parsed)
    except ConfigError as e:
        raise SpecError(f"{label}: {e}") from None
    try:
        spec = make(doc)
    except ConfigError as e:
        raise _blame(raw, parsed, make, label, str(e)) from None
    return spec.with_overrides(tuple(texts))


def _blame(
    raw: Mapping[str, Any],
    parsed: list[Override],
    make: Callable[[Mapping[str, Any]], SweepSpec],
    label: str,
    error: str,
) -> SpecError:
    if _fails(make, raw, []) == error:
        return SpecError(error)  # the file's own fault: no override is to blame
    alone = {o.text: _fails(make, raw, [o]) for o in parsed}
    culprits = [t for t, e in alone.items() if e == error] or [t for t, e in alone.items() if e]
    message = error.removeprefix(f"{label}: ")
    if len(culprits) != 1:
        culprits = [o.text for o in parsed]
    named = ", ".join(repr(t) for t in culprits)
    return SpecError(f"{label}: override{'s' if len(culprits) > 1 else ''} {named}: {message}")


def _fails(
    make: Callable[[Mapping[str, Any]], SweepSpec], raw: Mapping[str, Any], some: list[Override]
) -> str:
    """The error ``make`` raises on ``raw`` with ``some`` overrides, or "" when it passes."""
    try:
        make(apply_overrides(raw, some))
    except ConfigError as e:
        return str(e)
    return ""
