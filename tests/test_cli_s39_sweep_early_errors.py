"""sweep's own user errors (a method that is no LEGO one, a --num-powers the
grid would override) were found inside its run, once main() had imported torch
to set --threads and Lightning to lock --out (seconds): its ``check`` now finds
them first, with the same line, and writes no --out."""
import subprocess
import sys

import pytest

# what main() imported when it returned: no Lightning (the method names come
# with the models, which import torch)
_SCRIPT = """
import sys
from pyg_fusion.cli import main
assert main(sys.argv[1:]) == 2
print("lightning" in sys.modules)
"""


@pytest.mark.parametrize("flags,said", [
    (["--method", "nope"], "--method must be lego or lego-cp (or VAD's lego-row) for a sweep"),
    (["--method", "lego", "--num-powers", "5"],
     "--num-powers 5: a sweep sets the numbers of powers from --p and --q"),
])
def test_a_sweep_user_error_is_refused_before_lightning(flags, said, tmp_path):
    run = subprocess.run([sys.executable, "-c", _SCRIPT, "sweep", *flags,
                          "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300)
    assert run.stderr.startswith(f"pyg-fusion sweep: error: {said}")
    assert run.stderr.count("\n") == 1
    assert run.stdout == "False\n"
    assert not (tmp_path / "out").exists()
