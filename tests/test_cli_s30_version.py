"""``pyg-fusion --version`` prints the package's version, and ``python -m
pyg_fusion`` runs the command line as ``python -m pyg_fusion.cli`` does: the
first was an unrecognized argument, the second "'pyg_fusion' is a package and
cannot be directly executed"."""
import subprocess
import sys

import pytest

import pyg_fusion
from pyg_fusion.cli import main


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"pyg-fusion {pyg_fusion.__version__}\n"


def test_python_dash_m_pyg_fusion(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pyg_fusion", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"pyg-fusion {pyg_fusion.__version__}\n"


def test_the_version_is_written_once():
    # pyproject.toml's version is dynamic, read from pyg_fusion.__version__ at
    # build time: the installed metadata and the package cannot disagree
    import importlib.metadata
    import pathlib
    text = (pathlib.Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text and "\nversion =" not in text
    assert 'path = "pyg_fusion/__init__.py"' in text
    assert importlib.metadata.version("pyg-fusion") == pyg_fusion.__version__
