"""`translate predict` wrote a 1-channel prediction of exactly 1 (the farthest depth) as
the 16-bit value 65535, which TaskonomyFolder reads as Taskonomy's marker of no depth:
a saturated prediction read back was a hole (0, not valid). Predictions are clipped to
65534, so every predicted pixel reads back as depth."""
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.datasets import TaskonomyFolder
from pyg_fusion.training.translation import TranslationModule

sys.path.insert(0, str(Path(__file__).parent))
from test_translation_s40_predict import _folder  # noqa: E402


def test_a_saturated_depth_prediction_reads_back_as_depth(tmp_path, monkeypatch):
    _folder(tmp_path / "data")
    module = TranslationModule(["shade"], [1], out_channels=1, ngf=2, num_downs=3,
                               gan_mode="none", image_size=16)
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")

    def saturated(self, scene):  # the far half of each image at the farthest depth
        img = torch.zeros(1, 1, 16, 16)
        img[..., 8:] = 1.0
        img[..., 0, 0] = 1 - 0.4 / 65535  # rounds to 65535 as well
        return {name: img for name in self.output_names}
    monkeypatch.setattr(TranslationModule, "translate", saturated)
    out = tmp_path / "out"
    assert main(["translate", "predict", "--checkpoint", str(tmp_path / "m.ckpt"), "--data",
                 str(tmp_path / "data"), "--out", str(out), "--no-progress"]) == 0
    pixels = np.asarray(Image.open(out / "predictions" / "a.png"))
    assert pixels.dtype == np.uint16 and pixels.max() == 65534 and pixels[0, 0] == 65534
    assert (pixels[1:, :8] == 0).all()
    # read back as a depth folder: every pixel has depth, the far ones nearly 1
    (out / "predictions").rename(out / "depth")
    back = TaskonomyFolder(out, ["depth"], target=None, image_size=None)[0]
    assert back.valid_depth.all()
    assert torch.allclose(back.x_depth[0, 0, :, 8:], torch.tensor(65534 / 65535))
