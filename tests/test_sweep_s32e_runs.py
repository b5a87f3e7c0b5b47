"""``pyg-fusion sweep`` runs each cell as compare runs a method: a VAD run's
folder holds its scores.json, and one source given to LEGO is said as
compare says it (one path: experiments.run's run_in_folder and notice)."""
import json

import numpy as np
import pytest

from pyg_fusion.cli import main


def test_a_vad_sweeps_runs_write_the_scores_they_were_tested_on(tmp_path, capsys):
    from pyg_fusion.training.metrics import frame_level_metrics
    import torch
    out = tmp_path / "sweep"
    assert main(["sweep", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--p", "1", "--q", "1,2", "--epochs", "1",
                 "--no-progress", "--threads", "1", "--out", str(out)]) == 0
    assert "P<p>_Q<q>/seed<k>/scores.json" in capsys.readouterr().out.strip().splitlines()[-1]
    records = json.loads((out / "sweep.json").read_text())
    for q in (1, 2):
        videos = json.loads((out / f"P1_Q{q}" / "seed0" / "scores.json").read_text())["videos"]
        again = frame_level_metrics([torch.tensor(v["frame_scores"]) for v in videos],
                                    [torch.tensor(v["gt"]) for v in videos])
        for r in records:
            if r["Q"] == q and r["metric"] in ("auc", "ap", "pr_auc_trapz"):
                assert again[r["metric"]] == pytest.approx(r["mean"], abs=1e-12)
    assert not list(out.glob("**/*.partial"))
    # plot pq-sensitivity of its sweep.json draws the panels sweep.png has: a
    # grid of one P has no surface
    from PIL import Image
    png = tmp_path / "pq.png"
    assert main(["plot", "pq-sensitivity", "--input", str(out / "sweep.json"),
                 "--out", str(png)]) == 0
    with Image.open(png) as drawn, Image.open(out / "sweep.png") as swept:
        assert drawn.size == swept.size


def _one_view(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    np.savetxt(tmp_path / "a.csv", x, delimiter=",")
    np.savetxt(tmp_path / "y.csv", (x[:, 0] > 0).astype(int), fmt="%d")
    return ["--dataset", "tables", "--views", str(tmp_path / "a.csv"), "--labels",
            str(tmp_path / "y.csv"), "--root", str(tmp_path / "data"), "--epochs", "1",
            "--no-progress", "--threads", "1"]


def _notices(capsys):
    return [ln.split("notice: ", 1)[1] for ln in capsys.readouterr().err.splitlines()
            if "notice:" in ln]


def test_a_sweep_of_one_source_says_so_as_compare_does(tmp_path, capsys):
    flags = _one_view(tmp_path)
    assert main(["compare", *flags, "--method", "lego", "--out", str(tmp_path / "c")]) == 0
    said = _notices(capsys)
    assert len(said) == 1 and "only one source was given, 'a' (--views)" in said[0]
    assert main(["sweep", *flags, "--p", "1,2", "--q", "1", "--out", str(tmp_path / "s")]) == 0
    assert _notices(capsys) == said


def test_a_sweep_of_q_over_one_source_is_refused(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sweep", *_one_view(tmp_path), "--p", "1", "--q", "1,2",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("pyg-fusion sweep: error: --q 1,2: the data "
                                               "has one source, 'a'")
    assert not out.exists()
