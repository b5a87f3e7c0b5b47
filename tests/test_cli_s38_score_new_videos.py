"""New VAD videos without ground truth scored with a trained checkpoint:
``evaluate --vad-test-list LIST --vad-gt none`` (and ``DataConfig(vad_gt="none")``)
writes each video's snippet and frame scores (scores.json, scores.csv) and no
metrics; a list naming missing features, features of another width and
other sources are one-line errors (exit 2). Before, a test list could not be
scored without a ground truth file: the checkpoint's was read for it."""
import csv
import dataclasses
import json

import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticVAD


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A standardised graph-mean run on user features in the RTFM layout."""
    root = tmp_path_factory.mktemp("user")
    tag = SyntheticVAD(str(root), "test", num_videos=(8, 6), snippets=(8, 12),
                       num_segments=8, log=False).tag
    lists = f"{tag}/domain0/list"
    out = root / "train"
    assert main(["train", "--dataset", "vad", "--root", str(root), "--num-segments", "8",
                 "--vad-source", f"i3d={tag}/domain0/features/i3d/{{name}}.npy",
                 "--vad-source", f"swin={tag}/domain0/features/swin/{{name}}.npy",
                 "--vad-train-list", f"{lists}/train.list",
                 "--vad-test-list", f"{lists}/test.list", "--vad-gt", f"{lists}/gt-test.npy",
                 "--standardize", "--method", "graph-mean", "--epochs", "1",
                 "--no-progress", "--out", str(out)]) == 0
    raw = root / "raw" / tag / "domain0"
    # new videos: two of the test features under names no list or ground truth holds
    for src in ("i3d", "swin"):
        for k, old in enumerate(sorted((raw / "features" / src).glob("d0_test_*.npy"))[:2]):
            np.save(raw / "features" / src / f"new{k}.npy", np.load(old))
    (raw / "list" / "new.list").write_text("new0\nnew1\n")
    ckpt = out / "graph-mean" / "seed0" / "checkpoints" / "best.ckpt"
    return root, raw, lists, ckpt


def _evaluate(ckpt, out, *flags):
    return main(["evaluate", "--checkpoint", str(ckpt), "--no-progress", "--out", str(out),
                 *flags])


def test_new_videos_are_scored_without_metrics(trained, tmp_path, capsys):
    root, raw, lists, ckpt = trained
    full = tmp_path / "full"
    assert _evaluate(ckpt, full) == 0  # the checkpoint's own test videos, with metrics
    old = {v["name"]: v for v in json.loads((full / "scores.json").read_text())["videos"]}
    out = tmp_path / "new"
    out.mkdir()
    (out / "results.json").write_text((full / "results.json").read_text())  # an earlier one
    capsys.readouterr()
    assert _evaluate(ckpt, out, "--vad-test-list", f"{lists}/new.list", "--vad-gt", "none") == 0
    printed = capsys.readouterr()
    assert "without ground truth (no metrics)" in printed.out
    # other test videos are the purpose: no notice of other data (the training split's
    # is the checkpoint's)
    assert "is not what the checkpoint" not in printed.err
    assert not (out / "results.json").exists()  # an earlier evaluation's metrics: removed
    videos = json.loads((out / "scores.json").read_text())["videos"]
    assert [v["name"] for v in videos] == ["new0", "new1"]
    # what was scored: before, scores.json and scores.csv named no checkpoint or data
    head = json.loads((out / "scores.json").read_text())
    assert head["checkpoint"] == str(ckpt.resolve()) and head["notices"] == []
    assert head["data"]["vad_test_list"] == f"{lists}/new.list"
    assert head["data"]["vad_gt"] == "none" and head["frames_per_snippet"] == 16
    firsts = sorted(n for n in old if n.startswith("d0_test_"))[:2]
    for v, name in zip(videos, firsts):
        assert "gt" not in v and "label" not in v
        assert v["scores"] == pytest.approx(old[name]["scores"], abs=1e-6)
        assert v["frame_scores"] == pytest.approx(old[name]["frame_scores"], abs=1e-6)
    with open(out / "scores.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["video", "snippet", "first_frame", "last_frame", "score"]
    for v in videos:
        mine = [r for r in rows if r["video"] == v["name"]]
        assert [float(r["score"]) for r in mine] == v["scores"]
        rate = v["frames_per_snippet"]
        frames = [v["scores"][int(r["snippet"])] for r in mine
                  for _ in range(int(r["first_frame"]), int(r["last_frame"]) + 1)]
        assert frames == v["frame_scores"] and int(mine[1]["first_frame"]) == rate
    # the figure of the existing plot command draws them (no ground truth shaded)
    assert main(["plot", "anomaly-scores", "--input", str(out / "scores.json"),
                 "--out", str(tmp_path / "new.png")]) == 0


def test_new_videos_in_python(trained):
    from pyg_fusion.experiments import DataConfig, checkpoints
    root, raw, lists, ckpt = trained
    c, _, cfg = checkpoints.load_train_checkpoint(str(ckpt))
    data = dataclasses.replace(DataConfig(**checkpoints.FROM_CHECKPOINT),
                               vad_test_list=f"{lists}/new.list", vad_gt="none")
    td, standardizer = checkpoints.checkpoint_data(data, cfg, c["state_dict"], str(ckpt))
    assert standardizer is not None and td.test.standardizer is standardizer
    assert [v.video for v in td.test] == ["new0", "new1"]
    assert all("frame_gt" not in v and "y" not in v for v in td.test)


@pytest.mark.parametrize("listed,error", [
    ("features/i3d/gone.npy\n", "file not found"),   # a list naming missing features
    ("gone.mp4\n", "no features of it are there"),
    ("wide\n", "has 67 features in the test split"),   # another feature width
    ("onlyi3d\n", "source 'swin': file not found"),    # a source missing
])
def test_a_bad_new_list_is_a_one_line_error(trained, tmp_path, capsys, listed, error):
    root, raw, lists, ckpt = trained
    first = np.load(raw / "features" / "i3d" / "new0.npy")
    np.save(raw / "features" / "i3d" / "wide.npy", np.zeros((first.shape[0], 67), np.float32))
    np.save(raw / "features" / "swin" / "wide.npy", np.load(raw / "features" / "swin" / "new0.npy"))
    np.save(raw / "features" / "i3d" / "onlyi3d.npy", first)
    (raw / "list" / "bad.list").write_text(listed)
    capsys.readouterr()
    assert _evaluate(ckpt, tmp_path / "o", "--vad-test-list", f"{lists}/bad.list",
                     "--vad-gt", "none") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and error in err, err


def test_a_new_list_with_the_checkpoints_ground_truth_is_refused(trained, tmp_path, capsys):
    root, raw, lists, ckpt = trained
    capsys.readouterr()
    # before: read against the checkpoint's concatenated ground truth of other videos
    assert _evaluate(ckpt, tmp_path / "o", "--vad-test-list", f"{lists}/new.list") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--vad-gt none" in err and "gt-test.npy" in err


def test_other_sources_are_refused_naming_the_checkpoints(trained, tmp_path, capsys):
    root, raw, lists, ckpt = trained
    tag = lists.split("/")[0]
    capsys.readouterr()
    # before: "standardize has statistics of the sources [...], the data has [...]"
    assert _evaluate(ckpt, tmp_path / "o", "--vad-source",
                     f"i3d={tag}/domain0/features/i3d/{{name}}.npy",
                     "--vad-train-list", f"{lists}/train.list", "--vad-labels", "position",
                     "--vad-num-abnormal", "4", "--vad-test-list", f"{lists}/new.list",
                     "--vad-gt", "none") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "trained on ['i3d', 'swin']" in err


def test_a_training_split_without_labels_is_refused(trained):
    from pyg_fusion.datasets import VADFeatures
    root, raw, lists, ckpt = trained
    tag = lists.split("/")[0]
    with pytest.raises(ValueError, match="labels='none'.*training split"):
        VADFeatures(str(root), "train", sources={"i3d": f"{tag}/domain0/features/i3d"},
                    train_list=f"{lists}/train.list", labels="none", log=False)


def test_new_videos_need_none_of_the_training_files(trained, tmp_path):
    # a checkpoint taken to another machine, with the new videos' features only
    # (before: the training list and features were read for the model's sizes)
    import shutil
    root, raw, lists, ckpt = trained
    there = tmp_path / "elsewhere" / "raw" / raw.relative_to(root / "raw")
    for src in ("i3d", "swin"):
        (there / "features" / src).mkdir(parents=True)
        for k in range(2):
            shutil.copy(raw / "features" / src / f"new{k}.npy", there / "features" / src)
    (there / "list").mkdir()
    shutil.copy(raw / "list" / "new.list", there / "list")
    flags = ("--vad-test-list", f"{lists}/new.list", "--vad-gt", "none")
    assert _evaluate(ckpt, tmp_path / "here", *flags) == 0
    assert _evaluate(ckpt, tmp_path / "away", "--root", str(tmp_path / "elsewhere"),
                     *flags) == 0
    here, away = (json.loads((tmp_path / o / "scores.json").read_text())
                  for o in ("here", "away"))
    assert away["videos"] == here["videos"]  # (their data records name each --root)


def test_a_folder_of_new_features_is_scored(trained, tmp_path, capsys):
    # no list: --vad-source given anew names the folders, every video in them is
    # scored; before, the notice called the purpose other data than the checkpoint's
    import shutil
    root, raw, lists, ckpt = trained
    for src in ("i3d", "swin"):
        (tmp_path / "new" / "raw" / src).mkdir(parents=True)
        for k in range(2):
            shutil.copy(raw / "features" / src / f"new{k}.npy", tmp_path / "new" / "raw" / src)
    listed = tmp_path / "listed"
    assert _evaluate(ckpt, listed, "--vad-test-list", f"{lists}/new.list", "--vad-gt",
                     "none") == 0
    capsys.readouterr()
    assert _evaluate(ckpt, tmp_path / "folder", "--root", str(tmp_path / "new"),
                     "--vad-source", "i3d=i3d", "--vad-source", "swin=swin",
                     "--vad-gt", "none") == 0
    assert "notice" not in capsys.readouterr().err
    assert json.loads((tmp_path / "folder" / "scores.json").read_text())["videos"] == \
        json.loads((listed / "scores.json").read_text())["videos"]


@pytest.mark.parametrize("flags", [("--vad-num-abnormal", "1"), ("--vad-labels", "name"),
                                   ("--vad-train-list", "x.list")])
def test_label_flags_unread_without_ground_truth_are_refused(trained, tmp_path, capsys, flags):
    # before: accepted and never read (no labels, no training split)
    root, raw, lists, ckpt = trained
    capsys.readouterr()
    assert _evaluate(ckpt, tmp_path / "o", "--vad-test-list", f"{lists}/new.list",
                     "--vad-gt", "none", *flags) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{flags[0]}: --vad-gt none scores" in err
