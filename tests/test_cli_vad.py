"""The VAD command line on user features: --vad-* layout and label flags,
--standardize, and the README's write -> train -> evaluate run."""
import json
import re
import shlex
from pathlib import Path

import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticVAD

README = Path(__file__).resolve().parents[1] / "README.md"


def _metrics(path):
    return {r["metric"]: r["mean"] for r in json.loads(Path(path).read_text())}


def _user_args(root, tag, *extra):
    return ["--dataset", "vad", "--root", str(root), "--num-segments", "8", "--no-progress",
            "--vad-source", f"i3d={tag}/domain0/features/i3d/{{name}}.npy",
            "--vad-source", f"swin={tag}/domain0/features/swin/{{name}}.npy",
            "--vad-train-list", f"{tag}/domain0/list/train.list",
            "--vad-test-list", f"{tag}/domain0/list/test.list",
            "--vad-gt", f"{tag}/domain0/list/gt-test.npy", *extra]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A feature set in the RTFM layout whose video names carry no label."""
    root = tmp_path_factory.mktemp("user")
    ds = SyntheticVAD(str(root), "test", num_videos=(8, 6), snippets=(8, 12),
                      num_segments=8, log=False)
    return root, ds.tag


def test_label_flags(written, tmp_path, capsys):
    root, tag = written
    for split in ("train", "test"):  # names that say nothing about the label
        lst = root / "raw" / tag / "domain0" / "list" / f"{split}.list"
        lst.write_text(re.sub(r"_(anomaly|normal)\.npy", ".npy", lst.read_text()))
        for src in ("i3d", "swin"):
            for f in (root / "raw" / tag / "domain0" / "features" / src).glob("*.npy"):
                f.rename(f.with_name(re.sub(r"_(anomaly|normal)\.npy", ".npy", f.name)))
    out = tmp_path / "out"
    args = ["train", *_user_args(root, tag), "--method", "graph-mean", "--epochs", "1",
            "--out", str(out)]
    assert main(args) == 2
    assert "--vad-num-abnormal" in capsys.readouterr().err
    assert main(args + ["--vad-num-abnormal", "4,3"]) == 0
    assert main(args + ["--vad-labels", "position", "--vad-num-abnormal", "9"]) == 2
    assert "num_abnormal in [0, 8]" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(args + ["--vad-num-abnormal", "1,2,3"])
    assert "TRAIN,TEST" in capsys.readouterr().err


def test_standardized_checkpoint_evaluates_with_its_statistics(written, tmp_path, capsys,
                                                              run_noise):
    import torch
    root, tag = written
    out = tmp_path / "train"
    user = _user_args(root, tag, "--vad-labels", "position", "--vad-num-abnormal", "4,3")
    assert main(["train", *user, "--method", "feature-concat", "--epochs", "2",
                 "--standardize", "--out", str(out)]) == 0
    ckpt = out / "feature-concat" / "seed0" / "checkpoints" / "last.ckpt"
    assert (ckpt.parent / "best.ckpt").is_file()
    assert run_noise() == [] and capsys.readouterr().err == ""  # only its own output
    state = torch.load(ckpt, weights_only=False)
    cfg = state["hyper_parameters"]["config"]
    assert cfg["setting"] == "custom,standardized" and cfg["data"]["standardize"]
    assert cfg["data"]["vad"]["vad_num_abnormal"] == {"train": 4, "test": 3}
    assert "standardizer.mean_i3d" in state["state_dict"]
    # the layout and the statistics come from the checkpoint
    ev = tmp_path / "eval"
    assert main(["evaluate", "--checkpoint", str(ckpt), "--root", str(root),
                 "--num-segments", "8", "--no-progress", "--out", str(ev)]) == 0
    trained, again = _metrics(out / "results.json"), _metrics(ev / "results.json")
    for key in ("auc", "ap"):
        assert again[key] == pytest.approx(trained[key], abs=1e-9)
    # other statistics in the checkpoint change the scores: they are the ones applied
    state["state_dict"]["standardizer.std_i3d"] *= 3.0
    torch.save(state, tmp_path / "edited.ckpt")
    assert main(["evaluate", "--checkpoint", str(tmp_path / "edited.ckpt"), "--root",
                 str(root), "--num-segments", "8", "--no-progress",
                 "--out", str(tmp_path / "ev2")]) == 0
    assert _metrics(tmp_path / "ev2" / "results.json")["ap"] != pytest.approx(trained["ap"])
    capsys.readouterr()
    assert main(["evaluate", "--checkpoint", str(ckpt), "--root", str(root),
                 "--no-standardize", "--out", str(tmp_path / "ev3")]) == 2
    assert "trained on standardised features" in capsys.readouterr().err
    # plot rebuilds the user's run from the checkpoint as evaluate does
    png = tmp_path / "scores.png"
    assert main(["plot", "anomaly-scores", "--checkpoint", str(ckpt), "--root", str(root),
                 "--out", str(png)]) == 0
    assert png.stat().st_size > 0


def test_a_rerun_without_held_out_videos_replaces_best_ckpt(written, tmp_path, capsys):
    """best.ckpt is the tested model also without held-out videos (the last
    epoch): a rerun into a used folder leaves no stale one of the first run."""
    root, tag = written
    user = _user_args(root, tag, "--vad-labels", "position", "--vad-num-abnormal", "4,3")
    out = tmp_path / "train"
    train = ["train", *user, "--method", "feature-concat", "--out", str(out)]
    assert main(train + ["--epochs", "2"]) == 0
    assert main(train + ["--epochs", "3", "--val-fraction", "0"]) == 0
    best = out / "feature-concat" / "seed0" / "checkpoints" / "best.ckpt"
    assert main(["evaluate", "--checkpoint", str(best), "--root", str(root),
                 "--no-progress", "--out", str(tmp_path / "ev")]) == 0
    trained, again = _metrics(out / "results.json"), _metrics(tmp_path / "ev" / "results.json")
    assert again["auc"] == pytest.approx(trained["auc"], abs=1e-9)


def _readme_commands():
    text = README.read_text()
    block = text.split("<!-- vad-user-run -->", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [ln for ln in block.replace("\\\n", " ").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    return [shlex.split(ln) for ln in lines]


def test_readme_user_run_chains(tmp_path, monkeypatch, capsys):
    pytest.importorskip("aeon.datasets")
    commands = _readme_commands()
    assert [c[0] for c in commands] == ["python", "pyg-fusion", "pyg-fusion"]
    monkeypatch.chdir(tmp_path)  # the commands' relative runs/... paths land here
    assert commands[0][1] == "-c"
    exec(commands[0][2], {})
    train, evaluate = commands[1][1:], commands[2][1:]
    assert train[0] == "train" and evaluate[0] == "evaluate"
    assert main(train + ["--epochs", "1", "--no-progress"]) == 0
    assert main(evaluate + ["--no-progress"]) == 0
    ckpt = evaluate[evaluate.index("--checkpoint") + 1]
    method = Path(ckpt).parts[-4]
    trained = [r for r in json.loads(Path(train[train.index("--out") + 1],
                                          "results.json").read_text())
               if r["method"] == method and r["metric"] == "auc"]
    again = _metrics(Path(evaluate[evaluate.index("--out") + 1], "results.json"))
    assert again["auc"] == pytest.approx(trained[0]["mean"], abs=1e-9)
    assert "standardized" in capsys.readouterr().out


def test_relational_synthetic_run_evaluates_on_its_own_data(tmp_path):
    out, data = tmp_path / "train", str(tmp_path / "data")
    assert main(["train", "--dataset", "synthetic-vad", "--root", data, "--num-segments", "8",
                 "--relational-shift", "4", "--data-seed", "3", "--method", "graph-mean",
                 "--epochs", "1", "--no-progress", "--out", str(out)]) == 0
    rec = json.loads((out / "results.json").read_text())
    assert rec[0]["setting"] == "multi_representation,relational_shift=4"
    ckpt = out / "graph-mean" / "seed0" / "checkpoints" / "last.ckpt"
    ev = tmp_path / "eval"
    assert main(["evaluate", "--checkpoint", str(ckpt), "--root", data, "--num-segments", "8",
                 "--no-progress", "--out", str(ev)]) == 0
    assert _metrics(ev / "results.json")["auc"] == pytest.approx(_metrics(out / "results.json")
                                                                 ["auc"], abs=1e-9)


def test_plot_rebuilds_a_standardised_relational_checkpoint_on_its_data(tmp_path):
    import torch
    from pyg_fusion.cli.plot import rebuild_from_checkpoint
    out, data = tmp_path / "train", str(tmp_path / "data")
    assert main(["train", "--dataset", "synthetic-vad", "--root", data, "--relational-shift",
                 "4", "--data-seed", "2", "--standardize", "--method", "graph-mean",
                 "--epochs", "1", "--no-progress", "--out", str(out)]) == 0
    ckpt = out / "graph-mean" / "seed0" / "checkpoints" / "last.ckpt"
    _, td, _ = rebuild_from_checkpoint(str(ckpt), data)
    gen = td.test.gen
    assert gen["seed"] == 2 and gen["relational_shift"] == 4.0
    state = torch.load(ckpt, weights_only=True)["state_dict"]
    assert torch.equal(td.test.standardizer.stats("i3d")[1], state["standardizer.std_i3d"])


def test_motion_vad_without_aeon_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    import sys
    monkeypatch.setitem(sys.modules, "aeon", None)
    monkeypatch.setitem(sys.modules, "aeon.datasets", None)
    assert main(["train", "--dataset", "motion-vad", "--root", str(tmp_path),
                 "--method", "graph-mean", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'pyg-fusion[motion]'" in err
