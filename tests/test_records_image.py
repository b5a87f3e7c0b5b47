"""The image tasks' records (``metrics.json`` of ``segment`` and ``translate``,
train and evaluate) name the versions that computed them, as the graph
tasks' records do (:func:`~pyg_fusion._versions.library_versions`)."""
import contextlib
import dataclasses
import io
import json
import os

import pytest

from pyg_fusion.cli import main
from pyg_fusion._versions import library_versions

SEGMENT = ["--size", "16", "--num-train", "4", "--num-test", "2", "--batch-size", "2",
           "--layers", "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light",
           "--epochs", "1"]
TRANSLATE = ["--image-size", "16", "--batch-size", "4", "--num-train", "4", "--num-val", "2",
             "--epochs", "1", "--ngf", "4", "--ndf", "4"]


def _main(argv):
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--no-progress"]) == 0


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """``{(task, action): metrics.json}`` of a short run of each image command."""
    tmp = tmp_path_factory.mktemp("image_records")
    out = {}
    for task, flags in (("segment", SEGMENT), ("translate", TRANSLATE)):
        _main([task, "train", "--root", str(tmp / f"{task}_data"), *flags,
               "--out", str(tmp / task)])
        with pytest.MonkeyPatch.context() as mp:  # the checkpoint given by a relative path
            mp.chdir(tmp)
            _main([task, "evaluate", "--checkpoint", f"{task}/checkpoints/last.ckpt",
                   "--out", str(tmp / f"{task}_eval")]
                  + (["--num-test", "2"] if task == "translate" else []))
        for action, folder in (("train", tmp / task), ("evaluate", tmp / f"{task}_eval")):
            out[task, action] = json.loads((folder / "metrics.json").read_text())
    out["tmp"] = tmp
    return out


@pytest.mark.parametrize("action", ["train", "evaluate"])
@pytest.mark.parametrize("task", ["segment", "translate"])
def test_image_records_hold_the_versions_that_made_them(reports, task, action):
    # the graph tasks' results.json named them; metrics.json did not
    assert reports[task, action]["versions"] == library_versions()
    assert reports[task, action]["threads"] == 1  # --threads' default, which made the bits


@pytest.mark.parametrize("task", ["segment", "translate"])
def test_an_evaluation_records_its_checkpoint_by_absolute_path(reports, task):
    # recorded as given ("segment/checkpoints/last.ckpt"), it named no file read
    # from another folder, while the data's folder was recorded absolute
    report = reports[task, "evaluate"]
    got = report["checkpoint"]
    assert got == report["config"]["checkpoint"] and os.path.isabs(got)
    assert os.path.samefile(got, reports["tmp"] / task / "checkpoints" / "last.ckpt")


def test_the_files_a_recorded_config_names_are_absolute(tmp_path, monkeypatch):
    from pyg_fusion.experiments.image_config import TranslateDataConfig
    from pyg_fusion.experiments.image_run import config_with_data
    monkeypatch.chdir(tmp_path)
    config = {"checkpoint": "run/last.ckpt", "model": {"pretrained": "r18.pth", "width": 4},
              "test": {"inception": "inc.pt", "num_test": 2}, "splits": {"val_data": "val"}}
    got = config_with_data(config, TranslateDataConfig())
    assert (got["checkpoint"], got["model"]["pretrained"], got["test"]["inception"],
            got["splits"]["val_data"]) == tuple(os.path.join(os.getcwd(), p) for p in (
                "run/last.ckpt", "r18.pth", "inc.pt", "val"))
    assert got["model"]["width"] == 4 and got["test"]["num_test"] == 2
    # a Python call without config= recorded "config": null, nothing of the data scored
    got = config_with_data(None, TranslateDataConfig(), eval=None, splits=TranslateDataConfig())
    assert got == {"splits": dataclasses.asdict(TranslateDataConfig()),
                   "data": dataclasses.asdict(TranslateDataConfig())}


def test_a_python_evaluation_without_config_records_what_it_scored(reports, tmp_path):
    # evaluate_segment / evaluate_translate given no config= wrote "config": null:
    # the record named neither the data nor the test settings it scored
    from pyg_fusion.experiments.segment_run import evaluate_segment
    from pyg_fusion.experiments.translate_run import evaluate_translate
    from pyg_fusion.experiments.image_config import TranslateEvalConfig
    for task, run in (("segment", lambda c, o: evaluate_segment(c, None, o, progress=False)),
                      ("translate", lambda c, o: evaluate_translate(
                          c, None, TranslateEvalConfig(num_test=2), o, progress=False))):
        ckpt = str(reports["tmp"] / task / "checkpoints" / "last.ckpt")
        with contextlib.redirect_stdout(io.StringIO()):
            run(ckpt, str(tmp_path / task))
        config = json.loads((tmp_path / task / "metrics.json").read_text())["config"]
        assert config["data"] == reports[task, "evaluate"]["config"]["data"]
        if task == "translate":
            assert config["eval"] == {**reports[task, "evaluate"]["config"]["eval"],
                                      "num_test": 2}


def test_a_rerun_leaves_no_earlier_figure_beside_its_report(reports, tmp_path, capsys):
    # an evaluation drawing no figure (--num-figure 0) kept the earlier one's
    # translation.png beside its own report, without a word
    ckpt = str(reports["tmp"] / "translate" / "checkpoints" / "last.ckpt")
    out = tmp_path / "eval"
    args = ["translate", "evaluate", "--checkpoint", ckpt, "--num-test", "2", "--out", str(out)]
    _main(args)
    assert (out / "translation.png").is_file()
    capsys.readouterr()
    _main([*args, "--num-figure", "0"])
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["metrics.json", "metrics.md"]
    err = capsys.readouterr().err
    assert f"{out} holds an earlier run: this run does not write its translation.png" in err
    # and before it ran, that the folder held an earlier run
    assert f"{out} holds an earlier run (metrics.json, metrics.md, translation.png)" in err
