"""``plugins`` from the command line: the example trains; a broken plugin is one line,
exit code 2, and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sweeps.cli import main
from sweeps.results.schema import read_runs

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


pytestmark = pytest.mark.usefixtures("fresh_plugins")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of examples/plugin-activation.toml and its plugin."""
    shutil.copytree(EXAMPLES / "plugins", tmp_path / "plugins")
    shutil.copy(EXAMPLES / "plugin-activation.toml", tmp_path / "spec.toml")
    return tmp_path / "spec.toml"


def test_the_example_plugin_is_the_one_the_readme_shows():
    readme = (EXAMPLES.parent / "README.md").read_text()
    code = (EXAMPLES / "plugins" / "hardtanh.py").read_text().split('"""\n\n', 1)[1]
    assert code in readme
    spec = (EXAMPLES / "plugin-activation.toml").read_text().split("\n", 2)[2]
    assert spec in readme


def _error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_the_example_plugin_activation_trains_with_two_workers(example, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(example), "-j", "2", "-o", str(out), "--quiet", "--no-report"]) == 0
    runs = read_runs(out / "runs.csv")
    assert len(runs) == 40 and set(runs["activation"]) == {"tanh", "hardtanh"}
    assert (runs[runs["activation"] == "hardtanh"]["status"] == "converged").mean() > 0.5


@pytest.mark.parametrize(
    "edit, expected",
    [
        (
            lambda t: t.replace("lambda z: (np.abs", "lambda z: 2.0 * (np.abs"),
            "plugin 'plugins/hardtanh.py': register_activation('hardtanh'): the derivative "
            "does not match central finite differences; worst at z=",
        ),
        (lambda t: t.replace("import nncore", "import nncore as"), "SyntaxError"),
        (lambda t: t + "\nraise ImportError('needs torch')\n", "ImportError: needs torch"),
    ],
)
def test_a_broken_plugin_is_one_line_exit_2_and_nothing_written(
    example, tmp_path, capsys, edit, expected
):
    plugin = tmp_path / "plugins" / "hardtanh.py"
    plugin.write_text(edit(plugin.read_text()))
    out = tmp_path / "out"
    assert main(["run", str(example), "-j", "2", "-o", str(out)]) == 2
    err = _error(capsys)
    assert expected in err and "'plugins/hardtanh.py'" in err
    assert not out.exists()


def test_show_names_the_plugins_and_their_hashes(example, capsys):
    assert main(["show", str(example)]) == 0
    out = capsys.readouterr().out
    assert "plugins: plugins/hardtanh.py (sha256 " in out and "hardtanh" in out


def test_a_missing_plugin_file_is_one_line_exit_2(example, tmp_path, capsys):
    (tmp_path / "plugins" / "hardtanh.py").unlink()
    assert main(["show", str(example)]) == 2
    assert "plugin 'plugins/hardtanh.py': no such file" in _error(capsys)
