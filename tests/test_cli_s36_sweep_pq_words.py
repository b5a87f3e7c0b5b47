"""pyg-fusion sweep --seeds 0 1 2 read three seeds (0f21e01), but --p 1 2 4
said 'unrecognized arguments: 2 4', naming no flag: two formats for the lists
of runs of one command. --p and --q read --seeds' words (each '1,2', '1..3'
or one value), a value named twice refused as --seeds' is."""
import pytest
import yaml

from pyg_fusion.cli import main


@pytest.mark.parametrize("given, p", [(["1", "2", "4"], [1, 2, 4]), (["1..2", "5"], [1, 2, 5]),
                                     (["1,3"], [1, 3]), ([], [1, 2, 3])])
def test_p_and_q_read_the_words_of_seeds(given, p, capsys):
    argv = ["sweep", *(["--p", *given] if given else []), "--q", "2", "3", "--print-config"]
    assert main(argv) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["p"] == p and printed["q"] == [2, 3]


def test_a_value_of_p_named_twice_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--p", "1", "2", "1..2", "--print-config"])
    assert capsys.readouterr().err.startswith(
        "pyg-fusion sweep: error: argument --p: 1,2,1,2 repeats [1, 2]")


def test_a_config_lists_p_as_a_printed_one_does(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text("p: [1, 4]\nq: 1..2\n")
    assert main(["sweep", "--config", str(tmp_path / "s.yaml"), "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["p"] == [1, 4] and printed["q"] == [1, 2]
