"""docs/training.md says what evaluate does with a used --out and that a
DataConfig's list fields take lists only: each statement is quoted beside the
code that does it."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "docs" / "training.md"


def _said(quote: str) -> None:
    assert quote in " ".join(TRAINING.read_text().split()), \
        f"docs/training.md no longer says {quote!r}: update this test"


def test_evaluate_replaces_an_earlier_evaluation_and_refuses_a_run_folder(tmp_path):
    from pyg_fusion.cli.evaluate import check_not_a_run_folder
    _said("`evaluate` into the `--out` of an earlier evaluation replaces its `results.json`, "
          "`results.txt` (the printed table), `scores.json`, `scores.csv` and logs once it finishes (a notice says so first), and refuses a run "
          "folder of `train` or `compare` (`<method>/seed<k>`, its `checkpoints/`, the method's "
          "folder, or the run's top folder of an interrupted run")
    source = (ROOT / "pyg_fusion" / "cli" / "evaluate.py").read_text()
    assert '("results.json", "scores.json", "scores.csv", "logs"), "evaluation"' in source
    (tmp_path / "checkpoints").mkdir()
    with pytest.raises(ValueError, match="a training run's checkpoints"):
        check_not_a_run_folder(tmp_path)


@pytest.mark.parametrize("field,value", [("views", "raw/a.csv"),
                                         ("vad_source", "rgb=f/{name}.npy")])
def test_a_list_field_given_one_string_is_an_error_saying_so(field, value, tmp_path):
    from pyg_fusion.experiments import DataConfig
    from pyg_fusion.experiments.data import load_data
    _said("a list field is a list, so `views=[\"a.csv\"]`, `vad_source=[\"rgb=f/{name}.npy\"]`, "
          "and one string there is an error saying so")
    extra = {"dataset": "tables", "labels": "y.csv"} if field == "views" else {"dataset": "vad"}
    with pytest.raises(TypeError, match=f"got the single '{value}'.*give \\['"):
        load_data(DataConfig(root=str(tmp_path), **extra, **{field: value}))


def test_sweeps_p_is_the_first_source_by_name():
    _said("`sweep`'s `--p` is the number of powers of the first source by name (sorted: not "
          "necessarily the first `--views` file or `--vad-source`), `--q` that of every other "
          "source; `sweep.txt`'s header names them (`--views stats.csv spec.npy`: `rows P "
          "(powers of spec), columns Q (powers of stats)`)")
    source = (ROOT / "pyg_fusion" / "cli" / "sweep.py").read_text()
    # the grid's cell and the table's header (tests/test_newuser_s33_sweep_sources.py runs it)
    assert "first, *rest = sorted(td.in_channels)\n            powers = {first: p, **{s: q " \
        "for s in rest}}" in source
    assert 'rows P (powers of {first}), "' in source


def test_best_ckpts_epoch_is_the_results_epoch():
    # tests/test_training_s33c_best_ckpt_epoch.py trains and compares the two
    _said("Its `epoch` is the results' `epoch`: Lightning's 0-based count over all of a run's "
          "phases (under `--operator-warmup auto`, `--epochs` bounds each phase, so `--epochs 2` "
          "can record epoch 3")
    methods = " ".join((ROOT / "docs" / "methods.md").read_text().split())
    assert "a fresh patience count against the best loss so far, for at most `epochs` more" \
        in methods
    training = ROOT / "pyg_fusion" / "training"
    assert "with task.saved_epoch(epoch):" in (training / "vad_fit.py").read_text()
    assert "with task.saved_epoch(task.best[\"epoch\"]):" in (training / "node.py").read_text()


def test_a_printed_config_names_your_files_absolute(tmp_path, monkeypatch, capsys):
    import yaml
    from pyg_fusion.cli import main
    _said("`--print-config` prints a run's full config as YAML and exits (your own files as "
          "absolute paths, as the records keep them, so that the file reads back from any "
          "folder)")
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "vad", "--root", "feats", "--vad-source",
                 "rgb=rgb/{name}.npy", "--vad-train-list", "train.list", "--vad-test-list",
                 "test.list", "--vad-gt", "gt.npy", "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["data"]["root"] == str(tmp_path / "feats")
    figures = " ".join((ROOT / "docs" / "figures.md").read_text().split())
    assert ("One rule for the paths a record keeps (results.json, checkpoints, metrics.json, and "
            "a `--print-config` file)" in figures)
