"""pyg-fusion train --config <the config segment train printed> said only
"'data' is no setting of this command", not that the file is another
command's. Where every setting and section of the file is another
command's, the one line names that command, exit 2."""
import re

import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("printed_by, given_to, named, lacked", [
    (["segment", "train"], ["train"], "`pyg-fusion segment train`",
     r"'data', 'num_classes' and \d+ more are"),
    (["segment", "train"], ["translate", "train"], "`pyg-fusion segment train`",
     r"'num_classes', 'crop_size' and \d+ more are"),
    (["translate", "train"], ["segment", "train"], "`pyg-fusion translate train`",
     r"'modalities', 'target' and \d+ more are"),
    (["sweep"], ["train"], "`pyg-fusion sweep`", "'p', 'q' and 1 more are"),
    # both have --resume (sweep's since s37)
    (["compare"], ["train"], "`pyg-fusion compare` or `pyg-fusion sweep`", "'resume' is"),
])
def test_a_config_of_another_command_names_it(tmp_path, capsys, printed_by, given_to, named,
                                              lacked):
    assert main([*printed_by, "--print-config"]) == 0
    path = tmp_path / "c.yaml"
    path.write_text(capsys.readouterr().out)
    assert main([*given_to, "--config", str(path), "--print-config"]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    # the settings that the command has not are named (a compare's resume given to train)
    assert re.fullmatch(re.escape(f"pyg-fusion {' '.join(given_to)}: error: --config {path}: ")
                        + lacked + re.escape(
                            f" no setting of `pyg-fusion {' '.join(given_to)}`: this is a "
                            f"config of {named} (every setting it gives is one of "
                            f"{'theirs' if ' or ' in named else 'its'}): give "
                            f"it to that command\n"), printed.err), printed.err


def test_a_graph_config_names_every_command_it_fits(tmp_path, capsys):
    assert main(["train", "--print-config"]) == 0
    path = tmp_path / "c.yaml"
    path.write_text(capsys.readouterr().out)
    assert main(["segment", "train", "--config", str(path), "--print-config"]) == 2
    err = capsys.readouterr().err
    assert "this is a config of `pyg-fusion train` or `pyg-fusion compare` or " \
           "`pyg-fusion sweep` (every setting it gives is one of theirs)" in err


def test_a_setting_of_no_command_is_named_as_before(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text("dataset: digits\nfoo: 1\n")
    assert main(["train", "--config", str(path), "--print-config"]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion train: error: --config {path}: 'foo' is "
                                       f"no setting of this command\n")


def test_an_image_dataset_in_a_config_says_how_its_config_names_it(tmp_path, capsys):
    # the command line routes train --dataset nyud to segment train --data nyud; a
    # config said "argument --dataset: invalid choice: 'nyud'"
    path = tmp_path / "c.yaml"
    path.write_text("dataset: nyud\n")
    for command in (["train"], ["segment", "train"]):
        assert main([*command, "--config", str(path), "--print-config"]) == 2
        assert capsys.readouterr().err == (
            f"pyg-fusion {' '.join(command)}: error: --config {path}: dataset 'nyud' is a "
            f"segment dataset, whose config says 'data: nyud' in its data section (as "
            f"`pyg-fusion segment train --print-config` writes it), for `pyg-fusion segment "
            f"train` or `evaluate`\n")
