"""``pyg-fusion segment`` on a user's own folders of scenes: a folder of test
scenes alone to score a checkpoint on, test files whose problems only their
pixels show, records and flags of evaluate, and data steps that must not harm
or hide (image formats: tests/test_segment_user_images.py; the Python API:
tests/test_segment_user_api.py)."""
import dataclasses
import json
import re
import shutil

import numpy as np
import pytest
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.datasets import RGBDSegmentation
from test_asym_user import SEG, _write_scenes


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A checkpoint of 5 classes trained on a NYUDv2-layout folder, and that folder."""
    tmp = tmp_path_factory.mktemp("seg")
    root, out = tmp / "nyud", tmp / "run"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "val", [(24, 32), (20, 28)], seed=1)
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--out", str(out)]) == 0
    return root, str(out / "checkpoints" / "last.ckpt")


@pytest.mark.parametrize("name", ["val", "test"])
def test_evaluate_scores_a_folder_of_test_scenes_alone(tmp_path, capsys, trained, name):
    # evaluate --root <folder> stopped with 'list file not found: <folder>/train.txt':
    # scoring needs the test list only
    root, ckpt = trained
    alone = tmp_path / "alone"
    alone.mkdir()
    for f in root.glob("val*"):
        shutil.copy(f, alone / f.name)
    (alone / "val.txt").rename(alone / f"{name}.txt")
    args = ["segment", "evaluate", "--checkpoint", ckpt, "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--root", str(alone), "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    a, b = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in "ab")
    assert b["config"]["data"]["root"] == str(alone)
    assert b["scores"] == a["scores"]   # the same scenes, from the other folder
    (alone / f"{name}.txt").unlink()
    assert main([*args, "--root", str(alone), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"pyg-fusion segment evaluate: error: --root \S+ has no test list: "
                        r"put val\.txt or test\.txt there \(val\.txt is scored when both "
                        r"exist\)", err), err


@pytest.mark.parametrize("spoil,match", [
    ("label", r"mask \S+val1_mask\.png holds labels outside \[0, 5\) and != 255: \[7\]"),
    ("colour depth", r"mask and depth must be single-channel PNGs: \S+val1_mask\.png "
                     r"\(20, 28\), \S+val1_depth\.png \(20, 28, 3\)"),
    ("cut short", r"cannot read depth file \S+val1_depth\.png: image file is truncated"),
])
def test_a_test_scene_that_only_its_pixels_show_bad_stops_before_training(tmp_path, capsys,
                                                                          spoil, match):
    # the headers were checked before training, the pixels only when scored:
    # a label beyond --num-classes in val.txt stopped the run after all its epochs
    root, out = tmp_path / "nyud", tmp_path / "run"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "val", [(24, 32), (20, 28)], seed=1)
    depth = np.array(Image.open(root / "val1_depth.png"))
    if spoil == "label":
        mask = np.array(Image.open(root / "val1_mask.png"))
        mask[3, 4] = 7
        Image.fromarray(mask).save(root / "val1_mask.png")
    elif spoil == "colour depth":
        Image.fromarray(np.stack([(depth // 64).astype(np.uint8)] * 3, -1)).save(
            root / "val1_depth.png")
    else:
        data = (root / "val1_depth.png").read_bytes()
        (root / "val1_depth.png").write_bytes(data[:len(data) // 2])
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert re.search(r"segment train: error: " + match, err), err
    assert not out.exists()   # no epoch trained, no stage made


def test_a_relative_root_is_recorded_absolute_and_found_from_elsewhere(tmp_path, capsys,
                                                                       monkeypatch):
    # --root given relative was recorded as typed (checkpoint and metrics.json):
    # evaluate from another working folder stopped with '--root nyud has no test
    # list', or scored whatever folder of that name it found there
    _write_scenes(tmp_path / "nyud", "train", [(24, 32)] * 2)
    _write_scenes(tmp_path / "nyud", "val", [(24, 32)], seed=1)
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "train", "--data", "nyud", "--root", "nyud", *SEG,
                 "--out", "run"]) == 0
    trained = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert trained["config"]["data"]["root"] == str(tmp_path / "nyud")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "nyud").mkdir(parents=True)   # a folder of that name that is no data
    monkeypatch.chdir(elsewhere)
    assert main(["segment", "evaluate", "--checkpoint", "../run/checkpoints/last.ckpt",
                 "--no-progress", "--out", "eval"]) == 0
    scored = json.loads((elsewhere / "eval" / "metrics.json").read_text())
    assert scored["config"]["data"]["root"] == str(tmp_path / "nyud")
    for name, scores in trained["scores"].items():
        assert scored["scores"][name] == pytest.approx(scores)
    capsys.readouterr()


def test_workers_are_the_scoring_loaders_too(tmp_path, capsys, trained, monkeypatch):
    # segment evaluate --workers 2 was recorded in metrics.json and never read:
    # the test scenes were always loaded in the main process
    import pyg_fusion.training._segmentation_fit as S  # evaluate_segmentation's loaders
    root, ckpt = trained
    seen, loader = [], S._loader

    def spy(ds, batch_size, shuffle, seed, num_workers=0):
        seen.append(num_workers)
        return loader(ds, batch_size, shuffle, seed, num_workers)
    monkeypatch.setattr(S, "_loader", spy)
    args = ["segment", "evaluate", "--checkpoint", ckpt, "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--workers", "2", "--out", str(tmp_path / "b")]) == 0
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--workers", "2", "--out", str(tmp_path / "c")]) == 0
    assert seen == [0, 2, 2, 2]   # evaluate; evaluate --workers 2; train's fit, then test
    capsys.readouterr()
    a, b = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in "ab")
    assert b["config"]["data"]["workers"] == 2
    assert b["scores"] == a["scores"]   # the scores do not depend on the workers


@pytest.mark.parametrize("flags,match", [
    (["--crop-size", "20"], r"--crop-size: the training crop, not read by evaluate, which "
                            r"scores each test scene at its own size"),
    (["--num-test", "3", "--data-seed", "1"], r"--num-test, --data-seed: synthetic data only, "
                                              r"not read with --data nyud"),
])
def test_evaluate_refuses_data_flags_it_would_not_read(tmp_path, capsys, trained, flags, match):
    # evaluate --crop-size 20 (or --num-test 3 on a nyud checkpoint) wrote the
    # value into metrics.json's config and scored what it scored without it
    _, ckpt = trained
    args = ["segment", "evaluate", "--checkpoint", ckpt, "--no-progress"]
    assert main([*args, *flags, "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"pyg-fusion segment evaluate: error: " + match, err), err
    assert not (tmp_path / "a").exists()
    # the checkpoint's own values (e.g. its config read back) are no change
    assert main([*args, "--crop-size", "40", "--num-test", "64", "--out",
                 str(tmp_path / "b")]) == 0
    capsys.readouterr()


def test_a_test_scene_that_is_also_a_training_scene_is_refused(tmp_path, capsys):
    # val.txt listing training scenes (a copy of train.txt, or one scene in both)
    # trained and reported those scenes' scores as the test split's
    root = tmp_path / "nyud"
    _write_scenes(root, "train", [(24, 32)] * 3)
    _write_scenes(root, "val", [(24, 32)] * 2, seed=1)
    lines = (root / "val.txt").read_text().splitlines()
    train1 = (root / "train.txt").read_text().splitlines()[1]
    (root / "val.txt").write_text(f"{lines[0]}\n{train1.replace('train1', './train1', 1)}\n")
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"pyg-fusion segment train: error: \S+val\.txt lists 1 of its 2 scenes "
                        r"in \S+train\.txt too \(e\.g\. \S+/\./train1_rgb\.png\): the test scores "
                        r"would measure training scenes; give the test list scenes of its own",
                        err), err
    assert not (tmp_path / "run").exists()


def test_a_test_list_of_unlabelled_scenes_stops_before_training(tmp_path, capsys):
    # every val.txt mask at 255 trained the whole run, then stopped with 'the
    # confusion matrix is empty (no labelled pixels)', naming no file
    root = tmp_path / "nyud"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "val", [(24, 32), (20, 28)], seed=1)
    for i in range(2):
        Image.fromarray(np.full((24 - 4 * i, 32 - 4 * i), 255, np.uint8)).save(
            root / f"val{i}_mask.png")
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"pyg-fusion segment train: error: \S+val\.txt: every mask pixel of "
                        r"its 2 scene\(s\) is ignore_index \(255\): no labelled pixel to "
                        r"train on or score", err), err
    assert not (tmp_path / "run").exists()
    mask = np.full((20, 28), 255, np.uint8)
    mask[3, 4] = 2   # one labelled pixel is a split to score (of one class: a warning)
    Image.fromarray(mask).save(root / "val1_mask.png")
    with pytest.warns(UserWarning, match="every labelled pixel of its 2 scene"):
        assert RGBDSegmentation(root, "val", num_classes=5).check_files(pixels=True) == [
            (24, 32), (20, 28)]


def test_labels_of_one_class_with_the_foreground_at_255_are_a_warning(tmp_path):
    # binary masks saved as 0 / 255 with --num-classes 2: the foreground is the
    # ignore value, so the run trained and scored the background alone, silently
    _write_scenes(tmp_path, "val", [(20, 20)] * 2)
    fg = np.zeros((20, 20), np.uint8)
    fg[5:10, :] = 255   # a quarter of the pixels
    for i in range(2):
        Image.fromarray(fg).save(tmp_path / f"val{i}_mask.png")
    ds = RGBDSegmentation(tmp_path, "val", num_classes=2)
    with pytest.warns(UserWarning, match=re.escape(
            "val.txt: every labelled pixel of its 2 scene(s) is class 0: one class to learn "
            "or score; 25% of its pixels are ignore_index (255): a binary mask "
            "saved as 0 / 255 marks its foreground as unlabelled (save it as 0 / 1)")):
        assert ds.check_files(pixels=True) == [(20, 20)] * 2
    Image.fromarray(fg // 255).save(tmp_path / "val1_mask.png")   # 0 / 1: two classes
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RGBDSegmentation(tmp_path, "val", num_classes=2).check_files(pixels=True)


def test_the_synthetic_scenes_never_overwrite_a_folder_of_ones_own(tmp_path, capsys):
    # segment train --root <my scenes> without --data nyud (synthetic is the
    # default) wrote the generated scenes into the folder and replaced its
    # train.txt with theirs: the user's list was lost
    root = tmp_path / "mine"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "test", [(24, 32)], seed=1)
    # a folder's own meta.json (the generator's marker has that name) was
    # removed before the lists were looked at
    (root / "meta.json").write_text('{"camera": "mine"}\n')
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    tiny = ["--layers", "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light",
            "--epochs", "1", "--batch-size", "2", "--no-progress"]
    assert main(["segment", "train", "--root", str(root), "--size", "32", "--num-train", "4",
                 "--num-test", "2", *tiny, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"pyg-fusion segment train: error: --root \S+mine holds train\.txt, "
                        r"test\.txt, which the synthetic scenes did not write: a folder of "
                        r"your own scenes, whose lists --data synthetic \(the default\) would "
                        r"overwrite; give --data nyud to train on them, or another --root for "
                        r"the synthetic scenes", err), err
    after = {p.name: p.read_bytes() for p in root.iterdir() if not p.name.startswith(".")}
    assert after == before
    # the generator's own folder is regenerated for other settings, as before
    gen = ["segment", "train", "--root", str(tmp_path / "syn"), "--size", "32",
           "--num-test", "2", *tiny]
    assert main([*gen, "--num-train", "4", "--out", str(tmp_path / "a")]) == 0
    assert main([*gen, "--num-train", "5", "--out", str(tmp_path / "b")]) == 0
    assert len((tmp_path / "syn" / "train.txt").read_text().splitlines()) == 5
    capsys.readouterr()


def test_the_long_data_steps_show_progress_unless_told_not_to(tmp_path, capsys):
    # generating the synthetic scenes (about 15 s at --size 256) and reading the
    # test scenes' pixels before training ran without a bar, as if stuck
    from pyg_fusion.datasets import SyntheticRGBD
    from pyg_fusion.experiments.image_config import SegmentDataConfig
    from pyg_fusion.experiments.segment_run import segment_datasets
    kw = dict(size=16, num_train=3, num_test=2)
    SyntheticRGBD(tmp_path / "a", **kw)
    assert "synthetic RGB-D scenes" in capsys.readouterr().err
    SyntheticRGBD(tmp_path / "b", progress=False, **kw)
    assert capsys.readouterr().err == ""
    _write_scenes(tmp_path / "n", "train", [(24, 32)] * 2)
    _write_scenes(tmp_path / "n", "val", [(24, 32)] * 3, seed=1)
    data = SegmentDataConfig(data="nyud", root=str(tmp_path / "n"), num_classes=5)
    segment_datasets(data)
    assert "checking val.txt" in capsys.readouterr().err
    segment_datasets(data, progress=False)
    segment_datasets(dataclasses.replace(data, data="synthetic", root=str(tmp_path / "c"),
                                         size=16, num_train=3, num_test=2,
                                         num_classes=40), progress=False)
    assert capsys.readouterr().err == ""


def test_own_scenes_without_a_root_are_named_not_read_from_the_synthetic_folder(
        tmp_path, capsys, monkeypatch):
    # --data nyud without --root read --root's default, the synthetic scenes'
    # folder: after a synthetic run there, it trained on those scenes as the
    # user's own (recorded as nyud); before one, 'folder not found' named a
    # folder the user never gave
    monkeypatch.chdir(tmp_path)
    tiny = ["--layers", "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light",
            "--epochs", "1", "--batch-size", "2", "--no-progress"]
    assert main(["segment", "train", "--size", "32", "--num-train", "4", "--num-test", "2",
                 *tiny, "--out", "syn"]) == 0
    capsys.readouterr()
    assert main(["segment", "train", "--data", "nyud", "--num-classes", "6", "--crop-size",
                 "32", *tiny, "--out", "mine"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("pyg-fusion segment train: error: --data nyud reads your own scenes: give "
                   "--root, their folder (runs/synthetic_rgbd, the default, is the synthetic "
                   "scenes')")
    assert not (tmp_path / "mine").exists()


def test_the_report_names_the_list_it_scored(tmp_path, capsys, trained):
    # a folder with val.txt and test.txt was scored on val.txt, while the report
    # said 'scores on the test split' and recorded neither the list nor its size
    root, ckpt = trained
    scenes = (root / "val.txt").read_text().splitlines()
    (root / "test.txt").write_text(scenes[0] + "\n")
    try:
        assert main(["segment", "evaluate", "--checkpoint", ckpt, "--no-progress", "--out",
                     str(tmp_path / "e")]) == 0
    finally:
        (root / "test.txt").unlink()
    capsys.readouterr()
    res = json.loads((tmp_path / "e" / "metrics.json").read_text())
    assert (res["split"], res["list"], res["scenes"]) == ("test", str(root / "val.txt"), 2)
    assert (tmp_path / "e" / "metrics.md").read_text().splitlines()[0] == \
        "scores on the test split (val.txt, 2 scenes)"


def test_training_labels_beyond_the_classes_stop_before_training(tmp_path, capsys):
    # a training mask's label 7 under --num-classes 5 stopped the first epoch, with
    # --workers 2 as torch's 'Caught ValueError in DataLoader worker process 1.
    # Original Traceback ...' flattened into one line
    root = tmp_path / "nyud"
    _write_scenes(root, "train", [(24, 32)] * 3)
    _write_scenes(root, "val", [(24, 32)], seed=1)
    mask = np.array(Image.open(root / "train2_mask.png"))
    mask[0, 0] = 7
    Image.fromarray(mask).save(root / "train2_mask.png")
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--workers", "2", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"pyg-fusion segment train: error: mask \S+train2_mask\.png holds "
                        r"labels outside \[0, 5\) and != 255: \[7\]", err), err
    assert not (tmp_path / "run").exists()
    # the masks alone are read: no RGB or depth file is decoded for the training list
    train = RGBDSegmentation(root, "train", num_classes=8)
    (root / "train0_rgb.png").write_bytes((root / "train0_rgb.png").read_bytes()[:200])
    assert train.check_files(labels=True) == [(24, 32)] * 3
