"""translate train / evaluate --data <a folder that does not exist, or a file>
--print-config printed a config (exit 0) whose run refused the folder in one
line; --val-data alike (train's run refused it only after the training scenes
were made). check_translate_data / check_translate_train, which the runs and
--print-config call, refuse them before any work, with the run's message."""
import pytest
import torch

from pyg_fusion.cli import main


@pytest.mark.parametrize("kind", ["missing", "file"])
@pytest.mark.parametrize("argv, flag", [
    (["translate", "train", "--data", "{bad}"], "--data"),
    (["translate", "train", "--val-data", "{bad}"], "--val-data"),
    (["translate", "evaluate", "--checkpoint", "{ckpt}", "--data", "{bad}"], "--data"),
])
@pytest.mark.parametrize("print_config", [True, False])
def test_a_data_folder_that_is_not_one_is_refused_before_any_work(tmp_path, capsys, kind, argv,
                                                                   flag, print_config):
    bad = tmp_path / "bad"
    if kind == "file":
        bad.write_text("")
    torch.save({}, tmp_path / "m.ckpt")  # (a missing or empty one is said first)
    argv = [a.format(bad=bad, ckpt=tmp_path / "m.ckpt") for a in argv]
    argv += ["--print-config"] if print_config else ["--out", str(tmp_path / "out"),
                                                     "--threads", "1", "--no-progress"]
    assert main(argv) == 2
    printed = capsys.readouterr()
    said = "is a file" if kind == "file" else "does not exist"
    assert printed.out == ""
    assert printed.err == f"{' '.join(['pyg-fusion', *argv[:2]])}: error: {flag} folder " \
                          f"{str(bad)!r} {said}\n"
    kept = (["bad"] if kind == "file" else []) + ["m.ckpt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == kept


def test_print_config_takes_an_existing_folder(tmp_path, capsys):
    assert main(["translate", "train", "--data", str(tmp_path), "--val-data", str(tmp_path),
                 "--print-config"]) == 0
    assert f"data: {tmp_path}" in capsys.readouterr().out
