"""A ResNetEncoder of width < 5 (at ratio 0.2): its first stage's fusion block
has g = C // 5 = 0 groups and exchanges nothing, which only channel_shuffle's
docstring said. The encoder's and the segmenter's docstrings say it; no notice
(small widths are test networks: a notice at every build of one would be noise
in each CPU-sized run and test)."""
import torch

from pyg_fusion.nn.asym import ResNetEncoder, asym_fusion_segmenter


def _fused_differs(block, xs) -> bool:
    block.eval()
    with torch.no_grad():
        fused = block(xs)
        block.fusion = False
        alone = block(xs)
        block.fusion = True
    return any(not torch.equal(a, b) for a, b in zip(fused, alone))


def test_the_first_stage_of_width_4_exchanges_nothing_as_documented():
    torch.manual_seed(0)
    enc = ResNetEncoder("basic", (1, 1, 1, 1), width=4)
    first, second = enc.layer1[-1], enc.layer2[-1]
    assert first.fusion and second.fusion
    xs = [torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8)]
    assert not _fused_differs(first, xs)  # 4 planes: g = 0
    assert _fused_differs(second, xs)  # 4 in, 8 planes: g = 1
    doc = " ".join(ResNetEncoder.__doc__.split())
    assert "``width < 5`` for the first stage" in doc and "exchanges nothing" in doc
    assert "below 5, its first stage's fusion block exchanges nothing" in " ".join(
        asym_fusion_segmenter.__doc__.split())
