"""Every public layer of pyg_fusion.nn as a user's own model holds it:
``reset_parameters()`` under a seed gives the weights of a fresh build under
that seed (also after a build on the meta device); 16-bit inputs; reprs."""
import copy

import pytest
import torch

from pyg_fusion.nn import GraphHead, RowHead
from pyg_fusion.nn.asym import (AsymFusionTranslator, AsymGraphFusion, ChainedResidualPooling,
                                ResidualConvUnit, asym_fusion_segmenter, resnet18)
from pyg_fusion.nn.baselines import GCN, MTN, FeatureFusion

SMALL_SEGMENTER = dict(depth=None, block="basic", layers=(1, 1, 1, 1), width=4,
                       decoder_features=4, light=True)

BUILDS = {
    "GraphHead": lambda: GraphHead(5, 8, 3, num_layers=3),
    "GCN": lambda: GCN(5, 8, 3),
    "FeatureFusion": lambda: FeatureFusion({"a": 3, "b": 5}, "add"),
    "MTN": lambda: MTN(5, 8),
    "ResNetEncoder": lambda: resnet18(width=4),
    "segmenter": lambda: asym_fusion_segmenter(3, **SMALL_SEGMENTER),
    "segmenter, separate encoders": lambda: asym_fusion_segmenter(3, share=False,
                                                                  **SMALL_SEGMENTER),
    "AsymFusionTranslator": lambda: AsymFusionTranslator(2, 3, 3, ngf=4, num_downs=3),
    "ResidualConvUnit": lambda: ResidualConvUnit(4),
    "ChainedResidualPooling": lambda: ChainedResidualPooling(4),
}


def _assert_same_state(got: torch.nn.Module, want: dict):
    state = got.state_dict()
    assert state.keys() == want.keys()
    for key in want:
        assert torch.equal(state[key], want[key]), key


@pytest.mark.parametrize("name", list(BUILDS))
def test_reset_parameters_gives_a_fresh_build(name):
    build = BUILDS[name]
    torch.manual_seed(1)
    want = build().state_dict()
    after_build = torch.rand(4)  # where the build left the generator
    torch.manual_seed(1)
    module = build()
    with torch.no_grad():
        for p in module.parameters():
            p.add_(1.0)
    torch.manual_seed(1)
    module.reset_parameters()
    _assert_same_state(module, want)
    assert torch.equal(torch.rand(4), after_build)  # the same draws, no more


@pytest.mark.parametrize("name", ["GraphHead", "MTN", "segmenter", "AsymFusionTranslator"])
def test_build_on_meta_then_reset_gives_a_fresh_build(name):
    # deferred initialisation: built without memory, materialised, then reset
    build = BUILDS[name]
    torch.manual_seed(2)
    want = build().state_dict()
    with torch.device("meta"):
        module = build()
    module = module.to_empty(device="cpu")
    torch.manual_seed(2)
    module.reset_parameters()
    _assert_same_state(module, want)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_heads_keep_zero_rows_zero_in_16_bit(dtype, device):
    # node 2 receives one edge of weight 0 (a FusedGraph keeps such edges);
    # row 1 of the dense graph is all zero: both stay 0, as in float32
    edge_index = torch.tensor([[0, 1, 2, 0], [1, 2, 0, 0]], device=device)
    weight = torch.tensor([0.5, 0.0, 1.0, 0.0], device=device)
    w = GraphHead.normalize(edge_index, weight.to(dtype), 3)
    assert w.dtype == dtype and w.device.type == device.type
    assert torch.equal(w.float(), GraphHead.normalize(edge_index, weight, 3))
    torch.manual_seed(0)
    head = GraphHead(3, 4, 2, dropout=0.0).to(device, dtype)
    x = torch.randn(3, 3).to(device, dtype)
    got = head(x, edge_index, weight.to(dtype))
    want = copy.deepcopy(head).float()(x.float(), edge_index, weight)
    assert got.dtype == dtype and torch.allclose(got.float(), want, atol=0.05)

    graph = torch.zeros(1, 4, 4, device=device)
    graph[0, 0, 1] = 1.0
    torch.manual_seed(0)
    rows = RowHead(4, row_norm="max").to(device, dtype)
    got = rows(graph.to(dtype))
    want = copy.deepcopy(rows).float()(graph)
    assert got.dtype == dtype and torch.allclose(got.float(), want, atol=0.05)


def test_reprs_show_the_key_arguments():
    # PyG's style: the class and the arguments that change what it computes
    assert "norm='layer'" in repr(AsymGraphFusion({"a": 3}, 10, norm="layer"))
    assert repr(resnet18(width=4, fusion=False, in_channels=6)).endswith(
        "in_channels=6, width=4, fusion=False, shuffle=True, shift=True, ratio=0.2, "
        "shift_pixels=1, frozen_stats=False)")
    text = repr(asym_fusion_segmenter(3, modalities=("rgb", "hha"), head="sum",
                                      **SMALL_SEGMENTER))
    assert "modalities=('rgb', 'hha'), head='sum'" in text
    assert repr(ResidualConvUnit(4, blocks=3)) == "ResidualConvUnit(4, blocks=3)"
    assert repr(ChainedResidualPooling(4, stages=2, kernel_size=1)) == \
        "ChainedResidualPooling(4, stages=2, kernel_size=1)"


def test_reprs_tell_differently_configured_asym_modules_apart():
    """The translator's and the encoder's one-line reprs hid the exchange's settings (and
    the decoder's dropout, the graph fusion's ratio / steps / dropout, a block's
    shift_pixels, a private norm's eps / momentum / input_dim, a shared network's model):
    two differently configured modules printed the same."""
    from torch import nn

    from pyg_fusion.nn.asym import (AsymFusionBottleneck, AsymTranslationFusion, ModalityNorm,
                                    RefineNetDecoder, ResNetEncoder, share_across_modalities)
    kw = dict(ngf=4, num_downs=3)
    assert repr(AsymFusionTranslator(2, 1, 3, ratio=0.25, shift=2, shuffle=False,
                                     use_shift=False, dropout=0.5, detach_ensemble=False,
                                     share_decoder_norm=True, **kw)) == (
        "AsymFusionTranslator(num_modalities=2, in_channels=1, out_channels=3, ngf=4, "
        "num_downs=3, norm='batch', fusion_levels=[1], ratio=0.25, shift=2, dropout=0.5, "
        "detach_ensemble=False, share_decoder_norm=True, shuffle=False, use_shift=False)")
    assert repr(AsymTranslationFusion(8, norm="instance", use_shift=False)) == (
        "AsymTranslationFusion(8, num_modalities=2, norm='instance', ratio=0.2, shift=1, "
        "shuffle=True, use_shift=False)")
    assert repr(ResNetEncoder("basic", (1, 1, 1, 1), width=4, shuffle=False, shift=False,
                              ratio=0.25, shift_pixels=2, frozen_stats=True)) == (
        "ResNetEncoder(block='basic', layers=(1, 1, 1, 1), num_modalities=2, in_channels=3, "
        "width=4, fusion=True, shuffle=False, shift=False, ratio=0.25, shift_pixels=2, "
        "frozen_stats=True)")
    assert repr(AsymFusionBottleneck(8, 2, fusion=True, shift_pixels=2)).splitlines()[1] == (
        "  num_modalities=2, fusion=True, shuffle=True, shift=True, ratio=0.2, shift_pixels=2")
    assert repr(RefineNetDecoder([4, 8, 16, 32], 3, features=4, dropout=0.1)) == (
        "RefineNetDecoder([4, 8, 16, 32], num_classes=3, features=4, light=False, "
        "dropout=0.1)")
    assert repr(AsymGraphFusion({"a": 3}, 10, ratio=0.1, steps=2, dropout=0.1)) == (
        "AsymGraphFusion({'a': 3}, 10, num_layers=1, shift='temporal', shuffle=True, "
        "ratio=0.1, steps=2, norm='batch', dropout=0.1, combine=None)")
    assert repr(ModalityNorm(4, norm="layer", eps=1e-3, input_dim=2)) == (
        "ModalityNorm(4, num_modalities=2, norm='layer', frozen_stats=False, eps=0.001, "
        "input_dim=2)")
    shared = share_across_modalities(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)), 2)
    assert repr(shared).startswith("SharedModalityNetwork(Sequential(\n  (0): Conv2d(1, 2,")
    assert repr(shared).endswith("), num_modalities=2)")
    # each pair differs in one setting, prints differently and has the same state-dict keys
    encoder = dict(block="basic", layers=(1, 1, 1, 1), width=4)
    pairs = [
        (AsymFusionTranslator(2, 1, 3, **kw), AsymFusionTranslator(2, 1, 3, ratio=0.25, **kw)),
        (AsymFusionTranslator(2, 1, 3, **kw), AsymFusionTranslator(2, 1, 3, dropout=0.5, **kw)),
        (ResNetEncoder(**encoder), ResNetEncoder(**encoder, shift=False)),
        (ResNetEncoder(**encoder), ResNetEncoder(**encoder, shift_pixels=2)),
        (share_across_modalities(nn.Sequential(nn.Conv2d(1, 2, 3)), 2),
         share_across_modalities(nn.Sequential(nn.Conv2d(1, 2, 5)), 2)),
    ]
    for a, b in pairs:
        assert repr(a) != repr(b)
        assert a.state_dict().keys() == b.state_dict().keys()
