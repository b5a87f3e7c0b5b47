"""Digits and tables runs recorded ``standardize: false`` though their views
are always z-scored, and ``--no-standardize`` with them was accepted and did
nothing (False could not be told from not given)."""
import yaml

from pyg_fusion.cli import main
from pyg_fusion.experiments.data import DataConfig, load_data


def _printed(capsys, argv):
    assert main([*argv, "--print-config"]) == 0
    return yaml.safe_load(capsys.readouterr().out)


def test_a_node_run_records_its_z_scoring_and_refuses_no_standardize(tmp_path, capsys):
    root = str(tmp_path / "data")
    assert _printed(capsys, ["train", "--dataset", "digits", "--root", root]
                    )["data"]["standardize"] is True
    # VAD's default is unchanged: off
    assert _printed(capsys, ["train", "--dataset", "synthetic-vad", "--root", root]
                    )["data"]["standardize"] is False
    assert main(["train", "--dataset", "digits", "--no-standardize", "--root", root,
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == ("pyg-fusion train: error: --no-standardize: --dataset digits always "
                   "z-scores every feature column over all rows (transductive, no labels); "
                   "leave --no-standardize out\n")
    assert not (tmp_path / "out").exists()
    # what a run records (its checkpoint and results): what was done
    td = load_data(DataConfig(dataset="digits", root=root))
    assert td.config.standardize is True


def test_a_printed_digits_config_reads_back_the_same(tmp_path, capsys):
    argv = ["train", "--dataset", "digits", "--root", str(tmp_path / "data"), "--epochs", "3"]
    first = _printed(capsys, argv)
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(first))
    assert _printed(capsys, ["train", "--config", str(tmp_path / "c.yaml")]) == first


def test_evaluate_of_a_digits_checkpoint_reads_standardize_as_a_run_does(tmp_path, capsys):
    """evaluate --standardize of a digits checkpoint said it 'was trained
    without it', and --no-standardize was read and did nothing."""
    import json
    root, out = str(tmp_path / "data"), tmp_path / "run"
    assert main(["train", "--dataset", "digits", "--root", root, "--epochs", "1",
                 "--no-progress", "--threads", "1", "--out", str(out)]) == 0
    ckpt = sorted(out.rglob("*.ckpt"))[0]
    record = json.loads((out / "results.json").read_text())[0]
    assert record["config"]["data"]["standardize"] is True
    capsys.readouterr()
    assert main(["evaluate", "--checkpoint", str(ckpt), "--standardize", "--threads", "1",
                 "--out", str(tmp_path / "ev")]) == 0
    assert main(["evaluate", "--checkpoint", str(ckpt), "--no-standardize", "--threads", "1",
                 "--out", str(tmp_path / "ev2")]) == 2
    assert "--no-standardize: --dataset digits always z-scores" in capsys.readouterr().err
