"""pyg-fusion compare --seeds 0 1 2 read three seeds (0f21e01), but --method
lego graph-mean (the same user's list of methods) said 'unrecognized
arguments: graph-mean', naming no flag. --method of train, compare and sweep
reads words as --seeds does (each a name or comma-separated names)."""
import pytest
import yaml

from pyg_fusion.cli import main


@pytest.mark.parametrize("words, method", [
    (["lego", "graph-mean"], "lego,graph-mean"),
    (["lego,graph-mean", "gcn-mean"], "lego,graph-mean,gcn-mean"),
    (["lego"], "lego"),
])
def test_method_reads_words(words, method, capsys):
    assert main(["compare", "--method", *words, "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["method"] == method


def test_method_given_twice_is_refused_as_before(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--method", "lego", "--method", "gcn-mean", "--print-config"])
    assert "argument --method: given 2 times" in capsys.readouterr().err


def test_a_config_lists_methods(tmp_path, capsys):
    (tmp_path / "m.yaml").write_text("method: [lego, graph-mean]\n")
    assert main(["compare", "--config", str(tmp_path / "m.yaml"), "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["method"] == "lego,graph-mean"
