"""Find and read a spec: a TOML file, or the name of one bundled with nnsweep.

A path that exists wins over a bundled name; an unreadable or invalid file raises
:class:`sweeps.config.spec.SpecError` naming the file and the cause. Command-line
overrides (:mod:`sweeps.config.overrides`) are applied to the parsed file before it is
checked, and an error names the override at fault.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from nncore.rules import did_you_mean

from .overrides import build
from .spec import SPECS_DIR, SpecError, SweepSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["bundled_descriptions", "bundled_specs", "load_spec"]


def bundled_specs() -> dict[str, Path]:
    """The specs shipped with nnsweep: ``{name: path}``, sorted by name."""
    return {p.stem: p for p in sorted(SPECS_DIR.glob("*.toml"), key=lambda p: p.stem)}


def bundled_descriptions() -> dict[str, str]:
    """Each bundled spec's one-line description, by name."""
    return {name: load_spec(name).description for name in bundled_specs()}


def load_spec(source: str | os.PathLike[str], overrides: Sequence[str] = ()) -> SweepSpec:
    """Read a spec from a TOML file, or a bundled spec by name (an existing file wins),
    with ``overrides`` such as ``["lr=0.1,0.5", "seeds=5"]`` applied before the checks.
    """
    path, label = _locate(source)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"{label}: invalid TOML: {e}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{label}: invalid TOML: not UTF-8 text") from None
    except OSError as e:
        raise SpecError(f"{label}: cannot read: {e.strerror}") from None
    if not overrides:
        return SweepSpec.from_mapping(raw, source=label, default_name=path.stem)
    return build(
        raw,
        list(overrides),
        lambda doc: SweepSpec.from_mapping(doc, source=label, default_name=path.stem),
        label,
    )


def _locate(source: str | os.PathLike[str]) -> tuple[Path, str]:
    label = os.fspath(source)
    path = Path(label)
    if path.is_dir():
        raise SpecError(f"{label}: is a directory, not a spec file")
    if path.exists():
        return path, label
    bundled = bundled_specs()
    name = path.name.removesuffix(".toml")
    if path.parent == Path(".") and name in bundled:
        return bundled[name], name
    if path.parent != Path("."):
        raise SpecError(f"{label}: no such file")
    raise SpecError(
        f"{label}: no such file, and no bundled spec named {name!r} (bundled: {list(bundled)})"
        + did_you_mean(name, bundled)
    )
