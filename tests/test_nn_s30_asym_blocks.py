"""AsymFusion's building blocks, composed in a user's own network: an input
of another dtype or device than the block's parameters, or of another width,
is named (torch's own errors named a weight, a bias or "mixed dtype (CPU)")."""
import pytest
import torch

from pyg_fusion.nn import asym as A


def _img(c, h, dtype=torch.float32, device="cpu"):
    return torch.randn(2, c, h, h, dtype=dtype, device=device)


LEVELS = [(64, 8), (128, 4), (256, 2), (512, 1)]
BLOCKS = {
    "ModalityNorm": (lambda: A.ModalityNorm(8, 2),
                     lambda **kw: [_img(8, 4, **kw), _img(8, 4)], r"xs\[0\]"),
    "AsymFusionBottleneck": (lambda: A.AsymFusionBottleneck(16, 4),
                             lambda **kw: [_img(16, 4, **kw), _img(16, 4)], r"xs\[0\]"),
    "AsymFusionBasicBlock": (lambda: A.AsymFusionBasicBlock(16, 16),
                             lambda **kw: [_img(16, 4, **kw), _img(16, 4)], r"xs\[0\]"),
    "ResNetEncoder": (lambda: A.resnet18(), lambda **kw: [_img(3, 32, **kw), _img(3, 32)],
                      r"xs\[0\]"),
    "RefineNetDecoder": (lambda: A.RefineNetDecoder([c for c, _ in LEVELS], 5),
                         lambda **kw: [_img(c, h, **kw) for c, h in LEVELS], r"feats\[0\]"),
    "ResidualConvUnit": (lambda: A.ResidualConvUnit(8), lambda **kw: _img(8, 4, **kw), "x"),
    "ChainedResidualPooling": (lambda: A.ChainedResidualPooling(8),
                               lambda **kw: _img(8, 4, **kw), "x"),
    "AsymTranslationFusion": (lambda: A.AsymTranslationFusion(10),
                              lambda **kw: [_img(10, 4, **kw), _img(10, 4)], r"xs\[0\]"),
    "PatchGANDiscriminator": (lambda: A.PatchGANDiscriminator(3),
                              lambda **kw: _img(3, 32, **kw), "x"),
}


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_block_names_an_input_of_another_dtype_or_device(name):
    build, inputs, arg = BLOCKS[name]
    block = build()
    with pytest.raises(TypeError, match=rf"^{arg} is torch.float64 on cpu but the model's "
                                        r"parameters are torch.float32 on cpu"):
        block(inputs(dtype=torch.float64))
    with pytest.raises(TypeError, match=rf"^{arg} is torch.float32 on meta but the model's "
                                        r"parameters are torch.float32 on cpu"):
        block(inputs(device="meta"))
    x = inputs()
    block.double()([t.double() for t in x] if isinstance(x, list) else x.double())


@pytest.mark.parametrize("build, x, words", [
    (lambda: A.resnet18(), [_img(4, 32), _img(4, 32)], r"xs\[0\] has 4 channels"),
    (lambda: A.RefineNetDecoder([c for c, _ in LEVELS], 5),
     [_img(c + 1, h) for c, h in LEVELS], r"feats\[0\] has 65 channels .* in_channels\[0\] = 64"),
    (lambda: A.ResidualConvUnit(8), _img(6, 4), r"x has 6 channels .* channels = 8"),
])
def test_block_names_an_input_of_another_width(build, x, words):
    with pytest.raises(ValueError, match=words):
        build()(x)


def test_patchgan_names_a_condition_of_another_dtype():
    with pytest.raises(TypeError, match=r"image is torch.float64 but x is torch.float32"):
        A.PatchGANDiscriminator(6)(_img(3, 32), _img(3, 32, dtype=torch.float64))
