"""Plugins in worker processes: loky and Dask workers train a plugin's part exactly as
the main process does, and refuse a plugin whose file changed mid-sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nncore import ConfigError
from sweeps.config import plugins as plug
from sweeps.config.load import load_spec
from sweeps.execute.runner import run
from sweeps.results.schema import read_runs

HARDTANH = """\
import numpy as np
import nncore
from nncore.optimizers import Optimizer

nncore.register_activation(
    "hardtanh", lambda z: np.clip(z, -1.0, 1.0),
    lambda z: (np.abs(z) < 1.0).astype(np.float64), low=-1.0, high=1.0,
)
nncore.register_loss("logcosh", lambda a, y: np.log(np.cosh(a - y)), lambda a, y: np.tanh(a - y))
nncore.register_initializer("wide", lambda fan_in, fan_out: 2.0 / fan_in ** 0.5)
nncore.register_task("my_or", [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 1])


class SignGD(Optimizer):
    def _update(self, i, p, g):
        p -= self.h("lr", p.ndim) * np.sign(g)


nncore.register_optimizer("signgd", SignGD, lr=0.05)
"""
SPEC = """\
name = "plug-workers"
plugins = ["plugins/hardtanh.py"]
seeds = 4
max_epochs = 300

[params]
task = "my_or"
hidden = "3"
activation = ["tanh", "hardtanh"]
loss = "logcosh"
init = "wide"
optimizer = ["gd", "signgd"]

[stop]
max_error_below = 0.2
"""


pytestmark = pytest.mark.usefixtures("fresh_plugins")


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "hardtanh.py").write_text(HARDTANH)
    (tmp_path / "spec.toml").write_text(SPEC)
    return tmp_path / "spec.toml"


def _table(out: Path) -> str:
    return read_runs(out / "runs.csv").drop(columns="wall_time_s").to_csv(index=False)


def test_loky_workers_train_the_plugin_part_as_the_main_process(spec_file, tmp_path):
    one = run(spec_file, tmp_path / "j1", jobs=1)
    run(spec_file, tmp_path / "j2", jobs=2)  # every kind of part, in four chunks
    assert len(one) == 16 and (one["activation"] == "hardtanh").sum() == 8
    assert (one["status"] == "converged").sum() >= 8
    assert _table(tmp_path / "j2") == _table(tmp_path / "j1")
    manifest = json.loads((tmp_path / "j2" / "manifest.json").read_text())
    (entry,) = manifest["plugins"]
    assert entry["name"] == "plugins/hardtanh.py" and len(entry["sha256"]) == 64
    assert Path(entry["path"]) == tmp_path / "plugins" / "hardtanh.py"


def test_a_plugin_file_changed_mid_sweep_stops_the_sweep(spec_file, tmp_path):
    spec = load_spec(spec_file)  # the main process has the plugin as it was
    plugin = tmp_path / "plugins" / "hardtanh.py"
    plugin.write_text(HARDTANH + "# changed after the spec was read\n")
    with pytest.raises(plug.PluginError, match="is not the one the sweep started with"):
        run(spec, tmp_path / "out", jobs=2)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["invocations"][-1]["exit"] == "failed"
    assert not (tmp_path / "out" / "runs.csv").exists()


def test_a_changed_plugin_does_not_resume_into_the_old_results(spec_file, tmp_path):
    run(spec_file, tmp_path / "out", jobs=1)
    (tmp_path / "plugins" / "hardtanh.py").write_text(HARDTANH + "# edited\n")
    with pytest.raises(ConfigError, match="holds results of plugin 'plugins/hardtanh.py' as"):
        run(spec_file, tmp_path / "out", jobs=1)


def test_dask_workers_train_the_plugin_part_as_loky(spec_file, tmp_path):
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    run(spec_file, tmp_path / "loky", jobs=1)  # -j 2 gives the same: the test above
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=":0",
    ) as cluster:  # fmt: skip
        run(spec_file, tmp_path / "dask", backend="dask", scheduler=cluster.scheduler_address)
    assert _table(tmp_path / "dask") == _table(tmp_path / "loky")
