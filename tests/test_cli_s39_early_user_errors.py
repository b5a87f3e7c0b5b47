"""User errors of evaluate, train and compare that need no torch nor Lightning
(a --checkpoint that is no file, an unknown --method) were found only once
main() had imported torch to set --threads and Lightning to lock --out
(seconds): a command's ``check`` now finds them first, with the same line."""
import subprocess
import sys

import pytest

# the heavy modules imported when main() returns: none of them for a missing
# checkpoint, no Lightning for a method typo (its names come with the models)
_SCRIPT = """
import sys
from pyg_fusion.cli import main
assert main(sys.argv[1:]) == 2
print("torch" in sys.modules, "lightning" in sys.modules)
"""


def _run(*argv):
    return subprocess.run([sys.executable, "-c", _SCRIPT, *argv], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("command,what", [("evaluate", "missing"), ("evaluate", "folder"),
                                          ("segment evaluate", "missing"),
                                          ("translate evaluate", "missing")])
def test_evaluate_refuses_its_checkpoint_before_torch(command, what, tmp_path):
    ckpt = tmp_path / "missing.ckpt" if what == "missing" else tmp_path
    run = _run(*command.split(), "--checkpoint", str(ckpt), "--out", str(tmp_path / "out"))
    said = (f"no such file: {ckpt}" if what == "missing"
            else f"{ckpt} is a folder; expected a file")
    assert run.stderr == f"pyg-fusion {command}: error: --checkpoint: {said}\n"
    assert run.stdout == "False False\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["train", "compare"])
def test_an_unknown_method_is_refused_before_lightning(command, tmp_path):
    run = _run(command, "--method", "lego,nope", "--out", str(tmp_path / "out"))
    assert run.stderr.startswith(f"pyg-fusion {command}: error: unknown method 'nope' for "
                                 "task 'node'; known: lego, ")
    assert run.stdout == "True False\n"
    assert not (tmp_path / "out").exists()


def test_the_check_is_no_setting_of_the_printed_config(capsys):
    from pyg_fusion.cli import main
    assert main(["compare", "--method", "lego", "--print-config"]) == 0
    assert "check" not in capsys.readouterr().out
