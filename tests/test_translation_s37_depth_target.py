"""A one-channel target (Taskonomy's 16-bit depth_zbuffer) was tiled to three
channels by TaskonomyFolder, so ``translate train --target depth_zbuffer``
trained a colour generator for depth and its figure showed coloured depth."""
import json

import numpy as np
import pytest
import torch
from PIL import Image
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import TaskonomyFolder

from test_translation_s37_valid_mask import _taskonomy


def test_a_depth_target_keeps_its_one_channel(tmp_path):
    ds = TaskonomyFolder(str(_taskonomy(tmp_path)), ["rgb"], "depth_zbuffer", image_size=8)
    d = ds[0]
    assert d.y.shape == (1, 1, 8, 8) and d.valid_depth_zbuffer.shape == (1, 1, 8, 8)
    assert torch.equal(d.y[0, 0][~d.valid_depth_zbuffer[0, 0]], torch.zeros(6))


def test_a_target_file_of_other_channels_is_named(tmp_path):
    root = _taskonomy(tmp_path)
    bad = root / "depth_zbuffer" / "point_3_view_0_domain_depth_zbuffer.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(bad)
    ds = TaskonomyFolder(str(root), ["rgb"], "depth_zbuffer", image_size=8)
    with pytest.raises(ValueError, match=f"{bad} has 3 channels, but 'depth_zbuffer' images "
                                         f"have 1"):
        ds.check_files()


def test_translate_into_depth_trains_and_evaluates_one_channel(tmp_path, capsys):
    from pyg_fusion.cli import main
    from pyg_fusion.training import translation_eval, translation_figure
    from pyg_fusion.training.translation import TranslationModule

    data = _taskonomy(tmp_path / "data")
    out = tmp_path / "out"
    assert main(["translate", "train", "--data", str(data), "--val-data", str(data),
                 "--modalities", "rgb", "--target", "depth_zbuffer", "--image-size", "8",
                 "--num-downs", "3", "--ngf", "4", "--ndf", "4", "--d-layers", "1",
                 "--epochs", "1", "--batch-size", "2", "--out", str(out),
                 "--no-progress"]) == 0
    ckpt = out / "checkpoints" / "best.ckpt"
    module = TranslationModule.load_from_checkpoint(str(ckpt), map_location="cpu")
    assert module.hparams.out_channels == 1
    # scored on the one channel, where the target has depth
    ds = TaskonomyFolder(str(data), ["rgb"], "depth_zbuffer", image_size=8)
    batch = next(iter(DataLoader(ds, batch_size=4)))
    img = translation_eval.translate_batch(module, batch)["ensemble"]
    assert img.shape == (4, 1, 8, 8)
    want = float((img - batch.y)[batch.valid_depth_zbuffer].abs().mean())
    metrics = json.loads((out / "metrics.json").read_text())["metrics"]
    assert metrics["ensemble"]["l1"] == pytest.approx(want, rel=1e-5)
    capsys.readouterr()
    drawn = {}
    real = translation_figure.save_figure
    translation_figure.save_figure = lambda fig, path, **kw: drawn.setdefault("fig", fig) \
        and real(fig, path, **kw)
    try:
        assert main(["translate", "evaluate", "--checkpoint", str(ckpt), "--data", str(data),
                     "--out", str(tmp_path / "ev"), "--no-progress"]) == 0
    finally:
        translation_figure.save_figure = real
    # the depth columns (target and outputs) are drawn on the grey colour map
    depth = [a for a in drawn["fig"].axes if a.get_title().startswith(("target", "depth"))]
    assert len(depth) == 3 and all(a.images[0].get_array().ndim == 2 for a in depth)
    assert all(a.images[0].get_cmap().name == "gray" for a in depth)


def test_fid_and_kid_score_a_one_channel_target(tmp_path):
    """Inception takes three channels: the metric tiles the depth, the data does not."""
    from torch import nn

    from pyg_fusion.training.translation import TranslationModule
    from pyg_fusion.training.translation_eval import FeatureExtractor, evaluate_translation

    class Pool(nn.Module):
        def forward(self, x):
            assert x.size(1) == 3
            return nn.functional.adaptive_avg_pool2d(x, 2).flatten(1)

    ds = TaskonomyFolder(str(_taskonomy(tmp_path)), ["rgb"], "depth_zbuffer", image_size=8)
    module = TranslationModule(["rgb"], out_channels=ds.target_channels, ngf=4, num_downs=3,
                               gan_mode="none")
    res = evaluate_translation(module, DataLoader(ds, batch_size=4),
                               feature_extractor=FeatureExtractor(Pool(), image_size=8),
                               kid_subset_size=2)
    assert all(np.isfinite(res["ensemble"][k]) for k in ("fid", "kid", "l1", "ssim"))
