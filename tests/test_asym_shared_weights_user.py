"""share_across_modalities' result takes a single-modality checkpoint through
expand_state_dict, as the network it wraps does."""
import torch
from torch import nn

from pyg_fusion.nn.asym import expand_state_dict, share_across_modalities


def _cnn():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())


def test_expand_state_dict_loads_into_the_shared_network_itself():
    # the wrapper's keys are the network's under "model.": a checkpoint of the
    # plain network was refused as missing every key (with strict=False it
    # loaded nothing)
    torch.manual_seed(0)
    single = _cnn()
    with torch.no_grad():
        for p in single.parameters():
            p.add_(1.0)
        single[1].running_mean.uniform_()
    shared = share_across_modalities(_cnn(), 3)
    assert expand_state_dict(shared, single.state_dict()) == ([], [])
    single.eval(), shared.eval()
    x = torch.randn(2, 3, 6, 6)
    for out in shared([x, x, x]):
        assert torch.equal(out, single(x))
