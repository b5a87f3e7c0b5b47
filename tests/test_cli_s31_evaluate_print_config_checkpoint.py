"""segment / translate evaluate --checkpoint <a file that does not exist, or
a folder> --print-config printed a config (exit 0) whose run refused the
checkpoint in one line before any work: --print-config refuses it with the
run's message."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("task", ["segment", "translate"])
@pytest.mark.parametrize("kind, said", [("missing", "no such file: {path}"),
                                        ("folder", "{path} is a folder; expected a file")])
@pytest.mark.parametrize("print_config", [True, False])
def test_a_checkpoint_that_is_no_file_is_refused_by_print_config(tmp_path, capsys, task, kind,
                                                                 said, print_config):
    path = tmp_path / "c.ckpt"
    if kind == "folder":
        path.mkdir()
    argv = [task, "evaluate", "--checkpoint", str(path)]
    argv += ["--print-config"] if print_config else ["--out", str(tmp_path / "o"),
                                                     "--threads", "1"]
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == f"pyg-fusion {task} evaluate: error: --checkpoint: " \
                          f"{said.format(path=path)}\n"
