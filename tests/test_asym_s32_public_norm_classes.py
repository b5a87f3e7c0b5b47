"""The AsymFusion code selects normalisation layers by torch's public classes:
torch's private bases (nn.modules.batchnorm._BatchNorm,
nn.modules.instancenorm._InstanceNorm) may go in any release."""
import re

import pytest
import torch
from torch import nn

from test_asym_user import TINY


@pytest.fixture
def no_private_bases(monkeypatch):
    monkeypatch.delattr(nn.modules.batchnorm, "_BatchNorm")
    monkeypatch.delattr(nn.modules.instancenorm, "_InstanceNorm")


def test_the_batch_of_one_check_works_without_torch_private_bases(no_private_bases):
    from pyg_fusion.training.segmentation import SegmentationModule
    module = SegmentationModule("asymfusion", 5, TINY)
    g = torch.Generator().manual_seed(0)
    batch = {"rgb": torch.rand(1, 3, 32, 32, generator=g),
             "depth": torch.rand(1, 3, 32, 32, generator=g),
             "mask": torch.randint(0, 5, (1, 32, 32), generator=g)}
    with pytest.raises(ValueError, match=re.escape(
            "a training batch of 1 image of 32x32 leaves BatchNorm layer "
            "encoder.layer4.0.bn2.norms.0 one value per channel")):
        module.training_step(batch, 0)
    assert all(not m._forward_pre_hooks for m in module.model.modules())


def test_the_norm_kinds_are_told_apart_without_torch_private_bases(no_private_bases):
    from pyg_fusion.nn.asym import bn_affine_parameter_count, share_across_modalities
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.SyncBatchNorm(6),
                        nn.BatchNorm1d(5, affine=False))
    assert bn_affine_parameter_count(net) == 2 * 4 + 2 * 6
    from pyg_fusion import PygFusionNotice
    with pytest.warns(PygFusionNotice, match=r"the model's InstanceNorm2d layers stay shared"):
        share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4),
                                              nn.InstanceNorm2d(4, affine=True)), 2)


def test_a_lazy_batch_norm_is_refused_until_called():
    # it is no BatchNorm2d before its first call, and was left shared by all
    # modalities without a word
    from pyg_fusion.nn.asym import ModalityBatchNorm2d, share_across_modalities
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.LazyBatchNorm2d())
    with pytest.raises(TypeError, match=re.escape(
            "model holds lazy BatchNorm layers (1), whose size is known only at their first "
            "call: run the model once on an input (they become BatchNorm1d/2d/3d), then "
            "share it")):
        share_across_modalities(net, 2)
    net(torch.randn(2, 3, 8, 8))
    shared = share_across_modalities(net, 2)
    assert isinstance(shared.model[1], ModalityBatchNorm2d)
