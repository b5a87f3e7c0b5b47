"""plot anomaly-scores: a scores.json of videos of several frame rates is
drawn at each video's own, and the figure's errors name plot's flags."""
import json
import re

import numpy as np
import pytest
import torch

import pyg_fusion.visualize as V
from pyg_fusion.cli import main
from pyg_fusion.training._vad_scores import write_test_scores


def _video(name, label, rate, snippets, seed):
    g = torch.Generator().manual_seed(seed)
    s = torch.rand(snippets, generator=g)
    gt = torch.zeros(snippets * rate)
    gt[rate * 2:rate * 5] = 1
    return {"name": name, "label": label, "frames_per_snippet": rate, "scores": s,
            "frame_scores": s.repeat_interleave(rate), "gt": gt}


def test_a_scores_file_of_two_rates_is_drawn_at_each_videos_own(tmp_path, monkeypatch):
    path = tmp_path / "scores.json"
    # 10 snippets of 15 frames: 150 frames, which 16 frames a snippet also "fit"
    write_test_scores(path, [_video("a", 1, 16, 10, 0), _video("b", 0, 15, 10, 1)])
    assert "frames_per_snippet" not in json.loads(path.read_text())  # no common rate
    drawn = {}
    original = V.plot_anomaly_scores

    def spy(*args, **kwargs):
        fig = original(*args, **kwargs)
        for ax in fig.axes:
            for patch in ax.patches:
                if patch.get_gid() == "scores":
                    drawn[ax.get_title(loc="left").split()[0]] = patch.get_data().edges.tolist()
        return fig
    monkeypatch.setattr(V, "plot_anomaly_scores", spy)
    assert main(["plot", "anomaly-scores", "--input", str(path), "--out",
                 str(tmp_path / "s.png"), "--threads", "1"]) == 0
    # each snippet over its video's frames, as scores.json's frame_scores: 'b' was
    # drawn at 16 frames a snippet (edges 0, 16, 32, ...), off its ground truth
    assert drawn == {"a": [16.0 * i for i in range(11)], "b": [15.0 * i for i in range(11)]}
    # the rates are the data's: another one is refused, as for --checkpoint
    assert main(["plot", "anomaly-scores", "--input", str(path), "--out",
                 str(tmp_path / "s.png"), "--frames-per-snippet", "16"]) == 2


def test_the_api_draws_a_dict_of_rates_and_names_a_missing_one():
    fig = V.plot_anomaly_scores({"a": [0.1, 0.9], "b": [0.2, 0.3, 0.4]},
                                frames_per_snippet={"a": 4, "b": 2})
    assert [ax.get_xlim()[1] for ax in fig.axes[:2]] == [8, 6]
    with pytest.raises(ValueError, match=r"frames_per_snippet has no entry for video\(s\) \['b'\]"):
        V.plot_anomaly_scores({"a": [0.1], "b": [0.2]}, frames_per_snippet={"a": 4})
    with pytest.raises(ValueError, match=r"frames_per_snippet\['a'\] must be a positive int"):
        V.plot_anomaly_scores({"a": [0.1]}, frames_per_snippet={"a": 0})


@pytest.mark.parametrize("flags, said", [
    (["--threshold", "1e308"], "--threshold holds values up to 1e+308"),
    (["--frames-per-snippet", "100000000"], "--frames-per-snippet 100000000 makes 2e+09 "
     "frames of video 'v' (20 snippets)"),
    (["--frames-per-snippet", "8"], "--input {path}: ground_truth['v'] must have 20 snippet "
     "labels or between 153 and 160 frame labels for 20 snippets of 8 frames, got 320"),
])
def test_the_figures_errors_name_plots_flags(tmp_path, capsys, flags, said):
    path = tmp_path / "s.json"  # a file that records no frames per snippet
    path.write_text(json.dumps({"scores": {"v": np.linspace(0, 1, 20).tolist()},
                                "ground_truth": {"v": [0] * 160 + [1] * 160}}))
    # it said 'threshold holds ...', 'frames_per_snippet=100000000 makes ...'
    assert main(["plot", "anomaly-scores", "--input", str(path), "--out",
                 str(tmp_path / "s.png"), *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pyg-fusion plot: error: " + said.format(path=path)), err
    assert not re.search(r"(?<!-)\b(frames_per_snippet|threshold)\b", err), err


def test_a_files_recorded_rate_is_named_as_the_files(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"scores": {"v": [0.5] * 20}, "frames_per_snippet": 10 ** 8}))
    assert main(["plot", "anomaly-scores", "--input", str(path), "--out",
                 str(tmp_path / "s.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pyg-fusion plot: error: --input {path}: frames_per_snippet="
                          f"100000000 makes"), err
