"""User errors of evaluate, train and compare that need no torch nor Lightning
(a --checkpoint that is no file, an unknown --method) were found only once
main() had imported torch to set --threads and Lightning to lock --out
(seconds): a command's ``check`` now finds them first, with the same line."""
import subprocess
import sys

import pytest

# the heavy modules imported when main() returns: none of them for a missing
# checkpoint nor for a method typo (the names, pyg_fusion.specs.method_names,
# and the data's sources, datasets._named_sources, need no torch)
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
def test_an_unknown_method_is_refused_before_torch(command, tmp_path):
    run = _run(command, "--method", "lego,nope", "--out", str(tmp_path / "out"))
    assert run.stderr.startswith(f"pyg-fusion {command}: error: unknown method 'nope' for "
                                 "task 'node'; known: lego, ")
    assert run.stdout == "False False\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("dataset, method, source", [("synthetic-vad", "gcn-i3d", "i3d"),
                                                     ("motion-vad", "single-acel", "accel"),
                                                     ("tables", "graph-c", "a")])
def test_a_method_of_no_source_is_refused_before_torch(dataset, method, source, tmp_path):
    # the sources are the data set's (or the views'), named before anything is read
    views = [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    for path in views:
        open(path, "w").close()
    flags = ["--views", *views, "--labels", views[0]] if dataset == "tables" else []
    run = _run("compare", "--dataset", dataset, *flags, "--method", method,
               "--out", str(tmp_path / "out"))
    assert run.stderr.startswith(f"pyg-fusion compare: error: unknown method {method!r}")
    assert f"single-{source}" in run.stderr
    assert run.stdout == "False False\n"


def test_the_check_is_no_setting_of_the_printed_config(capsys):
    from pyg_fusion.cli import main
    assert main(["compare", "--method", "lego", "--print-config"]) == 0
    assert "check" not in capsys.readouterr().out
