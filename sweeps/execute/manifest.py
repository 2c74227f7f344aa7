"""A sweep's ``manifest.json``: what ran, with which code, and every invocation.

``spec`` is the effective spec, and ``overrides`` the command-line overrides
(``["lr=0.1,0.5", "seeds=5"]``; ``[]`` for none) that made it from the spec file.
The top-level ``started``, ``backend``, ``scheduler``, ``jobs``, ``command`` and
``overrides`` are those of the first invocation (the record of the original run is kept);
``invocations`` lists every ``run`` on the directory, resumes included, each
with its start, end and exit ("ok", "interrupted" or "failed"). The code is
recorded twice: nnsweep's version and commit, and the git commit and dirty flag
of the repository holding the spec file (none for a bundled spec); ``plugins`` lists
the spec's plugins, each ``{name, kind, path, sha256}`` (empty without plugins).
"""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from sweeps.config.spec import SweepSpec

HERE = Path(__file__).resolve().parents[2]


def new_manifest(
    spec: SweepSpec,
    grid: pd.DataFrame,
    jobs: int | None,
    backend: str,
    scheduler: str | None,
    old: dict[str, Any] | None,
) -> dict[str, Any]:
    """The manifest of this invocation, carrying on ``old`` (a resumed sweep's)."""
    call = {
        "command": " ".join(["nnsweep", *sys.argv[1:]]) if sys.argv else "",
        "started": now(),
        "finished": None,
        "exit": None,
        "backend": backend,
        "scheduler": scheduler,
        "jobs": jobs,
        "host": platform.node(),
    }
    first = old if old is not None and old.get("spec_hash") == spec.spec_hash else None
    m = {
        "spec": spec.to_dict(),
        "spec_hash": spec.spec_hash,
        "overrides": list(spec.overrides),
        "axes": list(spec.axes),
        "n_runs": len(grid),
        "max_epochs": spec.max_epochs,
        "stop": dict(spec.stop),
        "plugins": [p.to_dict() for p in spec.plugins],
        "versions": versions(),
        "git_commit": git_state(HERE)[0],
        "spec_repository": spec_repository(spec.path),
        **{k: call[k] for k in ("started", "backend", "scheduler", "jobs", "command", "host")},
        "finished": None,
    }
    if spec.tasks:  # what each of the spec's own tasks became (its settings are in "spec")
        m["tasks"] = {name: task.shape() for name, task in spec.tasks.items()}
    if spec.trainer:  # what trained the runs, and how to read runs.csv's own columns
        from sweeps.results.schema import run_dtypes

        t = spec.trainer_def
        m["trainer"] = {
            "ref": spec.trainer, **t.identity(), "module": t.module,
            "timeout_s": spec.trainer_timeout_s, "columns": run_dtypes(spec),
        }  # fmt: skip
    if first is not None:
        m.update({k: first[k] for k in ("started", "backend", "scheduler", "jobs", "command",
                                        "overrides") if k in first})  # fmt: skip
    earlier = first.get("invocations", []) if first is not None else []
    m["invocations"] = [*(earlier if isinstance(earlier, list) else []), call]
    return m


def end(manifest: dict[str, Any], exit: str) -> None:
    """Record the end of this invocation (the last one of the list)."""
    manifest["invocations"][-1].update(finished=now(), exit=exit)
    if exit == "ok":
        manifest["finished"] = manifest["invocations"][-1]["finished"]


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for pkg in ("nnsweep", "numpy", "pandas", "scipy", "joblib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _git(where: Path, *args: str) -> str | None:
    try:
        res = subprocess.run(
            ["git", "-C", str(where), *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def git_state(where: Path) -> tuple[str | None, bool | None]:
    """The commit of the git repository holding ``where``, and whether it is dirty."""
    commit = _git(where, "rev-parse", "HEAD")
    if not commit:
        return None, None
    status = _git(where, "status", "--porcelain", "--untracked-files=no")
    return commit, (bool(status) if status is not None else None)


def spec_repository(path: Path | None) -> dict[str, Any] | None:
    """``{"git_commit", "dirty"}`` of the repository holding the spec file, if any."""
    bundled = HERE / "sweeps" / "specs"
    if path is None or Path(path).resolve().is_relative_to(bundled):
        return None
    commit, dirty = git_state(Path(path).resolve().parent)
    return {"git_commit": commit, "dirty": dirty} if commit else None


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
