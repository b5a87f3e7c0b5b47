"""AsymFusion as a user meets it: NYUDv2-layout folders whose test scenes differ
in size, bad files of a test list, a --pretrained file that does not fit, a
Taskonomy folder whose images of one modality differ in channels, and
share_across_modalities on a bare BatchNorm."""
import json
import re

import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.datasets import RGBDSegmentation
from pyg_fusion.datasets.translation import TaskonomyFolder
from pyg_fusion.training import seed_everything
from pyg_fusion.training.segmentation import (
    SegmentationModule,
    evaluate_segmentation,
    fit_segmentation,
)

TINY = {"depth": None, "layers": (1, 1, 1, 1), "width": 4, "decoder_features": 8,
        "light": True, "dropout": 0.0}
SEG = ["--layers", "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light",
       "--epochs", "1", "--crop-size", "40", "--batch-size", "2", "--num-classes", "5",
       "--no-progress"]


def _write_scenes(root, split, sizes, seed=0):
    """A NYUDv2-layout list ``split.txt``: one scene per ``(H, W)`` of
    ``sizes``, labels in [0, 5)."""
    rng = np.random.default_rng(seed)
    root.mkdir(exist_ok=True)
    lines = []
    for i, (h, w) in enumerate(sizes):
        mask = rng.integers(0, 5, (h, w)).astype(np.uint8)
        rgb = np.stack([40 * mask, 255 - 40 * mask, rng.integers(0, 255, (h, w))],
                       -1).astype(np.uint8)
        depth = (1000 + 800 * mask.astype(np.uint16)).astype(np.uint16)
        names = [f"{split}{i}_{k}.png" for k in ("rgb", "mask", "depth")]
        for name, arr in zip(names, (rgb, mask, depth)):
            Image.fromarray(arr).save(root / name)
        lines.append("\t".join(names))
    (root / f"{split}.txt").write_text("\n".join(lines) + "\n")


def test_test_scenes_of_different_sizes_are_scored_each_at_its_size(tmp_path):
    # NYUDv2-layout test scenes are not cropped: a folder of mixed sizes
    # stopped the scoring in torch.stack, after the whole training run
    _write_scenes(tmp_path, "val", [(24, 32), (20, 28), (24, 32)])
    test = RGBDSegmentation(tmp_path, "val", num_classes=5)
    assert test.check_files() == [(24, 32), (20, 28), (24, 32)]
    seed_everything(0)
    module = SegmentationModule("asymfusion", 5, TINY)
    together = evaluate_segmentation(module, test, out_dir=str(tmp_path / "a"),
                                     batch_size=3, progress=False)
    alone = evaluate_segmentation(module, test, out_dir=str(tmp_path / "b"),
                                  batch_size=1, progress=False)
    assert set(together) == {"rgb", "depth", "ensemble"}
    for name in together:   # each scene scored as alone: not padded to the largest
        for k, v in together[name].items():
            assert v == pytest.approx(alone[name][k], abs=1e-12)


def test_training_scenes_of_different_sizes_name_the_crop(tmp_path):
    _write_scenes(tmp_path, "train", [(24, 32), (20, 28)])
    train = RGBDSegmentation(tmp_path, "train", num_classes=5, crop_size=None,
                             scale_range=(1, 1))
    module = SegmentationModule("asymfusion", 5, TINY)
    with pytest.raises(ValueError, match="crop_size"):
        fit_segmentation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1,
                         batch_size=2, progress=False, checkpoint=False)


def test_cli_nyud_mixed_sizes_and_evaluate_batch_size(tmp_path, capsys):
    root, out = tmp_path / "nyud", tmp_path / "run"
    _write_scenes(root, "train", [(48, 56)] * 4)
    _write_scenes(root, "val", [(48, 56), (40, 52), (48, 56)], seed=1)
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--out", str(out)]) == 0
    res = json.loads((out / "metrics.json").read_text())
    assert (out / "predictions.png").stat().st_size > 1000
    # --batch-size given to evaluate is the one scored with (it was ignored:
    # 8 scenes per step, whatever the memory) and the scores are the run's
    ckpt = str(out / "checkpoints" / "last.ckpt")
    assert main(["segment", "evaluate", "--checkpoint", ckpt, "--batch-size", "1",
                 "--no-progress", "--out", str(tmp_path / "eval")]) == 0
    again = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert again["config"]["data"]["batch_size"] == 1
    for name, scores in res["scores"].items():
        assert again["scores"][name] == pytest.approx(scores)
    capsys.readouterr()


@pytest.mark.parametrize("spoil,match", [
    ("garbage", r"cannot read rgb file .*val1_rgb\.png"),
    ("size", r"image sizes differ: rgb .*val1_rgb\.png \(24, 32\), .*depth .*\(20, 32\)"),
    ("missing", r"mask file not found: .*val1_mask\.png"),
])
def test_cli_bad_test_file_is_named_before_training(tmp_path, capsys, spoil, match):
    root, out = tmp_path / "nyud", tmp_path / "run"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "val", [(24, 32)] * 2)
    if spoil == "garbage":
        (root / "val1_rgb.png").write_text("not an image")
    elif spoil == "size":
        Image.fromarray(np.zeros((20, 32), np.uint16)).save(root / "val1_depth.png")
    else:
        (root / "val1_mask.png").unlink()
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("pyg-fusion segment train: error:")
    assert re.search(match, err), err
    assert not (out / "checkpoints").exists()   # found before training, not after


def test_cli_pretrained_that_does_not_fit_names_the_flags(tmp_path, capsys):
    root = tmp_path / "nyud"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "val", [(24, 32)])
    wrapped = tmp_path / "wrapped.pth"   # a training checkpoint, not a bare state_dict
    torch.save({"state_dict": {"conv1.weight": torch.zeros(4, 3, 7, 7)}}, wrapped)
    small = tmp_path / "small.pth"       # a ResNet of another width
    torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7)}, small)
    for path, match in ((wrapped, r"unexpected \['state_dict'\]"),
                        (small, r"\['conv1\.weight'\] has shape \(64, 3, 7, 7\)"),
                        (tmp_path / "nope.pth", r"--pretrained: no such file")):
        assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                     "--pretrained", str(path), "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "--pretrained" in err, err
        assert re.search(match, err), err
        if path.exists():
            assert "--width 4" in err and "--layers 1,1,1,1" in err


def test_taskonomy_image_with_other_channels_is_named(tmp_path):
    rng = np.random.default_rng(0)
    for m in ("rgb", "shade"):
        (tmp_path / m).mkdir()
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(
            tmp_path / "rgb" / f"{i}.png")
        shape = (8, 8, 3) if i == 2 else (8, 8)   # one grey image saved as RGB
        Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8)).save(
            tmp_path / "shade" / f"{i}.png")
    ds = TaskonomyFolder(tmp_path, ["shade"], image_size=8)
    assert ds.channels == {"shade": 1}
    assert ds[1].x_shade.shape == (1, 1, 8, 8)
    with pytest.raises(ValueError, match=r"shade/2\.png has 3 channels, but 'shade' images "
                                         r"have 1 \(as .*shade/0\.png\)"):
        ds[2]


def test_share_across_modalities_privatises_a_bare_batchnorm():
    from pyg_fusion.nn.asym import ModalityNorm, share_across_modalities
    bn = torch.nn.BatchNorm2d(3)
    net = share_across_modalities(bn, 2)
    assert isinstance(net.model, ModalityNorm)   # was the one BN, shared by both
    a, b = torch.randn(4, 3, 5, 5) + 3, torch.randn(4, 3, 5, 5) - 3
    net([a, b])
    stats = [n.running_mean for n in net.model.norms]
    assert (stats[0] > 0).all() and (stats[1] < 0).all()   # private statistics
    # a network already in the shared form is not wrapped a second time
    again = share_across_modalities(ModalityNorm(3, 2), 2)
    assert all(type(n) is torch.nn.BatchNorm2d for n in again.model.norms)


def test_the_runs_stay_importable_from_image_run():
    """The image runs moved to segment_run / translate_run; image_run, the
    module README named for them before, still gives the same functions."""
    from pyg_fusion.experiments import image_run, segment_run, translate_run
    assert image_run.run_segment is segment_run.run_segment
    assert image_run.evaluate_translate is translate_run.evaluate_translate
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        image_run.nope


def _one_scene(root, rgb, depth, mask=None, tiff=False):
    """``val.txt`` listing one scene of the arrays given (mask: all class 1)."""
    root.mkdir(exist_ok=True)
    mask = np.ones(depth.shape[:2], np.uint8) if mask is None else mask
    names = ["rgb.png", "mask.png", "depth.png"]
    for name, arr in zip(names, (rgb, mask, depth)):
        if tiff or arr.dtype.kind == "f" or arr.dtype == np.int32:   # TIFF, whatever the name
            Image.fromarray(arr).save(root / name, format="TIFF")
        else:
            Image.fromarray(arr).save(root / name)
    (root / "val.txt").write_text("\t".join(names) + "\n")
    return RGBDSegmentation(root, "val", num_classes=5, normalize=False)


def test_rgb_png_of_16_bits_is_scaled_by_its_bit_depth(tmp_path):
    # a 16-bit (grey) PNG as the RGB image was divided by 255: values up to 257
    depth = np.full((4, 6), 3000, np.uint16)
    grey16 = np.arange(24, dtype=np.uint16).reshape(4, 6) * 2000
    rgb = _one_scene(tmp_path / "a", grey16, depth)[0]["rgb"]
    expect = torch.from_numpy(grey16.astype(np.float32) / 65535)
    for c in range(3):   # grey is tiled to the three channels
        assert torch.allclose(rgb[c], expect)
    rgb = _one_scene(tmp_path / "e", grey16.astype(">u2"), depth, tiff=True)[0]["rgb"]
    assert torch.allclose(rgb[0], expect)   # a big-endian 16-bit TIFF
    grey8 = (np.arange(24, dtype=np.uint8) * 10).reshape(4, 6)
    rgb = _one_scene(tmp_path / "b", grey8, depth)[0]["rgb"]
    assert torch.allclose(rgb[1], torch.from_numpy(grey8.astype(np.float32) / 255))
    with pytest.raises(ValueError, match=r"rgb file .*rgb\.png holds float32 pixels, "
                                         r"expected an 8- or 16-bit image"):
        _one_scene(tmp_path / "c", np.full((4, 6), 0.5, np.float32), depth)[0]


def test_nan_in_a_float_depth_image_names_the_file(tmp_path):
    # a float depth TIFF with NaN for missing depth reached the network, whose
    # error named no file ("input 'depth' contains 2 NaN or Inf value(s)")
    depth = np.full((4, 6), 1.5, np.float32)
    rgb = np.zeros((4, 6, 3), np.uint8)
    item = _one_scene(tmp_path / "a", rgb, depth)[0]
    assert torch.allclose(item["depth"], torch.full((3, 4, 6), 1.5 / 5000))
    depth[1, 2] = depth[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"depth file .*depth\.png holds 2 NaN or Inf "
                                         r"pixel\(s\)"):
        _one_scene(tmp_path / "b", rgb, depth)[0]


def test_taskonomy_float_image_outside_unit_range_or_nan_is_named(tmp_path):
    # a float depth TIFF in metres was clamped to 1 with no word, and one with
    # NaN reached the generator, whose error named no file
    for m in ("rgb", "depth"):
        (tmp_path / m).mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "rgb" / "0.png")
    depth = np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8)
    Image.fromarray(depth).save(tmp_path / "depth" / "0.tif")
    ds = TaskonomyFolder(tmp_path, ["depth"], image_size=None)
    assert torch.allclose(ds[0].x_depth[0, 0], torch.from_numpy(depth))   # kept as it is
    for spoil, match in ((depth * 5, r"holds 51 pixel\(s\) .* values in \[0, 5\]"),
                         (np.where(depth > 0.5, np.nan, depth).astype(np.float32),
                          r"holds 32 pixel\(s\) that are NaN")):
        Image.fromarray(spoil).save(tmp_path / "depth" / "0.tif")
        with pytest.raises(ValueError, match=r"image file .*0\.tif' " + match):
            ds[0]


def test_translate_train_writes_what_its_out_help_names(tmp_path, capsys):
    # the help of translate train's --out named a figure that only evaluate draws
    from pyg_fusion.cli import build_parser
    sub = build_parser()._subparsers._group_actions[0].choices["translate"]
    train = sub._subparsers._group_actions[0].choices["train"]
    text = next(a.help for a in train._actions if "--out" in a.option_strings)
    rng = np.random.default_rng(0)
    for m in ("rgb", "shade"):
        (tmp_path / "d" / m).mkdir(parents=True)
        for i in range(4):
            shape = (8, 8, 3) if m == "rgb" else (8, 8)
            Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8)).save(
                tmp_path / "d" / m / f"{i}.png")
    out = tmp_path / "run"
    assert main(["translate", "train", "--data", str(tmp_path / "d"), "--modalities", "shade",
                 "--image-size", "8", "--num-downs", "2", "--ngf", "4", "--gan-mode", "none",
                 "--epochs", "1", "--batch-size", "2", "--no-progress", "--out", str(out)]) == 0
    capsys.readouterr()
    written = {p.name for p in out.iterdir()}
    assert {"logs", "checkpoints", "metrics.json", "metrics.md"} <= written
    own = text.split(";")[0]   # what the help names as this run's files
    for name in ("metrics.json", "metrics.md", "figure", "translation.png"):
        assert (name in own) == (name in written), (name, text)


def test_mask_of_floats_or_negative_labels_is_named(tmp_path):
    # a float label TIFF was cast to int64 (1.7 became class 1, NaN -2**63) and
    # negative ids passed the range check that names [0, num_classes)
    rgb, depth = np.zeros((4, 6, 3), np.uint8), np.full((4, 6), 3000, np.uint16)
    labels = np.arange(24).reshape(4, 6) % 5
    labels[0, 0] = 255
    mask = _one_scene(tmp_path / "a", rgb, depth, labels.astype(np.uint8))[0]["mask"]
    assert torch.equal(mask, torch.from_numpy(labels))
    with pytest.raises(ValueError, match=r"mask .*mask\.png holds float32 pixels, expected "
                                         r"integer class ids"):
        _one_scene(tmp_path / "b", rgb, depth, labels.astype(np.float32) + 0.5)[0]
    binary = _one_scene(tmp_path / "d", rgb, depth, labels == 3)[0]["mask"]   # a 1-bit PNG
    assert torch.equal(binary, torch.from_numpy((labels == 3).astype(np.int64)))
    negative = labels.astype(np.int32)
    negative[2, 3] = -1
    with pytest.raises(ValueError, match=r"labels outside \[0, 5\) and != 255: \[-1\]"):
        _one_scene(tmp_path / "c", rgb, depth, negative)[0]


def test_cli_train_list_of_one_scene_names_the_list(tmp_path, capsys):
    # one listed scene gives batches of one image whatever --batch-size: at a
    # 32-pixel crop the deepest map is 1x1 and BatchNorm stopped the run with
    # torch's 'Expected more than 1 value per channel when training'
    root = tmp_path / "nyud"
    _write_scenes(root, "train", [(24, 32)])
    _write_scenes(root, "val", [(24, 32)])
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--crop-size", "32", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert re.search(r"error: .*train\.txt lists one scene, which gives training batches of "
                     r"one image, and at --crop-size 32 ", err), err
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_datasets_readme_gives_the_layout_of_every_dataset():
    # datasets/README.md, which README names as the layouts of every dataset of
    # pyg_fusion.datasets, said nothing of the image datasets a user's files go to
    import inspect
    from pathlib import Path

    import pyg_fusion.datasets as ds
    from torch.utils.data import Dataset
    text = (Path(__file__).resolve().parent.parent / "datasets" / "README.md").read_text()
    classes = [n for n in dir(ds) if not n.startswith("_") and inspect.isclass(getattr(ds, n))
               and issubclass(getattr(ds, n), Dataset)]
    assert {"RGBDSegmentation", "TaskonomyFolder", "MultiViewTables"} <= set(classes)
    assert [n for n in classes if f"`{n}" not in text] == []


def test_ignore_index_of_the_scenes_and_the_module_must_agree(tmp_path):
    # RGBDSegmentation(ignore_index=0) with the module's default 255 trained and
    # scored the unlabelled pixels (and the crops' padding) as class 0, silently
    _write_scenes(tmp_path, "train", [(24, 32)] * 2)
    train = RGBDSegmentation(tmp_path, "train", num_classes=5, ignore_index=0, crop_size=24)
    module = SegmentationModule("asymfusion", 5, TINY)
    match = r"train marks unlabelled pixels with ignore_index=0, the module with " \
            r"ignore_index=255: give SegmentationModule\(\.\.\., ignore_index=0\)"
    with pytest.raises(ValueError, match=match):
        fit_segmentation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1,
                         batch_size=2, progress=False, checkpoint=False)
    with pytest.raises(ValueError, match=r"data marks unlabelled pixels with ignore_index=0"):
        evaluate_segmentation(module, train, out_dir=str(tmp_path / "e"), progress=False)
    agree = SegmentationModule("asymfusion", 5, TINY, ignore_index=0)
    scores = evaluate_segmentation(agree, RGBDSegmentation(tmp_path, "train", num_classes=5,
                                                           ignore_index=0, augment=False),
                                   out_dir=str(tmp_path / "e2"), progress=False)
    assert 0 <= scores["ensemble"]["miou"] <= 1


def test_prediction_figure_shows_unnormalised_rgb_as_it_is(tmp_path):
    # with normalize=False the figure still undid ImageNet's normalisation:
    # a grey of 51 / 255 was drawn as 135 / 255, every picture washed out
    from pyg_fusion.training.segmentation import save_prediction_figure
    rgb = np.full((24, 32, 3), 51, np.uint8)
    _one_scene(tmp_path, rgb, np.full((24, 32), 3000, np.uint16))
    scenes = RGBDSegmentation(tmp_path, "val", num_classes=5, normalize=False)
    module = SegmentationModule("asymfusion", 5, TINY)
    path = save_prediction_figure(module, scenes, str(tmp_path / "p.png"), num_images=1)
    pixels = np.asarray(Image.open(path).convert("RGB")).reshape(-1, 3).astype(int)
    grey = (np.abs(pixels - 51) <= 1).all(1).sum()
    assert grey > 24 * 32 / 2, grey   # the input panel, drawn at least at its own size



def test_taskonomy_scenes_of_two_sizes_without_image_size_are_named(tmp_path):
    # image_size=None needs one size for all scenes: a batch of two sizes
    # failed in torch.cat ('Sizes of tensors must match'), naming no scene
    from torch_geometric.loader import DataLoader
    for m in ("rgb", "shade"):
        (tmp_path / m).mkdir()
    for name, side in (("a", 8), ("b", 8), ("c", 6)):
        for m, shape in (("rgb", (side, side, 3)), ("shade", (side, side))):
            Image.fromarray(np.full(shape, 9, np.uint8)).save(tmp_path / m / f"{name}.png")
    ds = TaskonomyFolder(tmp_path, ["shade"], image_size=None)
    assert next(iter(DataLoader(ds[:2], batch_size=2))).x_shade.shape == (2, 1, 8, 8)
    with pytest.raises(ValueError, match=r"scene 'c' is \(6, 6\) \(H, W\), but the first scene "
                                         r"'a' is \(8, 8\): with image_size=None"):
        next(iter(DataLoader(ds, batch_size=3)))
    assert TaskonomyFolder(tmp_path, ["shade"], image_size=8)[2].x_shade.shape == (1, 1, 8, 8)
