"""README and AsymFusionTranslator's docstring say what num_modalities=1, the
translation ablation's single-modality baseline, is: the same U-Net with
nothing to exchange, whose fusion levels keep their residual 3x3 block (they
called it 'the plain single-modality U-Net', which pix2pix's has no such
block), differing from the fused generator by the norms and the ensemble only."""
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def test_the_single_modality_generator_is_the_fused_one_without_the_exchange():
    from pyg_fusion.nn.asym import AsymFusionTranslator
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert ("(`num_modalities=1`, the single-modality baseline, is the same U-Net with nothing to "
            "exchange, not pix2pix's plain U-Net: each fusion level keeps its residual 3x3 block"
            in readme)
    doc = " ".join(AsymFusionTranslator.__doc__.split())
    assert "each fusion level keeps its residual 3x3 block, so it is not pix2pix's plain U-Net" \
        in doc
    one = AsymFusionTranslator(num_modalities=1, ngf=8, num_downs=4)
    two = AsymFusionTranslator(num_modalities=2, ngf=8, num_downs=4)
    assert list(one.fusion) == ["1", "2"]  # the levels with a norm, as with two
    shapes = {n: p.shape for n, p in one.named_parameters()}
    fused = {n: p.shape for n, p in two.named_parameters()}
    # the same convolutions; the fused one adds the second modality's norms
    # and an ensemble weight
    assert fused.pop("alpha") == (2, ) and shapes.pop("alpha") == (1, )
    assert {n: s for n, s in fused.items() if ".norms.1." not in n} == shapes
    # with one modality a fusion block is x + ReLU(norm(W * x)): the block's own conv
    block = one.fusion["1"].eval()
    x = torch.randn(2, block.channels, 8, 8)
    with torch.no_grad():
        want = x + torch.relu(block.norm([block.conv(x)])[0])
        assert torch.allclose(block([x])[0], want)
