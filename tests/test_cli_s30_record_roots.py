"""One rule for the paths a record keeps: the data the package generates or
bundles keeps --root as given (the same data wherever it is made again), the
user's own files are recorded absolute."""
import dataclasses

from pyg_fusion.experiments.data import DataConfig, load_data


def test_a_bundled_datasets_root_is_recorded_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    td = load_data(DataConfig(dataset="digits", root="data"))
    assert td.config.root == "data" and (tmp_path / "data" / "digits").is_dir()


def test_the_rule_is_said_where_root_is_documented():
    root = next(f for f in dataclasses.fields(DataConfig) if f.name == "root")
    text = " ".join(root.metadata["help"].split())
    assert "recorded as given for the data this package generates or bundles" in text
    assert "absolute for vad" in text and "tables' cache" in text


def test_print_config_refuses_a_dataset_without_its_files(capsys):
    """train --dataset tables --print-config printed a config without views
    or labels, and --dataset vad one without --vad-source: configs that a run
    refuses at once."""
    from pyg_fusion.cli import main
    for flags, message in ((["--dataset", "tables"], "--views FILE... is required with "
                            "--dataset tables"),
                           (["--dataset", "tables", "--views", "a.csv"],
                            "--labels is required with --dataset tables"),
                           (["--dataset", "vad"], "--vad-source NAME=PATTERN (one per "
                            "source) is required with --dataset vad")):
        assert main(["train", *flags, "--print-config"]) == 2
        assert capsys.readouterr().err == f"pyg-fusion train: error: {message}\n"
