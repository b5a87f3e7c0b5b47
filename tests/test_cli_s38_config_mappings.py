"""A flat --config file (``name: value``, as the --config help allows) with a
setting whose value is a mapping was refused as an unknown section, except
for num_powers: ``vad_num_abnormal: {train: 1, test: 2}`` and ``index_col:
{a: 0}`` ('section 'vad_num_abnormal' is none of [...]'), which the printed
(sectioned) form reads. And --vad-num-abnormal took the per-source form of
--num-powers because its type holds a dict: ``--vad-num-abnormal foo=3`` was
printed as ``{foo: 3}`` and refused only by the dataset, naming
num_abnormal."""
import pytest
import yaml

from pyg_fusion.cli import main


def test_a_flat_file_reads_a_settings_mapping(tmp_path, capsys):
    (tmp_path / "a.csv").write_text("0\n1\n")
    (tmp_path / "c.yaml").write_text(
        "dataset: vad\nvad_source: [rgb=f]\nvad_num_abnormal: {train: 1, test: 2}\n")
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["data"]["vad_num_abnormal"] == {
        "train": 1, "test": 2}
    (tmp_path / "t.yaml").write_text(
        f"dataset: tables\nviews: [{tmp_path / 'a.csv'}]\nlabels: {tmp_path / 'a.csv'}\n"
        f"index_col: {{a: 0, labels: none}}\n")
    assert main(["train", "--config", str(tmp_path / "t.yaml"), "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["data"]["index_col"] == {
        "a": 0, "labels": "none"}
    (tmp_path / "s.yaml").write_text("trainr: {epochs: 2}\n")  # a typo of a section
    assert main(["train", "--config", str(tmp_path / "s.yaml"), "--print-config"]) == 2
    assert "section 'trainr' is none of" in capsys.readouterr().err


def test_abnormal_counts_have_no_per_source_form(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--dataset", "vad", "--vad-source", "rgb=f", "--vad-num-abnormal",
              "foo=3", "--print-config"])
    assert exc.value.code == 2
    assert capsys.readouterr().err == (
        "pyg-fusion train: error: argument --vad-num-abnormal: expected N or TRAIN,TEST "
        "(integers >= 0), got 'foo=3' (see pyg-fusion train --help)\n")


@pytest.mark.parametrize("value", ["{train: 1}", "{train: 1, tst: 2}"])
def test_abnormal_counts_of_a_file_name_both_splits(tmp_path, capsys, value):
    # said 'vad_num_abnormal must be a single value', though {train, test} is one
    (tmp_path / "c.yaml").write_text(f"dataset: vad\nvad_source: [rgb=f]\n"
                                     f"vad_num_abnormal: {value}\n")
    assert main(["train", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pyg-fusion train: error: --config {tmp_path / 'c.yaml'}: "
                          f"vad_num_abnormal must be N or {{train: N, test: N}}, got ")
