"""A --config file that gives one setting twice is refused, naming the
setting: YAML's loader kept the second value without a word (``k: 1`` then
``k: 2`` ran with k 2), and a flat key beside the same key in its section
(``k: 4`` and ``graph: {k: 5}``) kept whichever came last."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("text, message", [
    ("k: 1\nk: 2\n", "not valid YAML: the key 'k' is given twice in one mapping (the second "
                     "would replace the first) in \"{path}\", line 2, column 1"),
    ("graph:\n  k: 1\n  k: 1\n", "not valid YAML: the key 'k' is given twice in one mapping "
                                 "(the second would replace the first) in \"{path}\", line 3, "
                                 "column 3"),
    ("k: 4\ngraph: {k: 5}\n", "'k' is given twice, as 4 and 5: give it once"),
])
def test_a_setting_given_twice_in_a_config_file_is_refused(tmp_path, capsys, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    assert main(["train", "--config", str(path), "--print-config"]) == 2
    assert capsys.readouterr().err == (f"pyg-fusion train: error: --config {path}: "
                                       f"{message.format(path=path)}\n")


def test_the_same_value_twice_and_yaml_merges_still_read(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text("k: 4\ngraph: {k: 4}\n")
    assert main(["train", "--config", str(path), "--print-config"]) == 0
    assert "  k: 4\n" in capsys.readouterr().out
    path.write_text("graph: &g {k: 3, support: union}\nfusion: {init: product}\n"
                    "powers: {<<: {zeroth: ones}, num_powers: 2}\n")
    assert main(["train", "--config", str(path), "--print-config"]) == 0
    out = capsys.readouterr().out
    assert "  zeroth: ones\n" in out and "  num_powers: 2\n" in out
