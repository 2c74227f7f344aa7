"""Lock, limits, manifest, dask, bad input and the small cases of the issue."""

from __future__ import annotations

import ast
import http.server
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .conftest import TINY, nnsweep, one_line

SWEEPS = Path(__file__).resolve().parents[2] / "sweeps"


def test_only_files_py_writes():
    """Every write goes through sweeps.results.files: no other os.replace, open(..., 'w')."""
    offenders = []
    for path in SWEEPS.rglob("*.py"):
        if path.name == "files.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
            if name in ("replace", "write_bytes", "savefig") and isinstance(f, ast.Attribute):
                if name != "replace" or getattr(f.value, "id", "") == "os":
                    if not (name == "savefig" and any("tmp" in ast.dump(a) for a in node.args)):
                        offenders.append(f"{path.name} {name}")
            if name == "open" and any(isinstance(m, str) and set(m) & set("wax") for m in modes):
                offenders.append(f"{path.name} open")
    assert offenders == ["kit.py savefig"]  # into a BytesIO, then through files.py


def test_lock_survives_deleting_the_lock_file(done, spec):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl,os,sys,time; fd=os.open(sys.argv[1],os.O_RDONLY); "
         "fcntl.flock(fd,fcntl.LOCK_EX); print('held',flush=True); time.sleep(60)", str(done)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        (done / ".lock").unlink(missing_ok=True)
        before = sorted(p.name for p in (done / "chunks").iterdir())
        code, out = nnsweep("run", str(spec), "-o", str(done), "--fresh", "-j", "1", "--quiet")
        assert code == 2 and "in use by another running sweep" in one_line(out)
        assert sorted(p.name for p in (done / "chunks").iterdir()) == before
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ('chunk_size = 2\n\n[params]', 'chunk_size = 100000\n\n[params]\nhidden = "5000000"'),
        ("max_epochs = 40", "max_epochs = 9223372036854775807"),
        ("seeds = 2", "seeds = 99999999"),
    ],
)
def test_limits_before_work(tmp_path, edit, field):
    p = tmp_path / "s.toml"
    p.write_text(TINY.replace(edit, field))
    out = tmp_path / "res"
    code, text = nnsweep("run", str(p), "-o", str(out), "-j", "1", "--quiet")
    assert code == 2 and one_line(text).startswith("error:")
    assert not out.exists()


def test_show_huge_max_epochs_is_refused(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(TINY.replace("max_epochs = 40", "max_epochs = 9223372036854775807"))
    code, text = nnsweep("show", str(p))
    assert code == 2 and "max_epochs" in one_line(text) and "-" not in text.split("<=")[-1]


def test_manifest_keeps_every_invocation(done, spec):
    first = json.loads((done / "manifest.json").read_text())
    code, out = nnsweep("run", str(spec), "-o", str(done), "-j", "1", "--quiet", "--no-report")
    assert code == 0, out
    m = json.loads((done / "manifest.json").read_text())
    assert m["started"] == first["started"] and m["backend"] == first["backend"]
    assert [c["exit"] for c in m["invocations"]] == ["ok", "ok"]
    assert m["spec_repository"] is None or set(m["spec_repository"]) == {"git_commit", "dirty"}


def test_manifest_records_the_spec_repository(tmp_path, spec):
    for cmd in (["init", "-q"], ["add", "tiny.toml"],
                ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"]):
        subprocess.run(["git", "-C", str(tmp_path), *cmd], check=True)  # fmt: skip
    code, out = nnsweep("run", str(spec), "-o", str(tmp_path / "r"), "-j", "1", "--quiet",
                        "--no-report")  # fmt: skip
    assert code == 0, out
    repo = json.loads((tmp_path / "r" / "manifest.json").read_text())["spec_repository"]
    assert len(repo["git_commit"]) == 40 and repo["dirty"] is False


def test_version():
    code, out = nnsweep("--version")
    assert code == 0 and one_line(out).startswith("nnsweep ")


def test_dask_scheduler_that_speaks_http(tmp_path, spec):
    pytest.importorskip("distributed")
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out = tmp_path / "res"
    try:
        code, text = nnsweep("run", str(spec), "-o", str(out), "--backend", "dask",
                             "--scheduler", f"tcp://127.0.0.1:{server.server_port}",
                             "--connect-timeout", "2", "--quiet", timeout=60)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2 and "did not answer" in one_line(text)
    assert not out.exists()


def test_dask_scheduler_that_never_answers(tmp_path, spec):
    pytest.importorskip("distributed")
    silent = socket.socket()  # accepts connections (the kernel's backlog), says nothing
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    out = tmp_path / "res"
    try:
        code, text = nnsweep("run", str(spec), "-o", str(out), "--backend", "dask",
                             "--scheduler", f"tcp://127.0.0.1:{silent.getsockname()[1]}",
                             "--connect-timeout", "2", "--quiet", timeout=60)  # fmt: skip
    finally:
        silent.close()
    assert code == 2 and "did not answer" in one_line(text)
    assert not out.exists()


def test_diverged_runs_record_an_infinite_loss_left_out_of_the_median(tmp_path, capsys):
    from sweeps.cli import main

    p = tmp_path / "blow.toml"  # a linear output at lr 50: some runs blow up, some do not
    p.write_text(TINY.replace('activation = ["tanh", "sigmoid"]',
                              'output_activation = "identity"\nlr = [0.05, 50.0]'))  # fmt: skip
    assert main(["run", str(p), "-o", str(tmp_path / "r"), "-j", "1", "--quiet"]) == 0
    runs = pd.read_csv(tmp_path / "r" / "runs.csv")
    blown = runs[runs["status"] == "diverged"]
    assert len(blown) > 0 and np.isinf(blown["final_loss"]).all()
    assert np.isfinite(runs.loc[runs["status"] != "diverged", "final_loss"]).all()
    summary = pd.read_csv(tmp_path / "r" / "summary.csv").set_index("lr")
    calm = runs[runs["lr"] == 0.05]["final_loss"]
    assert summary.loc[0.05, "median_final_loss"] == pytest.approx(calm.median())
    assert summary.loc[50.0, "diverged"] == len(blown[blown["lr"] == 50.0])


def test_list_into_a_closed_pipe():
    r = subprocess.run(f"{sys.executable} -m sweeps.cli list | head -1", shell=True,
                       capture_output=True, text=True, check=False)  # fmt: skip
    assert "Traceback" not in r.stderr and r.stderr == ""


def test_bad_baseline_is_refused(done, tmp_path):
    base = tmp_path / "b.csv"
    code, out = nnsweep("baseline", str(done / "spec.toml"), "-o", str(base), "-j", "1")
    assert code == 0, out
    lines = base.read_text().splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("status")] = "blah"
    row[head.index("epochs_to_threshold")] = "-5"
    base.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    code, out = nnsweep("check", str(done / "spec.toml"), "--baseline", str(base), "-j", "1")
    assert code == 2 and "damaged" in one_line(out)


def test_show_counts_a_huge_sweep_without_expanding_it(tmp_path, capsys, monkeypatch):
    from sweeps.cli import main
    from sweeps.config import grid

    levels = ", ".join(f"{0.01 + 0.009 * i:.3f}" for i in range(333))
    p = tmp_path / "huge.toml"
    p.write_text(
        TINY.replace("seeds = 2", "seeds = 10000").replace(
            'activation = ["tanh", "sigmoid"]', f"lr = [0.1, 0.2, 0.3]\ninit_scale = [{levels}]"
        )
    )

    def refuse(*a, **k):
        raise AssertionError("show expanded a 9,990,000-run grid")

    monkeypatch.setattr(grid, "expand", refuse)
    assert main(["show", str(p)]) == 0
    out = capsys.readouterr().out
    assert "runs: 9,990,000 (counted, not expanded" in out
    assert "axis init_scale          333 values: 0.01, 0.019" in out
    assert "at most 399,600,000 network-epochs" in out
