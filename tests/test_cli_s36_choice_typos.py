"""A typo of a choice ('pyg-fusion trian', '--dataset digit', '--support
unoin') listed the choices but not the one meant; the error now names the
close one, as Python 3.14's suggest_on_error does. No close one: as before."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv, said", [
    (["trian"], "pyg-fusion: error: argument COMMAND: invalid choice: 'trian', maybe you "
                "meant 'train'? (choose from "),
    (["train", "--dataset", "digit", "--print-config"],
     "pyg-fusion train: error: argument --dataset: invalid choice: 'digit', maybe you meant "
     "'digits'? (choose from "),
    (["compare", "--support", "unoin", "--print-config"],
     "pyg-fusion compare: error: argument --support: invalid choice: 'unoin', maybe you "
     "meant 'union'? (choose from "),
    (["plot", "adjacenc", "--out", "a.png"],
     "pyg-fusion plot: error: argument KIND: invalid choice: 'adjacenc', maybe you meant "
     "'adjacency'? (choose from "),
    (["segment", "evalute"], "pyg-fusion segment: error: argument ACTION: invalid choice: "
                             "'evalute', maybe you meant 'evaluate'? (choose from "),
])
def test_a_typo_of_a_choice_names_the_close_one(argv, said, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(said) and err.count("\n") == 1, err


def test_a_config_files_typo_names_the_close_one(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text("support: unoin\n")
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 2
    assert capsys.readouterr().err.startswith(
        f"pyg-fusion train: error: --config {tmp_path / 'c.yaml'}: support: invalid choice: "
        f"'unoin', maybe you meant 'union'? (choose from ")


def test_no_close_choice_is_said_as_before(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "xyz", "--print-config"])
    assert "invalid choice: 'xyz' (choose from 'digits'" in capsys.readouterr().err
