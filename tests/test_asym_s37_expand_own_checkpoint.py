"""expand_state_dict of the weights of a network of one modality in this library's
shared form (ResNetEncoder(num_modalities=1), a SeparateEncoders branch,
share_across_modalities(net, 1)) refused every BN as missing: their keys are
'<name>.norms.0.<param>', and the SharedModalityNetwork's state_dict() adds 'model.'.
A shared BatchNorm alone (share_across_modalities(bn, 2)) refused a BN's own keys."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (ResNetEncoder, SeparateEncoders, expand_state_dict,
                                share_across_modalities)


def _encoder(m, seed):
    torch.manual_seed(seed)
    enc = ResNetEncoder("basic", (1, 1, 1, 1), m, width=8, fusion=False)
    with torch.no_grad():  # BNs unlike a fresh one's, so a copy shows
        for name, t in enc.state_dict().items():
            if t.is_floating_point():
                t.uniform_(0.5, 1.5)
    return enc.eval()


@pytest.mark.parametrize("branch", [False, True])
def test_a_single_modality_encoder_of_this_library_expands_into_every_modality(branch):
    one = _encoder(1, 0)
    source = SeparateEncoders([one, _encoder(1, 1)]).encoders[0] if branch else one
    two = _encoder(2, 2)
    assert expand_state_dict(two, source.state_dict()) == ([], [])
    x = torch.randn(2, 3, 32, 32)
    want = one([x])
    for i in range(2):  # each modality's private BNs are copies of the source's
        for w, g in zip(want, two([x, x])):
            torch.testing.assert_close(g[i], w[0], rtol=0, atol=0)


@pytest.mark.parametrize("inner", [False, True])
def test_a_shared_network_of_one_modality_expands_its_own_state_dict(inner):
    def net(seed):
        torch.manual_seed(seed)
        n = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4))
        nn.init.uniform_(n[1].weight, 2, 3)
        return n
    one = share_across_modalities(net(0), 1)
    two = share_across_modalities(net(1), 2).eval()
    expand_state_dict(two, (one.model if inner else one).state_dict())
    x = torch.randn(2, 3, 4, 4)
    for out in two([x, x]):
        torch.testing.assert_close(out, one.eval()([x])[0], rtol=0, atol=0)


def test_a_shared_batch_norm_alone_takes_a_batch_norms_weights():
    bn = nn.BatchNorm2d(4)
    nn.init.uniform_(bn.weight, 2, 3)
    shared = share_across_modalities(nn.BatchNorm2d(4), 2)
    assert expand_state_dict(shared, bn.state_dict()) == ([], [])
    for norm in shared.model.norms:
        assert torch.equal(norm.weight, bn.weight)


def test_a_checkpoint_of_several_modalities_is_still_no_single_modality_one():
    with pytest.raises(KeyError, match=r"missing \['conv1.weight'|missing \['bn1"):
        expand_state_dict(_encoder(3, 0), _encoder(2, 1).state_dict())
