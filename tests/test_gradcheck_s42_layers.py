"""gradcheck in float64 for the public differentiable layers and losses that
no other test checks (tests/test_gradcheck_audit.py holds the LEGO operators
and heads): AsymFusion's private norms, a network shared across modalities,
its segmenter (ensemble weights included), decoder, translation generator,
discriminator and losses, the VAD MIL loss and the MTN, GCN and graph-concat
baselines. Inputs are small; the networks are
checked in one random direction (``fast_mode``), evaluation mode where a
dropout would draw."""
import pytest
import torch
from torch.autograd import gradcheck
from torch.func import functional_call

from pyg_fusion.nn.asym import (AsymFusionTranslator, ModalityNorm, PatchGANDiscriminator,
                                RefineNetDecoder, asym_fusion_segmenter,
                                asym_segmentation_loss, gan_loss)
from pyg_fusion.nn.baselines import GCN, MTN
from pyg_fusion.training.vad import mil_topk_loss

D = torch.float64


def _leaf(*shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=D).requires_grad_()


@pytest.mark.parametrize("norm,frozen,input_dim,training", [
    ("batch", False, 4, True), ("batch", False, 4, False), ("batch", True, 4, True),
    ("instance", False, 4, True), ("layer", False, 2, True), ("batch", False, 2, True)])
def test_private_norms(norm, frozen, input_dim, training):
    torch.manual_seed(0)
    layer = ModalityNorm(4, 2, norm, frozen_stats=frozen, input_dim=input_dim).double()
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(torch.rand(p.shape, dtype=D))
        for name, buf in layer.named_buffers():
            if "running" in name:
                buf.add_(torch.rand(buf.shape, dtype=D))
    layer.train(training)
    shape = (3, 4, 3, 2) if input_dim == 4 else (5, 4)
    xs = (_leaf(*shape, seed=1), _leaf(*shape, seed=2))
    names = [n for n, _ in layer.named_parameters()]
    assert names  # the affine parameters of both modalities
    params = tuple(p.detach().clone().requires_grad_() for p in layer.parameters())
    assert gradcheck(lambda *a: tuple(functional_call(layer, dict(zip(names, a[:-2])),
                                                      ([a[-2], a[-1]], ))),
                     params + xs)


def test_segmenter_with_its_ensemble_weights():
    # the ensemble reads the branches detached: its gradient reaches alpha
    # alone, so it is checked in alpha, the branches in the inputs
    torch.manual_seed(0)
    seg = asym_fusion_segmenter(3, depth=None, block="basic", layers=(1, 1, 1, 1), width=4,
                                decoder_features=4, light=True).double().eval()
    a, b = _leaf(2, 3, 32, 32, seed=3), _leaf(2, 3, 32, 32, seed=4)
    assert gradcheck(lambda a, b: tuple(seg([a, b])[:2]), (a, b), fast_mode=True)
    alpha = torch.tensor([0.3, -0.4], dtype=D, requires_grad=True)
    fixed = [a.detach(), b.detach()]
    assert gradcheck(lambda al: functional_call(seg, {"alpha": al}, (fixed, ))[2], (alpha, ))


def test_refinenet_decoder():
    torch.manual_seed(0)
    dec = RefineNetDecoder([3, 4, 5, 6], 2, features=4).double().eval()
    feats = [_leaf(1, c, s, s, seed=5 + i) for i, (c, s) in enumerate(
        zip((3, 4, 5, 6), (8, 4, 2, 1)))]
    assert gradcheck(lambda *f: dec(list(f)), tuple(feats), fast_mode=True)


@pytest.mark.parametrize("training", [True, False])
def test_translation_generator(training):
    torch.manual_seed(0)
    xs = (_leaf(2, 3, 16, 16, seed=9), _leaf(2, 3, 16, 16, seed=10))
    # detach_ensemble=False: the ensemble's gradient reaches the inputs too
    gen = AsymFusionTranslator(2, 3, 1, ngf=4, num_downs=4,
                               detach_ensemble=False).double().train(training)
    assert gradcheck(lambda a, b: (lambda o: (*o.branches, o.ensemble))(gen([a, b])), xs,
                     fast_mode=True)
    alpha = torch.tensor([0.2, 0.5], dtype=D, requires_grad=True)
    fixed = [x.detach() for x in xs]
    gen.detach_ensemble = True
    assert gradcheck(lambda al: functional_call(gen, {"alpha": al}, (fixed, )).ensemble,
                     (alpha, ))


def test_discriminator_and_gan_losses():
    torch.manual_seed(0)
    disc = PatchGANDiscriminator(2, ndf=4, num_layers=2).double().eval()
    x, image = _leaf(1, 1, 16, 16, seed=11), _leaf(1, 1, 16, 16, seed=12)
    assert gradcheck(lambda x, i: disc(x, i), (x, image), fast_mode=True)
    logits = _leaf(2, 1, 3, 3, seed=13)
    for mode in ("vanilla", "lsgan"):
        for real in (True, False):
            assert gradcheck(lambda v: gan_loss(v, real, mode), (logits, ))


def test_segmentation_and_mil_losses():
    outs = (_leaf(2, 3, 4, 5, seed=14), _leaf(2, 3, 4, 5, seed=15))
    target = torch.randint(0, 3, (2, 4, 5), generator=torch.Generator().manual_seed(16))
    target[0, 0] = 255  # ignored pixels
    assert gradcheck(lambda a, b: asym_segmentation_loss([a, b], target), outs)
    logits = _leaf(3, 6, seed=17)  # distinct values: no tie at the k-th snippet
    assert gradcheck(lambda v: mil_topk_loss(v, torch.tensor([1, 0, 1]), k=2), (logits, ))


def test_mtn_and_gcn_baselines():
    torch.manual_seed(0)
    mtn = MTN(3, hidden_channels=4).double().eval()
    assert gradcheck(lambda v: mtn(v), (_leaf(2, 6, 3, seed=18), ), fast_mode=True)
    gcn = GCN(3, 4, 2).double().eval()
    ei = torch.tensor([[0, 1, 1, 2, 3, 4], [1, 0, 2, 3, 2, 0]])
    w = (torch.rand(6, generator=torch.Generator().manual_seed(19), dtype=D) + 0.2)
    assert gradcheck(lambda x, w: gcn(x, ei, w), (_leaf(5, 3, seed=20), w.requires_grad_()))


@pytest.mark.parametrize("training", [True, False])
def test_a_network_shared_across_modalities(training):
    # each modality through the shared convolutions and its own BatchNorms
    from torch import nn

    from pyg_fusion.nn.asym import share_across_modalities
    torch.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                        nn.Conv2d(3, 2, 1), nn.BatchNorm2d(2))
    shared = share_across_modalities(cnn, 2).double().train(training)
    xs = (_leaf(2, 2, 4, 3, seed=21), _leaf(2, 2, 4, 3, seed=22))
    assert gradcheck(lambda a, b: tuple(shared([a, b])), xs)


def test_graph_concat_baseline():
    from pyg_fusion.nn.baselines import GraphFusion
    graphs = (_leaf(2, 4, 4, seed=23), _leaf(2, 4, 4, seed=24))
    assert gradcheck(lambda a, b: GraphFusion("concat")([a, b]), graphs)
