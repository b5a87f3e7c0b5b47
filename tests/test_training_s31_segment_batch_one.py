"""fit_segmentation with batch_size 1 on images of at most 32 pixels a side: the
encoder's deepest map is 1x1, and torch's BatchNorm said 'Expected more than 1
value per channel when training', naming neither the layer nor batch_size."""
import re

import pytest
import torch

from test_asym_user import TINY


class _Scenes(torch.utils.data.Dataset):
    def __init__(self, n, side):
        self.n, self.side = n, side

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        s = self.side
        return {"rgb": torch.rand(3, s, s, generator=g),
                "depth": torch.rand(3, s, s, generator=g),
                "mask": torch.randint(0, 5, (s, s), generator=g)}


def test_a_batch_of_one_tiny_image_names_the_layer_and_batch_size(tmp_path):
    from pyg_fusion.training.segmentation import SegmentationModule, fit_segmentation
    module = SegmentationModule("asymfusion", 5, TINY)
    with pytest.raises(ValueError, match=re.escape(
            "a training batch of 1 image of 32x32 leaves BatchNorm layer "
            "encoder.layer4.0.bn2.norms.0 one value per channel (its input [1, 32, 1, 1]), "
            "and batch statistics need more: give fit_segmentation (or a DataLoader) a "
            "batch_size >= 2")):
        fit_segmentation(module, _Scenes(2, 32), out_dir=str(tmp_path / "run"), max_epochs=1,
                         batch_size=1, progress=False, checkpoint=False)
    assert all(not m._forward_pre_hooks for m in module.model.modules())  # none left
    # the remedies it names train
    for arch, batch_size in (({**TINY, "frozen_stats": True}, 1), (TINY, 2)):
        module = SegmentationModule("asymfusion", 5, arch)
        fit_segmentation(module, _Scenes(2, 32), out_dir=str(tmp_path / "run"),
                         max_epochs=1, batch_size=batch_size, progress=False,
                         checkpoint=False)
