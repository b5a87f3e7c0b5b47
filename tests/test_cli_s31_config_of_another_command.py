"""pyg-fusion train --config <the config segment train printed> said only
"'data' is no setting of this command", not that the file is another
command's. Where every setting and section of the file is another
command's, the one line names that command, exit 2."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("printed_by, given_to, named", [
    (["segment", "train"], ["train"], "`pyg-fusion segment train`"),
    (["segment", "train"], ["translate", "train"], "`pyg-fusion segment train`"),
    (["translate", "train"], ["segment", "train"], "`pyg-fusion translate train`"),
    (["sweep"], ["train"], "`pyg-fusion sweep`"),
])
def test_a_config_of_another_command_names_it(tmp_path, capsys, printed_by, given_to, named):
    assert main([*printed_by, "--print-config"]) == 0
    path = tmp_path / "c.yaml"
    path.write_text(capsys.readouterr().out)
    assert main([*given_to, "--config", str(path), "--print-config"]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == (f"pyg-fusion {' '.join(given_to)}: error: --config {path}: this is "
                           f"a config of {named} (every setting it gives is one of its), not "
                           f"of `pyg-fusion {' '.join(given_to)}`: give it to that command\n")


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
