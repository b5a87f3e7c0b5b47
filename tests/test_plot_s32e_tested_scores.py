"""``pyg-fusion plot anomaly-scores --checkpoint`` draws the scores that the
checkpoint's test ranks, those its scores.json holds (one path: the test
pass of train and evaluate), the crops of a video as one."""
import dataclasses
import json

import numpy as np
import pytest
import torch

from pyg_fusion.cli import main


@pytest.fixture(scope="module")
def vad_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("vad")
    out, data = tmp / "train", str(tmp / "data")
    assert main(["train", "--dataset", "synthetic-vad", "--root", data, "--num-segments", "8",
                 "--method", "graph-mean", "--epochs", "1", "--no-progress", "--threads", "1",
                 "--out", str(out)]) == 0
    return out / "graph-mean" / "seed0"


def _drawn(monkeypatch, argv):
    """The scores that ``pyg-fusion plot`` gives the figure, and the curves it draws."""
    import pyg_fusion.visualize as V
    calls, plot = [], V.plot_anomaly_scores

    def record(scores, *args, **kwargs):
        fig = plot(scores, *args, **kwargs)
        curves = [next(p for p in a.patches if p.get_gid() == "scores").get_data().values
                  for a in fig.axes if a.patches]
        calls.append((scores, curves))
        return fig

    monkeypatch.setattr(V, "plot_anomaly_scores", record)
    assert main(argv) == 0
    ((scores, curves), ) = calls
    return scores, curves


def _same(drawn, curves, path):
    videos = json.loads(path.read_text())["videos"]
    assert sorted(drawn) == sorted(v["name"] for v in videos)
    for v in videos:
        np.testing.assert_array_equal(np.asarray(drawn[v["name"]], dtype=float),
                                      np.asarray(v["scores"], dtype=float))
    for name, curve in zip(drawn, curves):  # the curves drawn are those scores
        np.testing.assert_allclose(curve, np.asarray(drawn[name], dtype=float), rtol=1e-6)
    return videos


def test_the_figure_of_a_checkpoint_is_its_scores_json(vad_run, tmp_path, monkeypatch):
    ckpt = str(vad_run / "checkpoints" / "best.ckpt")
    drawn, curves = _drawn(monkeypatch, ["plot", "anomaly-scores", "--checkpoint", ckpt,
                                         "--max-videos", "40", "--out",
                                         str(tmp_path / "a.png")])
    videos = _same(drawn, curves, vad_run / "scores.json")
    assert len(curves) == len(videos) == 40
    label = {v["name"]: v["label"] for v in videos}
    assert [label[n] for n in list(drawn)[:4]] == [1, 0, 1, 0]  # both kinds drawn first
    # the run's scores.json draws the same figure
    again, _ = _drawn(monkeypatch, ["plot", "anomaly-scores", "--input",
                                    str(vad_run / "scores.json"), "--out",
                                    str(tmp_path / "b.png")])
    assert list(again) == list(drawn)


def test_the_crops_of_a_video_are_drawn_as_tested(vad_run, tmp_path, monkeypatch):
    # VADFeatures(crops="all"): one item per video and crop, named alike; the
    # test scores a video at the mean of its crops' scores
    import pyg_fusion.experiments.checkpoints as C
    load = C.checkpoint_data

    def crops(*args, **kwargs):
        td, standardizer = load(*args, **kwargs)
        test = []
        for d in td.test:
            for c in range(2):
                e = d.clone()
                e.crop = torch.tensor([c])
                for s in td.in_channels:
                    e[f"x_{s}"] = e[f"x_{s}"] + 3.0 * c
                test.append(e)
        return dataclasses.replace(td, test=test), standardizer

    monkeypatch.setattr(C, "checkpoint_data", crops)
    ckpt = str(vad_run / "checkpoints" / "best.ckpt")
    ev = tmp_path / "eval"
    assert main(["evaluate", "--checkpoint", ckpt, "--no-progress", "--threads", "1",
                 "--out", str(ev)]) == 0
    drawn, curves = _drawn(monkeypatch, ["plot", "anomaly-scores", "--checkpoint", ckpt,
                                         "--max-videos", "3", "--out",
                                         str(tmp_path / "a.png")])
    videos = _same(drawn, curves, ev / "scores.json")
    assert len(videos) == 40 and len(curves) == 3
    # the crops score apart: a crop's scores alone are not the video's
    one = json.loads((vad_run / "scores.json").read_text())["videos"][0]
    assert not np.allclose(drawn[one["name"]], one["scores"])


def test_a_scores_file_that_names_a_video_twice_is_refused(tmp_path, capsys):
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({"videos": [{"name": "v", "scores": [0.1, 0.9]},
                                           {"name": "w", "scores": [0.2]},
                                           {"name": "v", "scores": [0.5, 0.5]}]}))
    assert main(["plot", "anomaly-scores", "--input", str(path), "--out",
                 str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "videos[2] is named 'v', as videos[0] is" in err[0]
    assert not (tmp_path / "a.png").exists()


def test_other_frames_per_snippet_than_a_checkpoints_data_is_refused(vad_run, tmp_path,
                                                                       capsys):
    ckpt = str(vad_run / "checkpoints" / "best.ckpt")
    argv = ["plot", "anomaly-scores", "--checkpoint", ckpt, "--out", str(tmp_path / "a.png")]
    assert main([*argv, "--frames-per-snippet", "8"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(
        "error: --frames-per-snippet 8: the checkpoint's test videos have 16 frames per "
        "snippet (its data's snippet_len), the frames of their ground truth; leave the flag "
        "out")
    assert main([*argv, "--frames-per-snippet", "16"]) == 0  # the same: as without it


@pytest.mark.parametrize("kind", ["operator", "pq-sensitivity", "sparse-vs-dense"])
def test_a_runs_scores_file_given_to_another_kind_is_named(tmp_path, capsys, kind):
    from pyg_fusion.training._vad_scores import write_test_scores
    path = tmp_path / "scores.json"
    write_test_scores(path, [{"name": "v", "label": 1, "frames_per_snippet": 2,
                              "scores": torch.tensor([0.2, 0.9]),
                              "frame_scores": torch.tensor([0.2, 0.2, 0.9, 0.9]),
                              "gt": torch.tensor([0, 0, 1, 1])}])
    assert main(["plot", kind, "--input", str(path), "--out", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"holds the test scores of a VAD run of pyg-fusion train, " \
        f"compare, sweep or evaluate (scores.json); {kind} draws" in err[0]
    assert err[0].endswith("draw it with pyg-fusion plot anomaly-scores")
    assert main(["plot", "anomaly-scores", "--input", str(path), "--out",
                 str(tmp_path / "a.png")]) == 0
