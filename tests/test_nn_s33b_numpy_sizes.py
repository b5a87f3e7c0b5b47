"""Layer sizes read from arrays (numpy's integers, as a config or a dataset
gives them) build the same layers as Python ints, and print as ints; a
block's stride or width that is no positive int is refused at construction,
naming the argument."""
import numpy as np
import pytest
import torch

from pyg_fusion.nn import GraphHead
from pyg_fusion.nn.asym import AsymFusionBasicBlock, AsymFusionBottleneck, RefineNetDecoder
from pyg_fusion.nn.baselines import GCN, MTN

i = np.int64


@pytest.mark.parametrize("cls", [GraphHead, GCN])
def test_conv_stacks_take_numpy_widths(cls):
    # GraphHead(np.int64(3), ...) was IndexError: invalid index to scalar variable
    # (PyG's GraphConv indexes a width that is not an int as a pair)
    torch.manual_seed(0)
    a = cls(i(3), i(8), i(2), num_layers=i(2))
    torch.manual_seed(0)
    b = cls(3, 8, 2, num_layers=2)
    assert repr(a) == repr(b)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                  b.state_dict().values()))


def test_reprs_print_python_ints():
    assert repr(MTN(i(3), i(4), dilations=(i(1), i(2)))) == (
        "MTN(3, 4, dilations=(1, 2), dropout=0.1)")
    assert repr(RefineNetDecoder([i(8)] * 4, i(3), features=i(8))) == (
        "RefineNetDecoder([8, 8, 8, 8], num_classes=3, features=8, light=False, dropout=0.5)")
    block = AsymFusionBottleneck(i(16), i(4), stride=i(2))
    assert "np." not in repr(block) and block.conv2.stride == (2, 2)


@pytest.mark.parametrize("cls,planes", [(AsymFusionBottleneck, 4), (AsymFusionBasicBlock, 16)])
@pytest.mark.parametrize("stride,err", [(0, ValueError), (-1, ValueError), (2.0, TypeError),
                                        (True, TypeError)])
def test_a_bad_stride_is_named_at_construction(cls, planes, stride, err):
    # was: taken, then torch's 'non-positive stride is not supported' or an
    # 'invalid combination of arguments' of conv2d at the first step
    with pytest.raises(err, match="stride must be"):
        cls(16, planes, stride=stride, fusion=True)


@pytest.mark.parametrize("cls", [AsymFusionBottleneck, AsymFusionBasicBlock])
def test_bad_planes_are_named(cls):
    with pytest.raises(ValueError, match="planes must be >= 1"):
        cls(16, 0)  # was: 'num_features must be >= 1', a BatchNorm's argument
    with pytest.raises(TypeError, match="planes must be an int"):
        cls(16, 2.0)  # was: torch.empty's 'must be tuple of ints'
    with pytest.raises(ValueError, match=r"in_channels\[1\] must be >= 1"):
        RefineNetDecoder([8, 0, 8, 8], 3, features=8)


def test_valid_blocks_unchanged():
    x = [torch.randn(2, 16, 8, 8) for _ in range(2)]
    out = AsymFusionBottleneck(16, 4, stride=2, fusion=True).eval()(x)
    assert [tuple(o.shape) for o in out] == [(2, 16, 4, 4)] * 2
