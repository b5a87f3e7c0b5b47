"""pyg-fusion plot's one-line user errors (a missing --input or --checkpoint
file) waited for Lightning's import (seconds), which the lock of an output
folder made for every command, also one writing a figure file or none."""
import subprocess
import sys

import pytest

_SCRIPT = """
import sys
from pyg_fusion.cli import main
assert main(sys.argv[1:]) == 2
print("lightning" in sys.modules)
"""


@pytest.mark.parametrize("flag", ["--input", "--checkpoint"])
def test_a_plot_of_a_missing_file_is_refused_without_lightning(flag, tmp_path):
    run = subprocess.run([sys.executable, "-c", _SCRIPT, "plot", "adjacency", flag,
                          str(tmp_path / "missing"), "--out", str(tmp_path / "f.png")],
                         capture_output=True, text=True, timeout=300)
    assert run.stderr.startswith("pyg-fusion plot: error: ") and "no such file" in run.stderr
    assert run.stdout == "False\n"
