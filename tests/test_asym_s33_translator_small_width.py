"""An AsymFusionTranslator of ngf <= 2 (at ratio 0.2): its fusion level 1 has
2 * ngf < 5 channels, groups of g = 0, and exchanges nothing, which only
channel_shuffle's docstring said (ResNetEncoder's width says the same of its
stages). The docstrings of AsymTranslationFusion's channels and of the
translator's ngf say it."""
import torch

from pyg_fusion.nn.asym import AsymFusionTranslator
from pyg_fusion.nn.asym.translator import AsymTranslationFusion


def _exchanges(block: AsymTranslationFusion, xs) -> bool:
    block.eval()
    with torch.no_grad():
        fused = block(xs)
        block.shuffle = block.use_shift = False
        alone = block(xs)
        block.shuffle = block.use_shift = True
    return any(not torch.equal(a, b) for a, b in zip(fused, alone))


def test_fusion_levels_narrower_than_five_channels_exchange_nothing_as_documented():
    torch.manual_seed(0)
    net = AsymFusionTranslator(2, ngf=2, num_downs=4)
    assert net.fusion_levels == [1, 2] and net.widths[1:3] == [4, 8]
    narrow, wide = net.fusion["1"], net.fusion["2"]
    assert not _exchanges(narrow, [torch.randn(2, 4, 4, 4), torch.randn(2, 4, 4, 4)])
    assert _exchanges(wide, [torch.randn(2, 8, 4, 4), torch.randn(2, 8, 4, 4)])
    ngf = " ".join(AsymFusionTranslator.__doc__.split())
    assert "level 1, of ``2 * ngf``, for ``ngf <= 2``" in ngf and "exchanges nothing" in ngf
    channels = " ".join(AsymTranslationFusion.__doc__.split())
    assert "the block exchanges nothing" in channels
