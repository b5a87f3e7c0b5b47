"""``pyg-fusion evaluate`` (and train) of a VAD checkpoint write each test
video's snippet and frame scores (scores.json), from which the recorded
frame-level metrics recompute, and which ``plot anomaly-scores`` reads."""
import json

import numpy as np
import pytest
import torch

from pyg_fusion.cli import main


def _metrics(path):
    return {r["metric"]: r["mean"] for r in json.loads(path.read_text())}


def test_evaluate_writes_the_scores_that_reproduce_its_auc(tmp_path, capsys):
    from sklearn.metrics import roc_auc_score
    from pyg_fusion.cli._plot_scores import load_scores
    from pyg_fusion.training.metrics import frame_level_metrics
    out, data = tmp_path / "train", str(tmp_path / "data")
    assert main(["train", "--dataset", "synthetic-vad", "--root", data, "--num-segments", "8",
                 "--method", "graph-mean", "--epochs", "1", "--no-progress", "--threads", "1",
                 "--out", str(out)]) == 0
    assert "seed<k>/scores.json" in capsys.readouterr().out.strip().splitlines()[-1]
    ev = tmp_path / "eval"
    assert main(["evaluate", "--checkpoint",
                 str(out / "graph-mean" / "seed0" / "checkpoints" / "best.ckpt"),
                 "--no-progress", "--threads", "1", "--out", str(ev)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("wrote") and "scores.json" in last
    scores = json.loads((ev / "scores.json").read_text())
    videos = scores["videos"]
    assert scores["frames_per_snippet"] == 16 and len(videos) > 1
    for v in videos:
        assert len(v["frame_scores"]) == len(v["gt"]) == 16 * len(v["scores"])
        assert v["label"] in (0, 1) and v["name"]
    recorded = _metrics(ev / "results.json")
    again = frame_level_metrics([torch.tensor(v["frame_scores"]) for v in videos],
                                [torch.tensor(v["gt"]) for v in videos])
    for k in ("auc", "ap", "pr_auc_trapz"):
        assert again[k] == pytest.approx(recorded[k], abs=1e-12)
    assert roc_auc_score(np.concatenate([v["gt"] for v in videos]),
                         np.concatenate([v["frame_scores"] for v in videos])) == \
        pytest.approx(recorded["auc"], abs=1e-12)
    # train's test evaluation is the same path: the same file, evaluate's naming
    # what it scored (the checkpoint, the data, the notices)
    assert json.loads((out / "graph-mean" / "seed0" / "scores.json").read_text()) == \
        {k: v for k, v in scores.items() if k not in ("checkpoint", "data", "notices")}
    # one format: plot anomaly-scores --input reads it
    read, gt, fps = load_scores(str(ev / "scores.json"))
    assert fps == 16 and sorted(read) == sorted(v["name"] for v in videos)
    assert set(gt) == set(read)
    label = {v["name"]: v["label"] for v in videos}  # drawn: abnormal and normal alternate
    assert [label[n] for n in list(read)[:4]] == [1, 0, 1, 0]


def test_names_repeated_among_domains_are_told_apart(tmp_path):
    from pyg_fusion.training._vad_scores import write_test_scores
    video = {"name": "v", "frames_per_snippet": 1, "scores": torch.zeros(2),
             "frame_scores": torch.zeros(2), "gt": torch.tensor([0, 1])}
    write_test_scores(tmp_path / "s.json", [{**video, "domain": 0}, {**video, "domain": 1}])
    rows = json.loads((tmp_path / "s.json").read_text())["videos"]
    assert [r["name"] for r in rows] == ["v (domain 0)", "v (domain 1)"]


def test_a_node_evaluation_removes_an_earlier_vad_evaluations_scores(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    np.savetxt(tmp_path / "a.csv", x[:, :2], delimiter=",")
    np.savetxt(tmp_path / "b.csv", x[:, 2:], delimiter=",")
    np.savetxt(tmp_path / "y.csv", (x[:, 0] > 0).astype(int), fmt="%d")
    out, ev = tmp_path / "train", tmp_path / "eval"
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "a.csv"),
                 str(tmp_path / "b.csv"), "--labels", str(tmp_path / "y.csv"), "--root",
                 str(tmp_path / "data"), "--method", "lego", "--epochs", "1", "--no-progress",
                 "--threads", "1", "--out", str(out)]) == 0
    ev.mkdir()
    (ev / "scores.json").write_text(json.dumps({"videos": [{"frame_scores": [0.5]}]}))
    (ev / "mine.json").write_text("{}")
    capsys.readouterr()
    assert main(["evaluate", "--checkpoint", str(out / "lego" / "seed0" / "checkpoints" /
                                                "best.ckpt"),
                 "--no-progress", "--threads", "1", "--out", str(ev)]) == 0
    assert "removed the earlier evaluation's scores.json" in capsys.readouterr().out
    assert not (ev / "scores.json").exists() and (ev / "mine.json").exists()
