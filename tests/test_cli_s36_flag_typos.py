"""A typo of a flag (train --epoch 1, --lable-rate 0.1; 'epoch: 3' in a
--config file) was named alone: 'unrecognized arguments: --epoch 1', a new
user left to scan --help's sixty flags. The error now names the close flag
(or key); a word close to none (--bogus), or close only in letters to a flag
of another meaning (evaluate --seeds: not --data-seed), as before."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv, said", [
    (["train", "--epoch", "1"], "unrecognized arguments: --epoch 1 (maybe you meant --epochs?) "
                                "(see pyg-fusion train --help)"),
    (["compare", "--meth", "lego", "--lable-rate=0.1"],
     "unrecognized arguments: --meth lego --lable-rate=0.1 (maybe you meant --method, "
     "--label-rate?)"),
    (["segment", "train", "--seeds", "1"], "unrecognized arguments: --seeds 1 (maybe you meant "
                                           "--seed?)"),
    (["train", "--bogus", "3"], "unrecognized arguments: --bogus 3 (see pyg-fusion train"),
    (["evaluate", "--checkpoint", "c", "--seeds", "5"],
     "unrecognized arguments: --seeds 5 (see pyg-fusion evaluate"),
])
def test_a_typo_of_a_flag_names_the_close_one(argv, said, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--print-config"] if argv[0] != "evaluate" else argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1, err


@pytest.mark.parametrize("text, said", [
    ("epoch: 3\n", "'epoch' is no setting of this command (maybe you meant 'epochs'?)"),
    ("hidden_chanels: 8\n", "(maybe you meant 'hidden_channels'?)"),
    ("print_confg: true\n", "'print_confg' is no setting of this command\n"),
    ("bogus: 1\n", "'bogus' is no setting of this command\n"),
])
def test_a_typo_of_a_config_key_names_the_close_one(text, said, tmp_path, capsys):
    (tmp_path / "c.yaml").write_text(text)
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 2
    assert said in capsys.readouterr().err
