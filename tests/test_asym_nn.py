"""Shared convolutions and private BatchNorm: AsymFusion's one network for all
modalities (ModalityParallel, ModalityBatchNorm2d, share_across_modalities)."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (ModalityBatchNorm2d, ModalityParallel,
                                bn_affine_parameter_count,
                                share_across_modalities)


def _count(model):
    return sum(p.numel() for p in model.parameters())


def _randn(*shape, device="cpu", **kw):
    # drawn on the CPU, so that every device sees the same values (CUDA's
    # generator draws others), then moved
    return torch.randn(*shape, **kw).to(device)


def _leaf(*shape, device="cpu", dtype=torch.float32):
    # a leaf requiring grad on device, with the values of the CPU draw
    return _randn(*shape, device=device, dtype=dtype).requires_grad_()


def _small_cnn():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8),
                         nn.ReLU(), nn.Conv2d(8, 4, 3, padding=1),
                         nn.BatchNorm2d(4))


def test_modality_parallel_shares_one_module(device):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1)
    par = ModalityParallel(conv).to(device)
    xs = [_randn(2, 3, 5, 5, device=device), _randn(2, 3, 5, 5, device=device)]
    out = par(xs)
    assert out[0].device.type == out[1].device.type == device.type
    assert torch.allclose(out[0], conv(xs[0])) and torch.allclose(out[1], conv(xs[1]))
    assert len(list(par.parameters())) == 2        # one weight, one bias
    with pytest.raises(TypeError, match="xs"):
        par(xs[0])


def test_modality_batchnorm_private_statistics_and_affine(device):
    bn = ModalityBatchNorm2d(4, 2).to(device)
    a = _randn(8, 4, 3, 3, device=device)
    b = 5 + 3 * _randn(8, 4, 3, 3, device=device)
    out = bn([a, b])
    assert out[0].device.type == out[1].device.type == device.type
    m0, m1 = bn.norms[0].running_mean, bn.norms[1].running_mean
    assert not torch.allclose(m0, m1)               # private statistics
    assert torch.allclose(m1, 0.1 * b.mean(dim=(0, 2, 3)), atol=1e-5)
    assert bn.norms[0].weight is not bn.norms[1].weight
    with pytest.raises(ValueError, match="2 modality"):
        bn([a])


def test_modality_batchnorm_frozen_stats(device):
    bn = ModalityBatchNorm2d(4, 2, frozen_stats=True).to(device).train()
    bn.norms[1].running_mean.fill_(2.0)
    x = _randn(6, 4, 3, 3, device=device)
    out = bn([x, x])
    assert out[1].device.type == device.type
    assert torch.equal(bn.norms[0].running_mean.cpu(), torch.zeros(4))   # not updated
    assert torch.allclose(out[1], (x - 2.0) / (1 + 1e-5) ** 0.5, atol=1e-6)
    out[0].sum().backward()
    assert bn.norms[0].weight.grad is not None                     # affine learns
    # frozen statistics need running ones: refused when built, not at the first forward
    with pytest.raises(ValueError, match="frozen_stats=True.*track_running_stats=False"):
        ModalityBatchNorm2d.from_batchnorm(torch.nn.BatchNorm2d(4, track_running_stats=False),
                                           2, frozen_stats=True)


def test_one_modality_norm_for_images_and_node_features(device):
    from pyg_fusion.nn.asym import AsymGraphFusion, ModalityNorm, ModalityNorm2d
    assert ModalityBatchNorm2d is ModalityNorm and ModalityNorm2d is ModalityNorm
    torch.manual_seed(0)
    inst = ModalityNorm(4, 2, "instance")
    assert all(isinstance(n, nn.InstanceNorm2d) and n.affine for n in inst.norms)
    node = ModalityNorm(4, 2, "batch", input_dim=2).to(device)
    x = _randn(10, 4, device=device)
    got = node([x, x])[1]
    assert got.device.type == device.type
    assert torch.allclose(got, nn.BatchNorm1d(4).to(device)(x))
    layer = ModalityNorm(4, 2, "layer", input_dim=2).to(device)
    assert torch.allclose(layer([x, x])[0], nn.LayerNorm(4).to(device)(x))
    with pytest.raises(ValueError, match="norm"):
        ModalityNorm(4, 2, "layer")                  # no layer norm on images
    with pytest.raises(ValueError, match="frozen_stats"):
        ModalityNorm(4, 2, "instance", frozen_stats=True)
    # AsymGraphFusion keeps its state-dict keys
    keys = AsymGraphFusion({"a": 5, "b": 5}, 10).state_dict()
    assert "norms.0.0.norms.1.running_mean" in keys


def test_modality_norm_loads_old_bns_keys():
    torch.manual_seed(0)
    shared = share_across_modalities(_small_cnn(), 2)
    with torch.no_grad():
        shared.model[1].norms[1].bias.add_(1.0)
    old = {k.replace(".norms.", ".bns."): v for k, v in shared.state_dict().items()}
    assert any(".bns." in k for k in old)
    fresh = share_across_modalities(_small_cnn(), 2)
    fresh.load_state_dict(old)
    for k, v in shared.state_dict().items():
        assert torch.equal(fresh.state_dict()[k], v), k


def test_share_across_modalities_parameters(device):
    torch.manual_seed(0)
    plain = _small_cnn()
    n_plain, n_bn = _count(plain), bn_affine_parameter_count(plain)
    shared = share_across_modalities(_small_cnn(), 2).to(device)
    assert _count(shared) == n_plain + n_bn         # only BN affine doubles
    assert isinstance(shared.model[1], ModalityBatchNorm2d)
    conv = shared.model[0]
    assert isinstance(conv, nn.Conv2d)              # one shared object
    xs = [_randn(4, 3, 6, 6, device=device), _randn(4, 3, 6, 6, device=device) * 3 + 1]
    ya, yb = shared(xs)
    assert ya.device.type == yb.device.type == device.type
    (ya.sum() + yb.sum()).backward()
    assert conv.weight.grad is not None
    # each modality uses its own BN: same input, different private affine
    shared = share_across_modalities(_small_cnn(), 2).to(device).eval()
    with torch.no_grad():
        shared.model[4].norms[1].bias.add_(1.0)
    za, zb = shared([xs[0], xs[0]])
    assert torch.allclose(zb - za, torch.ones_like(za), atol=1e-5)


def test_share_across_modalities_copies_bn_state():
    plain = _small_cnn()
    with torch.no_grad():
        plain[1].weight.uniform_()
        plain[1].running_var.fill_(4.0)
    shared = share_across_modalities(plain, 3)
    for b in shared.model[1].norms:
        assert torch.equal(b.weight, shared.model[1].norms[0].weight)
        assert torch.equal(b.running_var, torch.full((8, ), 4.0))
    assert bn_affine_parameter_count(shared) == 2 * (8 + 4)
