"""`segment predict`: a checkpoint run on new RGB-D scenes without labels (a list of
RGB and depth PNGs, RGBDSegmentation's masks=False), one PNG of class ids per scene
and a table. A user with a trained checkpoint had no way to get predictions from the
CLI: RGBDSegmentation needed a mask per line."""
import csv

import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.datasets import RGBDSegmentation

ARCH = dict(depth=None, block="basic", layers=(1, 1, 1, 1), width=8, decoder_features=4,
            light=True)


def _scenes(root, sizes=((30, 40), (20, 20))):
    rng = np.random.default_rng(0)
    for d in ("rgb", "mask", "depth"):
        (root / d).mkdir(parents=True)
    labelled, new = [], []
    for i, (h, w) in enumerate(sizes):
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(
            root / "rgb" / f"s{i}.png")
        Image.fromarray(rng.integers(0, 3, (h, w), dtype=np.uint8)).save(
            root / "mask" / f"s{i}.png")
        Image.fromarray(rng.integers(0, 9000, (h, w)).astype(np.uint16)).save(
            root / "depth" / f"s{i}.png")
        labelled.append(f"rgb/s{i}.png\tmask/s{i}.png\tdepth/s{i}.png\n")
        new.append(f"rgb/s{i}.png depth/s{i}.png\n")
    (root / "test.txt").write_text("".join(labelled))
    (root / "new.txt").write_text("".join(new))


def _checkpoint(path):
    from pyg_fusion.training.segmentation import SegmentationModule
    module = SegmentationModule("asymfusion", 3, arch=ARCH)
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               path)
    return module.eval()


def test_scenes_without_masks_read_as_the_labelled_ones(tmp_path):
    _scenes(tmp_path)
    new = RGBDSegmentation(tmp_path, list_file="new.txt", masks=False)
    labelled = RGBDSegmentation(tmp_path, "test")
    assert not new.augment and new.check_files(pixels=True) == [(30, 40), (20, 20)]
    for a, b in zip(new, labelled):
        assert sorted(a) == ["depth", "index", "rgb"]
        assert torch.equal(a["rgb"], b["rgb"]) and torch.equal(a["depth"], b["depth"])
    with pytest.raises(ValueError, match=r"expected 2 .*\(rgb, depth\), got 3"):
        RGBDSegmentation(tmp_path, "test", masks=False)
    with pytest.raises(ValueError, match="got 2: .*read with masks=False"):
        RGBDSegmentation(tmp_path, list_file="new.txt")
    with pytest.raises(ValueError, match="augment=True with masks=False"):
        RGBDSegmentation(tmp_path, list_file="new.txt", masks=False, augment=True)


def test_predict_writes_the_ensembles_class_ids_and_a_table(tmp_path, capsys):
    _scenes(tmp_path / "data")
    module = _checkpoint(tmp_path / "m.ckpt")
    out = tmp_path / "out"
    assert main(["segment", "predict", "--checkpoint", str(tmp_path / "m.ckpt"),
                 "--images", str(tmp_path / "data" / "new.txt"), "--out", str(out),
                 "--no-progress"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"wrote {out / 'predictions.csv'}, {out / 'predictions'}")
    rows = list(csv.DictReader((out / "predictions.csv").open()))
    assert [(r["line"], r["prediction"], r["height"], r["width"]) for r in rows] == [
        ("1", "predictions/00001_s0.png", "30", "40"),
        ("2", "predictions/00002_s1.png", "20", "20")]
    with torch.no_grad():  # the labelled scenes' ensemble, as evaluate scores it
        for row, item in zip(rows, RGBDSegmentation(tmp_path / "data", "test")):
            want = module({k: item[k][None] for k in ("rgb", "depth")})[-1][0].argmax(0)
            got = np.array(Image.open(out / row["prediction"]))
            assert got.dtype == np.uint8 and np.array_equal(got, want.numpy())
    assert sorted(p.name for p in out.iterdir()) == ["predictions", "predictions.csv"]


def test_predict_refuses_a_labelled_list_and_a_missing_file(tmp_path, capsys):
    _scenes(tmp_path / "data")
    _checkpoint(tmp_path / "m.ckpt")
    args = ["segment", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--out",
            str(tmp_path / "out"), "--no-progress", "--images"]
    assert main(args + [str(tmp_path / "data" / "test.txt")]) == 2
    assert "expected 2 tab-separated" in capsys.readouterr().err
    assert main(args + [str(tmp_path / "nope.txt")]) == 2
    assert capsys.readouterr().err.strip().endswith(f"--images: no such file: "
                                                    f"{tmp_path / 'nope.txt'}")
    assert not (tmp_path / "out" / "predictions.csv").exists()
