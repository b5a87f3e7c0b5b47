"""segment train into a graph node run's <method>/seed<k> (its checkpoints and
logs, or a compare run's logs only) replaced them: the folder read as an image
training run without a report (or as no run). segment train into a translate
train's --out counted as the same command and replaced its report,
checkpoints and logs. Each is refused now before any work, one line naming
--out; a rerun of the same task's command is let through."""
import json

import pytest

from pyg_fusion.cli import main
from pyg_fusion.experiments._run_folders import TRAINED, check_own_run

# the top-level keys of Lightning's hparams.yaml, as each module logs them
GRAPH = "config:\n  dataset: digits\n  method: lego\nlr: 0.05\nweight_decay: 0.0\n"
SEGMENT = "arch:\n  width: 8\nclass_names:\n- a\nnum_classes: 6\nvariant: asymfusion\n"
TRANSLATE = "beta1: 0.5\nmodalities:\n- shade\n- depth\nngf: 4\nnum_downs: 4\n"
SEGMENT_REPORT = ("metrics.json", "metrics.md", "predictions.png")


def _trained(folder, hparams, checkpoints=True):
    version = folder / "logs" / "version_0"
    version.mkdir(parents=True)
    (version / "hparams.yaml").write_text(hparams)
    (version / "metrics.csv").write_text("epoch,train_loss\n0,1.0\n")
    if checkpoints:
        (folder / "checkpoints").mkdir()
        (folder / "checkpoints" / "last.ckpt").write_bytes(b"weights")


def _files(folder):
    return sorted((str(p.relative_to(folder)), p.read_bytes() if p.is_file() else None)
                  for p in folder.rglob("*"))


def _segment_train(tmp_path, out):
    return main(["segment", "train", "--data", "synthetic", "--root", str(tmp_path / "scenes"),
                 "--epochs", "1", "--out", str(out), "--threads", "1", "--no-progress"])


@pytest.mark.parametrize("checkpoints, said", [
    (True, "folder checkpoints: train would replace its checkpoints, logs"),
    (False, "folder logs: train would replace its logs"),  # compare keeps no checkpoints
])
def test_segment_train_into_a_graph_node_run_is_one_line(tmp_path, capsys, checkpoints, said):
    run = tmp_path / "runs" / "lego" / "seed0"
    _trained(run, GRAPH, checkpoints)
    before = _files(run)
    assert _segment_train(tmp_path, run) == 2
    assert capsys.readouterr().err == (f"pyg-fusion segment train: error: --out {str(run)!r} "
                                       f"holds a graph run's {said}; give another --out\n")
    assert _files(run) == before
    assert not (tmp_path / "scenes").exists()  # before the scenes are made


@pytest.mark.parametrize("report", [True, False])
def test_segment_train_into_a_translate_runs_out_is_one_line(tmp_path, capsys, report):
    out = tmp_path / "tr"
    _trained(out, TRANSLATE)
    if report:
        (out / "metrics.json").write_text(json.dumps(
            {"split": "validation", "modalities": ["shade", "depth"],
             "generator_parameters": 100, "metrics": {}}))
        (out / "metrics.md").write_text("table\n")
    before = _files(out)
    assert _segment_train(tmp_path, out) == 2
    said = ("report (metrics.json): train would replace its checkpoints, logs, metrics.json, "
            "metrics.md" if report else
            "folder checkpoints: train would replace its checkpoints, logs")
    assert capsys.readouterr().err == (f"pyg-fusion segment train: error: --out {str(out)!r} "
                                       f"holds a translate training run's {said}; give "
                                       f"another --out\n")
    assert _files(out) == before


@pytest.mark.parametrize("report", [True, False])
def test_a_rerun_of_the_same_tasks_train_is_let_through(tmp_path, report):
    out = tmp_path / "seg"
    _trained(out, SEGMENT)
    if report:
        (out / "metrics.json").write_text(json.dumps({"split": "test", "variant": "asymfusion"}))
    check_own_run(out, "train", SEGMENT_REPORT, TRAINED, task="segment")
    check_own_run(out, "train", SEGMENT_REPORT, TRAINED)  # a caller naming no task


def test_segment_evaluate_into_a_translate_evaluations_out_is_refused(tmp_path):
    out = tmp_path / "ev"
    out.mkdir()
    (out / "metrics.json").write_text(json.dumps(
        {"split": "test", "generator_parameters": 100, "config": {"checkpoint": "m.ckpt"}}))
    (out / "metrics.md").write_text("table\n")
    (out / "translation.png").write_bytes(b"png")
    with pytest.raises(ValueError) as info:
        check_own_run(out, "evaluate", SEGMENT_REPORT, ("eval_logs", ), task="segment")
    assert str(info.value) == (f"--out {str(out)!r} holds a translate evaluation's report "
                               f"(metrics.json): evaluate would replace its metrics.json, "
                               f"metrics.md; give another --out")
