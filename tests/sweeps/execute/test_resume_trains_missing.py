"""A resume trains the missing chunks only: the others are neither trained nor rewritten."""

from __future__ import annotations

from pathlib import Path

import sweeps.execute.runner as runner
from sweeps.execute.runner import run

from .test_runner import SPEC


def test_resume_trains_only_the_missing_chunks(tmp_path: Path, monkeypatch):
    spec = tmp_path / "tiny.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    run(spec, out, jobs=1)
    files = sorted((out / "chunks").glob("*.runs.csv"))
    assert len(files) >= 4
    gone = files[::2]
    for p in gone:  # as if the sweep had been killed half way
        p.unlink()
    kept = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files[1::2]}
    trained: list[str] = []

    def spy(chunk_id, *args, **kwargs):
        trained.append(chunk_id)
        return run_chunk(chunk_id, *args, **kwargs)

    run_chunk = runner.run_chunk
    monkeypatch.setattr(runner, "run_chunk", spy)
    run(spec, out, jobs=1)
    assert sorted(trained) == sorted(p.name.removesuffix(".runs.csv") for p in gone)
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in kept} == kept
    assert all(p.exists() for p in gone)
