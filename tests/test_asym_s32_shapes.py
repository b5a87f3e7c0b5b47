"""AsymFusion's exchanges against the released code's formulation, and on the
shapes and layouts a user meets: odd sides, sides below the shift, 1x1, widths
not divisible by the groups, channels_last and non-contiguous inputs, float64
gradients, no_grad."""
import re

import pytest
import torch
import torch.nn.functional as F

from pyg_fusion.functional.asym import channel_shuffle, pixel_shift

SHAPES = [(1, 1), (1, 5), (5, 1), (2, 3), (7, 9)]


def _released_shift(x):
    # models/model.py's ShiftShuffle of github.com/yikaiw/AsymFusion: pad by one,
    # crop at (pos + 1) for pos = (-1, 0), (0, -1), (0, 1), (1, 0), g = C // 5
    g, (h, w) = x.size(1) // 5, x.shape[-2:]
    outs = []
    for q, (ph, pw) in enumerate([(-1, 0), (0, -1), (0, 1), (1, 0)]):
        padded = F.pad(x[:, q * g:(q + 1) * g], (1, 1, 1, 1))
        outs.append(padded[:, :, ph + 1:h + ph + 1, pw + 1:w + pw + 1])
    return torch.cat(outs + [torch.zeros_like(x[:, 4 * g:])], 1)


@pytest.mark.parametrize("hw", SHAPES)
@pytest.mark.parametrize("c", [5, 7, 13, 64])
def test_pixel_shift_is_the_released_code_s(hw, c):
    x = torch.randn(2, c, *hw)
    assert torch.equal(pixel_shift(x), _released_shift(x))


@pytest.mark.parametrize("c", [7, 13])
def test_channel_shuffle_is_the_released_code_s(c):
    a, b = torch.randn(2, c, 3, 4), torch.randn(2, c, 3, 4)
    k = 4 * (c // 5)
    got = channel_shuffle([a, b])
    assert torch.equal(got[0], torch.cat([a[:, :k], b[:, k:]], 1))
    assert torch.equal(got[1], torch.cat([b[:, :k], a[:, k:]], 1))


@pytest.mark.parametrize("hw, shift", [((1, 1), 1), ((2, 3), 2), ((3, 5), 4), ((4, 4), 1)])
def test_the_exchanges_gradcheck_in_float64(hw, shift):
    kw = dict(dtype=torch.float64, requires_grad=True)
    a, b = torch.randn(2, 7, *hw, **kw), torch.randn(2, 7, *hw, **kw)
    assert torch.autograd.gradcheck(lambda x: pixel_shift(x, shift), (a, ))
    assert torch.autograd.gradcheck(lambda x, y: tuple(channel_shuffle([x, y])), (a, b))


def _layouts(x):
    return [x.to(memory_format=torch.channels_last),
            x.transpose(-1, -2).contiguous().transpose(-1, -2)]


def test_the_exchanges_take_any_layout():
    x, y = torch.randn(2, 10, 5, 7), torch.randn(2, 10, 5, 7)
    for xl, yl in zip(_layouts(x), _layouts(y)):
        assert torch.equal(pixel_shift(xl), pixel_shift(x))
        assert all(torch.equal(p, q) for p, q in zip(channel_shuffle([xl, yl]),
                                                     channel_shuffle([x, y])))


def test_the_segmenter_takes_odd_sizes_layouts_and_no_grad():
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    torch.manual_seed(0)
    net = asym_fusion_segmenter(5, depth=None, layers=(1, 1, 1, 1), width=8,
                                decoder_features=8).double().eval()
    xs = [torch.rand(1, 3, 33, 47, dtype=torch.float64) for _ in range(2)]
    want = net(xs)
    assert [tuple(o.shape) for o in want] == [(1, 5, 33, 47)] * 3
    with torch.no_grad():
        assert all(torch.equal(p, q) for p, q in zip(net(xs), want))
    for layout in zip(*[_layouts(x) for x in xs]):
        for p, q in zip(net(list(layout)), want):
            torch.testing.assert_close(p, q)
    # a batch of one trains where the deepest map holds more than one value
    assert net.train()(xs)[-1].shape == (1, 5, 33, 47)


@pytest.mark.parametrize("kw, given", [
    (dict(layers=(1, 1, 1, 1)), "layers=(1, 1, 1, 1)"),
    (dict(block="basic", layers=[2, 2, 2, 2]), "block='basic', layers=[2, 2, 2, 2]"),
    (dict(depth=18, layers=(1, 1, 1, 1)), "layers=(1, 1, 1, 1)"),
])
def test_block_and_layers_beside_depth_are_refused(kw, given):
    # depth (default 50) replaced them without a word: layers=(1, 1, 1, 1)
    # built a ResNet-50
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    depth = kw.get("depth", 50)
    with pytest.raises(ValueError, match=re.escape(
            f"{given}: not read with depth={depth}, which sets the ResNet's block and "
            f"blocks per stage")):
        asym_fusion_segmenter(3, width=4, decoder_features=4, **kw)
    # depth's own values, or depth=None, build as before
    net = asym_fusion_segmenter(3, width=4, decoder_features=4, depth=18, block="basic",
                                layers=(2, 2, 2, 2))
    assert (net.encoder.block, net.encoder.layers) == ("basic", (2, 2, 2, 2))
    net = asym_fusion_segmenter(3, width=4, decoder_features=4, **{**kw, "depth": None})
    assert net.encoder.layers == tuple(kw["layers"])
