"""Reading a results directory loads the plugins its runs used, as they were."""

from __future__ import annotations

import pytest

from nncore import ACTIVATIONS
from sweeps.config import plugins as plug
from sweeps.execute.runner import run
from sweeps.results.read import load

PLUGIN = """\
import numpy as np
import nncore

nncore.register_activation(
    "hardtanh", lambda z: np.clip(z, -1.0, 1.0),
    lambda z: (np.abs(z) < 1.0).astype(np.float64), low=-1.0, high=1.0,
)
"""
SPEC = """\
name = "read-plugins"
plugins = ["hard.py"]
seeds = 2
max_epochs = 20

[params]
task = "or"
activation = "hardtanh"

[stop]
max_error_below = 0.1
"""


pytestmark = pytest.mark.usefixtures("fresh_plugins")


def test_the_plugins_of_a_results_directory_are_loaded_and_checked(tmp_path):
    (tmp_path / "hard.py").write_text(PLUGIN)
    (tmp_path / "s.toml").write_text(SPEC)
    run(tmp_path / "s.toml", tmp_path / "out", jobs=1)
    (p,) = plug.loaded()[-1:]
    plug.unload(p)
    assert "hardtanh" not in ACTIVATIONS
    res = load(tmp_path / "out")  # as `nnsweep report` or `explain` in a new process
    assert "hardtanh" in ACTIVATIONS and len(res.runs) == 2
    plug.unload(plug.loaded()[-1])
    (tmp_path / "hard.py").write_text(PLUGIN + "# edited\n")
    with pytest.raises(plug.PluginError, match="is not the one the sweep started with"):
        load(tmp_path / "out")
    (tmp_path / "hard.py").unlink()
    with pytest.raises(plug.PluginError, match="its file is gone"):
        load(tmp_path / "out")
