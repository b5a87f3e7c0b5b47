"""Every module of pyg_fusion.nn.asym with parameters or buffers resets to a
fresh build: after ``torch.manual_seed(s); m.reset_parameters()`` it holds
what ``torch.manual_seed(s)`` and a new build hold, BatchNorm running
statistics included, and the generator is where the build left it."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (AsymFusionBasicBlock, AsymFusionBottleneck, AsymFusionTranslator,
                                AsymGraphFusion, AsymTranslationFusion, ModalityNorm,
                                ModalityParallel, PatchGANDiscriminator, RefineNetDecoder,
                                SeparateEncoders, SharedModalityNetwork, asym_fusion_segmenter,
                                resnet18, share_across_modalities)


def _cnn():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Sequential(nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4)),
                         nn.Conv2d(4, 2, 1))


BUILDS = {
    "ModalityParallel of a Sequential": lambda: ModalityParallel(
        nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))),
    "ModalityNorm": lambda: ModalityNorm(4, 2),
    "ModalityNorm of a callable building a Sequential": lambda: ModalityNorm(
        4, 2, lambda c: nn.Sequential(nn.Conv2d(c, c, 1), nn.BatchNorm2d(c))),
    "SharedModalityNetwork": lambda: share_across_modalities(_cnn(), 2),
    "SharedModalityNetwork of a BatchNorm": lambda: share_across_modalities(
        nn.BatchNorm2d(4), 2),
    "SeparateEncoders": lambda: SeparateEncoders(
        [resnet18(width=4, num_modalities=1) for _ in range(2)]),
    "AsymFusionBottleneck": lambda: AsymFusionBottleneck(16, 4, 2),
    "AsymFusionBasicBlock": lambda: AsymFusionBasicBlock(4, 4, 2),
    "RefineNetDecoder": lambda: RefineNetDecoder([4, 8, 16, 32], 3, features=4),
    "segmenter, separate encoders": lambda: asym_fusion_segmenter(
        3, depth=None, block="basic", layers=(1, 1, 1, 1), width=4, decoder_features=4,
        light=True, share=False),
    "AsymGraphFusion": lambda: AsymGraphFusion({"a": 3, "b": 5}, 5, num_layers=2),
    "AsymTranslationFusion": lambda: AsymTranslationFusion(5, 2),
    "AsymFusionTranslator, instance norm": lambda: AsymFusionTranslator(
        2, 3, 3, ngf=4, num_downs=3, norm="instance"),
    "PatchGANDiscriminator": lambda: PatchGANDiscriminator(6, ndf=4, num_layers=2),
}


def _assert_same_state(got: nn.Module, want: dict):
    state = got.state_dict()
    assert state.keys() == want.keys()
    for key in want:
        assert torch.equal(state[key], want[key]), key


def _move_everything(module: nn.Module):
    # parameters and buffers (running statistics, batch counts) away from a fresh build's
    with torch.no_grad():
        for t in list(module.parameters()) + list(module.buffers()):
            t.add_(1.0 if t.is_floating_point() else 3)


@pytest.mark.parametrize("name", list(BUILDS))
def test_reset_parameters_gives_a_fresh_build_buffers_included(name):
    build = BUILDS[name]
    torch.manual_seed(3)
    want = build().state_dict()
    after_build = torch.rand(4)  # where the build left the generator
    torch.manual_seed(3)
    module = build()
    _move_everything(module)
    torch.manual_seed(3)
    module.reset_parameters()
    _assert_same_state(module, want)
    assert torch.equal(torch.rand(4), after_build)  # the same draws, no more


def test_shared_network_resets_after_training_steps_and_on_meta():
    torch.manual_seed(0)
    want = share_across_modalities(_cnn(), 2).state_dict()
    torch.manual_seed(0)
    model = share_across_modalities(_cnn(), 2)
    assert isinstance(model, SharedModalityNetwork)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):  # moves the weights and each modality's running statistics
        opt.zero_grad()
        sum(y.sum() for y in model([torch.randn(2, 3, 6, 6), torch.randn(2, 3, 6, 6)])).backward()
        opt.step()
    torch.manual_seed(0)
    model.reset_parameters()
    _assert_same_state(model, want)
    with torch.device("meta"):  # deferred initialisation: built without memory, then reset
        model = share_across_modalities(_cnn(), 2)
    model = model.to_empty(device="cpu")
    torch.manual_seed(0)
    model.reset_parameters()
    _assert_same_state(model, want)
