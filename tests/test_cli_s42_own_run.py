"""An image command (segment / translate train, evaluate, predict) replaces in
its --out only what an earlier run of the same command wrote. A prediction
into a VAD run's folder (<method>/seed<k>) removed its init_* / restart* /
ensemble folders ("this run does not write its ...: removed"), and a train
into an evaluation's --out replaced its report and logs with a notice only;
each is now kept, or refused before any work, one line naming --out."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.experiments._run_folders import check_own_run, staged_run

REPORT = ("metrics.json", "metrics.md", "predictions.png")


def _graph_run(folder):
    """A VAD run folder of `pyg-fusion train` (init auto, then restarts)."""
    for name in ("init_product", "init_mean", "restart0", "ensemble", "logs", "checkpoints"):
        (folder / name).mkdir(parents=True)
        (folder / name / "kept.txt").write_text(name)
    (folder / "scores.json").write_text("{}")
    return sorted(p.name for p in folder.iterdir())


def _report(folder, **extra):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir()
    for name in REPORT:
        (folder / name).write_text("")
    (folder / "metrics.json").write_text(json.dumps({"split": "test", **extra}))


def test_a_prediction_keeps_a_graph_runs_folders(tmp_path):
    run = tmp_path / "lego" / "seed0"
    before = _graph_run(run)
    with staged_run(run, "predict", ("predictions.csv", ), ("predictions", ),
                    keep_failed=False) as stage:
        (Path(stage) / "predictions.csv").write_text("line\n")
        (Path(stage) / "predictions").mkdir()
    assert sorted(p.name for p in run.iterdir()) == sorted(
        before + ["predictions", "predictions.csv"])
    assert (run / "restart0" / "kept.txt").read_text() == "restart0"


@pytest.mark.parametrize("earlier, command, names, said", [
    ("graph", "train", (REPORT, ("checkpoints", "logs")),
     "holds a graph run's folder ensemble: train would replace its checkpoints, logs"),
    ("evaluate", "train", (REPORT, ("checkpoints", "logs")),
     "holds an evaluation's report (metrics.json): train would replace its logs, metrics.json, "
     "metrics.md, predictions.png"),
    ("train", "evaluate", (REPORT, ("eval_logs", )),
     "holds a training run's report (metrics.json): evaluate would replace its "
     "metrics.json, metrics.md, predictions.png"),
])
def test_another_commands_run_is_refused_before_any_work(tmp_path, earlier, command, names,
                                                         said):
    out = tmp_path / "out"
    if earlier == "graph":
        _graph_run(out)
    else:
        _report(out, **({"checkpoint": "m.ckpt"} if earlier == "evaluate" else {}))
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(ValueError) as info:
        with staged_run(out, command, *names):
            pass
    assert str(info.value) == f"--out {str(out)!r} {said}; give another --out"
    assert sorted(p.name for p in out.iterdir()) == before  # no stage left either


@pytest.mark.parametrize("earlier", ["graph", "train", "evaluate"])
def test_a_prediction_or_a_rerun_of_the_same_command_is_let_through(tmp_path, earlier):
    out = tmp_path / "out"
    if earlier == "graph":
        _graph_run(out)
    else:
        _report(out, **({"checkpoint": "m.ckpt"} if earlier == "evaluate" else {}))
    (out / "predictions").mkdir()  # an earlier prediction's, replaced by the next
    check_own_run(out, "predict", ("predictions.csv", ), ("predictions", ))
    if earlier == "graph":  # an evaluation there replaces none of its entries
        check_own_run(out, "evaluate", REPORT, ("eval_logs", ))
    else:
        check_own_run(out, earlier, REPORT, ("logs", ))


def test_segment_train_into_an_evaluations_out_is_one_line(tmp_path, capsys):
    out = tmp_path / "eval"
    _report(out, checkpoint=str(tmp_path / "m.ckpt"))
    assert main(["segment", "train", "--data", "synthetic", "--root", str(tmp_path / "scenes"),
                 "--epochs", "1", "--out", str(out), "--threads", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err == (f"pyg-fusion segment train: error: --out {str(out)!r} holds an evaluation's "
                   f"report (metrics.json): train would replace its logs, metrics.json, "
                   f"metrics.md, predictions.png; give another --out\n")
    assert not (tmp_path / "scenes").exists()  # before the scenes are made


def test_segment_predict_into_a_vad_run_folder_keeps_it(tmp_path, capsys):
    from pyg_fusion.training.segmentation import SegmentationModule
    arch = dict(depth=None, block="basic", layers=(1, 1, 1, 1), width=8, decoder_features=4,
                light=True)
    module = SegmentationModule("asymfusion", 3, arch=arch)
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)).save(tmp_path / "r.png")
    Image.fromarray(rng.integers(0, 9000, (16, 16)).astype(np.uint16)).save(tmp_path / "d.png")
    (tmp_path / "new.txt").write_text("r.png d.png\n")
    run = tmp_path / "v" / "lego" / "seed0"
    before = _graph_run(run)
    assert main(["segment", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--images",
                 str(tmp_path / "new.txt"), "--out", str(run), "--no-progress"]) == 0
    assert "removed" not in capsys.readouterr().err
    assert sorted(p.name for p in run.iterdir()) == sorted(
        before + ["predictions", "predictions.csv"])


def test_train_and_compare_into_an_evaluations_out_are_one_line(tmp_path, capsys):
    """Their results.json replaced an evaluation's (a notice only), whose
    scores.json, scores.csv and logs stayed beside the new run's."""
    out = tmp_path / "eval"
    out.mkdir()
    records = [{"method": "lego", "seed": 0, "checkpoint": str(tmp_path / "m.ckpt")}]
    (out / "results.json").write_text(json.dumps(records))
    for command in ("train", "compare"):
        assert main([command, "--dataset", "digits", "--root", str(tmp_path / "data"),
                     "--epochs", "1", "--out", str(out), "--threads", "1",
                     "--no-progress"]) == 2
        assert capsys.readouterr().err == (
            f"pyg-fusion {command}: error: --out {str(out)!r} holds the results of an "
            f"evaluation (results.json), which {command} would replace: give another --out\n")
    assert json.loads((out / "results.json").read_text()) == records
    assert not (tmp_path / "data").exists()  # before the data loads
