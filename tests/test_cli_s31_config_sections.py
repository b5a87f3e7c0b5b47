"""A --config file's sections were read as one flat list: segment train's
'model: {epochs: 3}' (train's 'graph: {epochs: 3}') ran 3 epochs as if
epochs stood in trainer. A setting in a section of the command's config
other than its own is one line naming the setting, the section it stands
in and its own, exit 2."""
import pytest
import yaml

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv, move, key, home", [
    (["segment", "train"], ("trainer", "model"), "epochs", "trainer"),
    (["segment", "train"], ("data", "trainer"), "size", "data"),
    (["translate", "train"], ("splits", "model"), "num_train", "splits"),
    # the graph commands' sections alike: data and the method's components
    (["train"], ("trainer", "graph"), "epochs", "trainer"),
    (["compare"], ("data", "fusion"), "label_rate", "data"),
])
def test_a_setting_in_another_section_is_refused(tmp_path, capsys, argv, move, key, home):
    assert main([*argv, "--print-config"]) == 0
    config = yaml.safe_load(capsys.readouterr().out)
    src, dst = move
    config[dst][key] = config[src].pop(key)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    assert main([*argv, "--config", str(path), "--print-config"]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == (f"pyg-fusion {' '.join(argv)}: error: --config {path}: {key!r} is "
                           f"a setting of section {home!r}, not of {dst!r}: move it to "
                           f"{home}\n")


def test_a_setting_in_its_own_section_or_flat_is_taken(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text("trainer:\n  epochs: 3\nsize: 32\n")
    assert main(["segment", "train", "--config", str(path), "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["trainer"]["epochs"] == 3 and printed["data"]["size"] == 32
