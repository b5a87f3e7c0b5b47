"""RGBDSegmentation on PNG files written here in the NYUDv2 list layout, and
the seeded SyntheticRGBD generator."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from pyg_fusion.datasets import RGBDSegmentation, SyntheticRGBD
from pyg_fusion.datasets.rgbd import IMAGENET_MEAN, IMAGENET_STD
from pyg_fusion.datasets.synthetic_rgbd import make_rgbd_scene


def _write_nyud(root, n=2, h=20, w=24, seed=0):
    rng = np.random.default_rng(seed)
    lines = []
    arrays = []
    for i in range(n):
        mask = rng.integers(0, 40, size=(h, w)).astype(np.uint8)
        mask[:3, :5] = 255
        # rgb and depth are functions of the label, so that any augmentation
        # that moves pixels must move all three alike
        rgb = np.stack([mask, 255 - mask, np.full_like(mask, 7)], axis=-1)
        depth = (1000 + 50 * mask.astype(np.uint16)).astype(np.uint16)
        for kind, arr in (("rgb", rgb), ("masks", mask), ("depth", depth)):
            os.makedirs(root / kind, exist_ok=True)
            Image.fromarray(arr).save(root / kind / f"{i:04d}.png")
        lines.append(f"rgb/{i:04d}.png\tmasks/{i:04d}.png\tdepth/{i:04d}.png")
        arrays.append((rgb, mask, depth))
    (root / "train.txt").write_text("\n".join(lines) + "\n")
    (root / "val.txt").write_text(lines[0] + "\n")
    return arrays


def test_rgbd_reads_the_list_layout(tmp_path):
    arrays = _write_nyud(tmp_path)
    ds = RGBDSegmentation(tmp_path, "val")
    assert len(ds) == 1 and not ds.augment
    item = ds[0]
    rgb, mask, depth = arrays[0]
    assert item["mask"].dtype == torch.long
    assert torch.equal(item["mask"], torch.from_numpy(mask.astype(np.int64)))
    assert (item["mask"][:3, :5] == 255).all()
    exp_depth = torch.from_numpy(depth.astype(np.float32)) / 5000
    assert item["depth"].shape == (3, 20, 24)
    for c in range(3):   # tiled to 3 channels
        assert torch.allclose(item["depth"][c], exp_depth)
    exp_rgb = (torch.from_numpy(rgb).permute(2, 0, 1).float() / 255
               - torch.tensor(IMAGENET_MEAN).view(3, 1, 1)) \
        / torch.tensor(IMAGENET_STD).view(3, 1, 1)
    assert torch.allclose(item["rgb"], exp_rgb, atol=1e-6)


def test_rgbd_list_with_a_byte_order_mark_and_crlf(tmp_path):
    arrays = _write_nyud(tmp_path)
    text = (tmp_path / "train.txt").read_text().replace("\n", "\r\n")
    (tmp_path / "val.txt").write_bytes(("\ufeff" + text).encode())
    ds = RGBDSegmentation(tmp_path, "val")  # no augmentation
    assert len(ds) == 2
    assert torch.equal(ds[0]["mask"], torch.from_numpy(arrays[0][1].astype(np.int64)))


def _decode(item):
    # invert the normalisation of the red channel back to the label value
    red = item["rgb"][0] * IMAGENET_STD[0] + IMAGENET_MEAN[0]
    return (red * 255).round().long()


def test_rgbd_training_augmentation_moves_all_inputs_alike(tmp_path):
    _write_nyud(tmp_path)
    ds = RGBDSegmentation(tmp_path, "train", crop_size=16, scale_range=(0.5, 2.0))
    assert ds.augment
    for seed in range(6):
        torch.manual_seed(seed)
        item = ds[seed % 2]
        assert item["rgb"].shape == (3, 16, 16) and item["mask"].shape == (16, 16)
        m = item["mask"]
        lab = m != 255
        assert (m[lab] < 40).all()
        # nearest-neighbour depth keeps the label -> depth relation exactly
        d = (item["depth"][0] * 5000).round().long()
        assert torch.equal(d[lab], 1000 + 50 * m[lab])
    torch.manual_seed(3)
    a = ds[1]
    torch.manual_seed(3)
    b = ds[1]
    assert all(torch.equal(a[k], b[k]) for k in ("rgb", "depth", "mask"))
    # without scaling, rgb moves exactly with the labels
    ds1 = RGBDSegmentation(tmp_path, "train", crop_size=16, scale_range=(1, 1))
    for seed in range(4):
        torch.manual_seed(seed)
        item = ds1[0]
        lab = item["mask"] != 255
        assert torch.equal(_decode(item)[lab], item["mask"][lab])


def test_rgbd_pads_small_images_with_ignore(tmp_path):
    _write_nyud(tmp_path)
    ds = RGBDSegmentation(tmp_path, "train", crop_size=40, scale_range=(1, 1))
    item = ds[0]
    assert item["mask"].shape == (40, 40)
    assert (item["mask"] == 255).sum() >= 40 * 40 - 20 * 24
    # padded RGB (rows 20.. of the 20 x 24 image, whatever the flip) is the
    # mean, as the release pads: 0 once normalised
    assert item["rgb"][:, 20:].abs().max() < 1e-6 and item["rgb"][:, :20].abs().max() > 0.1


def test_rgbd_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="train.txt"):
        RGBDSegmentation(tmp_path, "train")
    with pytest.raises(ValueError, match="split"):
        RGBDSegmentation(tmp_path, "dev")
    _write_nyud(tmp_path)
    os.remove(tmp_path / "depth" / "0001.png")
    ds = RGBDSegmentation(tmp_path, "train")
    with pytest.raises(FileNotFoundError, match="0001.png"):
        ds[1]
    (tmp_path / "bad.txt").write_text("rgb/0000.png masks/0000.png\n")
    with pytest.raises(ValueError, match="tab-separated"):
        RGBDSegmentation(tmp_path, list_file="bad.txt")
    with pytest.raises(ValueError, match="0000.png holds labels"):
        RGBDSegmentation(tmp_path, "val", num_classes=10)[0]


def test_synthetic_rgbd_is_seeded_and_written_atomically(tmp_path):
    kw = dict(size=24, num_train=4, num_test=2, seed=3)
    a = SyntheticRGBD(tmp_path / "a", "train", augment=False, **kw)
    b = SyntheticRGBD(tmp_path / "b", "train", augment=False, **kw)
    assert len(a) == 4 and a.num_classes == 6
    for i in range(4):
        assert torch.equal(a[i]["rgb"], b[i]["rgb"])
        assert torch.equal(a[i]["mask"], b[i]["mask"])
    files = sorted(os.listdir(tmp_path / "a" / "rgb"))
    assert files[0] == "test_00000.png" and len(files) == 6
    assert not [f for _, _, fs in os.walk(tmp_path / "a") for f in fs
                if f.endswith(".tmp")]
    # read back from the PNGs: 16-bit depth survives the round trip
    with Image.open(tmp_path / "a" / "depth" / "train_00000.png") as im:
        d = np.array(im)
    assert torch.allclose(a[0]["depth"][0], torch.from_numpy(d.astype(np.float32)) / 5000)
    c = SyntheticRGBD(tmp_path / "a", "train", augment=False,
                      **{**kw, "seed": 4})          # new config regenerates
    assert not torch.equal(c[0]["rgb"], a[0]["rgb"]) or \
        not torch.equal(c[0]["mask"], a[0]["mask"])
    assert len(SyntheticRGBD(tmp_path / "a", "test", **kw)) == 2
    with pytest.raises(ValueError, match="split"):
        SyntheticRGBD(tmp_path / "a", "val", **kw)


def test_synthetic_scenes_need_both_modalities():
    rng = np.random.default_rng(0)
    rgb_of, dz_of = {c: [] for c in range(6)}, {c: [] for c in range(6)}
    rows = np.linspace(0, 1, 48)[:, None] * np.ones((1, 48))
    floor = (4.0 - 2.5 * rows) * 1000
    for _ in range(60):
        rgb, depth, mask = make_rgbd_scene(rng, 48)
        for c in range(6):
            sel = mask == c
            rgb_of[c].append(rgb[sel].astype(float))
            dz_of[c].append(depth[sel] - floor[sel])    # height above floor
    mean_rgb = {c: np.concatenate(v).mean(0) for c, v in rgb_of.items()}
    dz = {c: np.concatenate(v) for c, v in dz_of.items()}
    # box and mat: the same colour (RGB cannot tell them apart) ...
    assert np.abs(mean_rgb[1] - mean_rgb[2]).max() < 6
    # ... but the box stands above the floor, the mat lies on it
    assert np.median(dz[1]) < -300 and abs(np.median(dz[2])) < 30
    # red and blue posters, mat and floor: all flat (depth cannot tell them
    # apart) but of clearly different colours
    for c in (0, 3, 4):
        assert abs(np.median(dz[c])) < 30
    assert np.abs(mean_rgb[3] - mean_rgb[4]).max() > 100


def test_synthetic_rgbd_stopped_regeneration_leaves_no_old_marker(tmp_path, monkeypatch):
    import pyg_fusion.datasets.synthetic_rgbd as S
    kw = dict(num_train=3, num_test=2)
    first = SyntheticRGBD(tmp_path, "train", size=24, augment=False, **kw)[0]["rgb"]
    calls, save = [0], S._save_png

    def stops(path, arr):
        calls[0] += 1
        if calls[0] > 4:
            raise KeyboardInterrupt
        save(path, arr)

    monkeypatch.setattr(S, "_save_png", stops)
    with pytest.raises(KeyboardInterrupt):
        SyntheticRGBD(tmp_path, "train", size=32, **kw)
    monkeypatch.setattr(S, "_save_png", save)
    assert not (tmp_path / "meta.json").exists()
    # the old settings regenerate instead of reading the new scenes under the old marker
    again = SyntheticRGBD(tmp_path, "train", size=24, augment=False, **kw)[0]["rgb"]
    assert torch.equal(again, first)


def test_rgbd_palette_images_are_read_as_colours_and_masks_as_indices(tmp_path):
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[:2] = (255, 0, 0)
    rgb[2:] = (0, 0, 255)
    Image.fromarray(rgb).convert("P", palette=Image.ADAPTIVE, colors=4).save(tmp_path / "r.png")
    mask = np.array([[0, 1, 2, 3]] * 4, np.uint8)
    m = Image.fromarray(mask, "L").convert("P")   # a palette label map keeps its indices
    m.putpalette([0, 0, 0, 9, 9, 9, 50, 50, 50, 200, 0, 0] + [0] * 756)
    m.save(tmp_path / "m.png")
    Image.fromarray(np.zeros((4, 4), np.uint16)).save(tmp_path / "d.png")
    (tmp_path / "test.txt").write_text("r.png\tm.png\td.png\n")
    item = RGBDSegmentation(tmp_path, "test", num_classes=4, normalize=False)[0]
    assert item["rgb"][:, 0, 0].tolist() == [1.0, 0.0, 0.0]
    assert item["rgb"][:, 3, 0].tolist() == [0.0, 0.0, 1.0]
    assert torch.equal(item["mask"], torch.from_numpy(mask.astype(np.int64)))


def test_rgbd_items_are_copies_of_the_cache(tmp_path):
    _write_nyud(tmp_path)
    ds = RGBDSegmentation(tmp_path, "train", augment=False, normalize=False, in_memory=True)
    before = {k: ds[0][k].clone() for k in ("rgb", "depth", "mask")}
    item = ds[0]
    for k in before:
        item[k].fill_(3)
    for k in before:
        assert torch.equal(ds[0][k], before[k])


@pytest.mark.parametrize("kw, name", [({"crop_size": 0}, "crop_size"),
                                      ({"crop_size": -5}, "crop_size"),
                                      ({"crop_size": 2.5}, "crop_size"),
                                      ({"num_classes": 0}, "num_classes")])
def test_rgbd_checks_crop_size_and_num_classes(tmp_path, kw, name):
    _write_nyud(tmp_path)
    with pytest.raises((TypeError, ValueError), match=name):
        RGBDSegmentation(tmp_path, "train", **kw)


def test_rgbd_relative_root_reads_lazily_after_a_chdir(tmp_path, monkeypatch):
    # a lazy dataset (in_memory=False) joined its items to the relative root
    # at each read: after os.chdir they named no file
    arrays = _write_nyud(tmp_path / "nyud")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    ds = RGBDSegmentation("nyud", "val", normalize=False)
    assert ds.root == str(tmp_path / "nyud") and os.path.isabs(ds.list_file)
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert torch.equal(ds[0]["mask"], torch.from_numpy(arrays[0][1].astype(np.int64)))
