"""Shared convolutions and private BatchNorm (AsymFusion's one network for all
modalities), the encoders, the fusion block, the decoders and the segmenter."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (ModalityBatchNorm2d, ModalityParallel,
                                bn_affine_parameter_count,
                                share_across_modalities)


def _count(model):
    return sum(p.numel() for p in model.parameters())


def _small_cnn():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8),
                         nn.ReLU(), nn.Conv2d(8, 4, 3, padding=1),
                         nn.BatchNorm2d(4))


def test_modality_parallel_shares_one_module():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1)
    par = ModalityParallel(conv)
    xs = [torch.randn(2, 3, 5, 5), torch.randn(2, 3, 5, 5)]
    out = par(xs)
    assert torch.allclose(out[0], conv(xs[0])) and torch.allclose(out[1], conv(xs[1]))
    assert len(list(par.parameters())) == 2        # one weight, one bias
    with pytest.raises(TypeError, match="xs"):
        par(xs[0])


def test_modality_batchnorm_private_statistics_and_affine():
    bn = ModalityBatchNorm2d(4, 2)
    a = torch.randn(8, 4, 3, 3)
    b = 5 + 3 * torch.randn(8, 4, 3, 3)
    bn([a, b])
    m0, m1 = bn.bns[0].running_mean, bn.bns[1].running_mean
    assert not torch.allclose(m0, m1)               # private statistics
    assert torch.allclose(m1, 0.1 * b.mean(dim=(0, 2, 3)), atol=1e-5)
    assert bn.bns[0].weight is not bn.bns[1].weight
    with pytest.raises(ValueError, match="2 modality"):
        bn([a])


def test_modality_batchnorm_frozen_stats():
    bn = ModalityBatchNorm2d(4, 2, frozen_stats=True).train()
    bn.bns[1].running_mean.fill_(2.0)
    x = torch.randn(6, 4, 3, 3)
    out = bn([x, x])
    assert torch.equal(bn.bns[0].running_mean, torch.zeros(4))   # not updated
    assert torch.allclose(out[1], (x - 2.0) / (1 + 1e-5) ** 0.5, atol=1e-6)
    out[0].sum().backward()
    assert bn.bns[0].weight.grad is not None                     # affine learns


def test_share_across_modalities_parameters():
    torch.manual_seed(0)
    plain = _small_cnn()
    n_plain, n_bn = _count(plain), bn_affine_parameter_count(plain)
    shared = share_across_modalities(_small_cnn(), 2)
    assert _count(shared) == n_plain + n_bn         # only BN affine doubles
    assert isinstance(shared.model[1], ModalityBatchNorm2d)
    conv = shared.model[0]
    assert isinstance(conv, nn.Conv2d)              # one shared object
    xs = [torch.randn(4, 3, 6, 6), torch.randn(4, 3, 6, 6) * 3 + 1]
    ya, yb = shared(xs)
    (ya.sum() + yb.sum()).backward()
    assert conv.weight.grad is not None
    # each modality uses its own BN: same input, different private affine
    shared = share_across_modalities(_small_cnn(), 2).eval()
    with torch.no_grad():
        shared.model[4].bns[1].bias.add_(1.0)
    za, zb = shared([xs[0], xs[0]])
    assert torch.allclose(zb - za, torch.ones_like(za), atol=1e-5)


def test_share_across_modalities_copies_bn_state():
    plain = _small_cnn()
    with torch.no_grad():
        plain[1].weight.uniform_()
        plain[1].running_var.fill_(4.0)
    shared = share_across_modalities(plain, 3)
    for b in shared.model[1].bns:
        assert torch.equal(b.weight, shared.model[1].bns[0].weight)
        assert torch.equal(b.running_var, torch.full((8, ), 4.0))
    assert bn_affine_parameter_count(shared) == 2 * (8 + 4)
