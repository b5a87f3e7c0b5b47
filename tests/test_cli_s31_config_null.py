"""epochs: null (or an empty value) in a --config file of segment train, or
seeds: null of compare, silently ran with the default: a null was 'not
given' for every key. A null is taken only where a printed config writes
one (a flag whose default is None: the graph commands' method options, each
method's default; --pretrained; an evaluation's 'the checkpoint's'); for any
other flag it is one line naming the key and its line, exit 2."""
import pytest
import yaml
import torch

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv, content, key, line", [
    (["segment", "train"], "data:\n  size: 32\ntrainer:\n  epochs: null\n", "epochs", 4),
    (["translate", "train"], "epochs:\n", "epochs", 1),
    (["compare"], "dataset: digits\nseeds: null\n", "seeds", 2),
    (["train"], "dataset: digits\nmethod: ~\n", "method", 2),
])
def test_a_null_of_a_setting_with_a_default_is_refused(tmp_path, capsys, argv, content, key,
                                                       line):
    path = tmp_path / "c.yaml"
    path.write_text(content)
    assert main([*argv, "--config", str(path), "--print-config"]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == (f"pyg-fusion {' '.join(argv)}: error: --config {path}, line {line}: "
                           f"{key} is null, but it has a value by default: give a value, or "
                           f"remove the line for the default\n")


@pytest.mark.parametrize("argv, content, key, want", [
    (["train"], "dataset: digits\nalpha: null\nepochs:\n", "alpha", None),
    (["train"], "dataset: digits\nepochs: null\n", "epochs", 80),  # the task's default
    (["segment", "train"], "pretrained: null\n", "pretrained", None),
])
def test_a_null_where_the_default_is_none_is_the_default(tmp_path, capsys, argv, content, key,
                                                         want):
    path = tmp_path / "c.yaml"
    path.write_text(content)
    assert main([*argv, "--config", str(path), "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    found = {k: v for section in printed.values() if isinstance(section, dict)
             for k, v in section.items()}
    assert found[key] == want


@pytest.mark.parametrize("argv", [
    ["segment", "train"], ["translate", "train"],
    ["segment", "evaluate", "--checkpoint", "{ckpt}"],
    ["compare", "--dataset", "synthetic-vad", "--method", "lego-row,lego-cp"],
])
def test_printed_configs_read_back(tmp_path, capsys, argv):
    torch.save({}, tmp_path / "m.ckpt")
    argv = [a.format(ckpt=tmp_path / "m.ckpt") for a in argv]
    assert main([*argv, "--print-config"]) == 0
    printed = capsys.readouterr().out
    (tmp_path / "p.yaml").write_text(printed)
    command = argv[:2] if argv[0] in ("segment", "translate") else argv[:1]
    assert main([*command, "--config", str(tmp_path / "p.yaml"), "--print-config"]) == 0
    assert capsys.readouterr().out == printed
