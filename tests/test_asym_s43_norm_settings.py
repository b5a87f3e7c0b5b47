"""ModalityNorm (ModalityBatchNorm2d) and norm_factory took any eps and momentum, and read
neither with a callable norm: eps=-1e-5 (a sign typo) gave NaN for every constant channel
(a ReLU's dead one, all zeros), momentum=2 running statistics that swing past every batch
(eval outputs of no data's scale), eps='1e-5' failed only at the first forward, in
torch's batch_norm, and ModalityNorm(4, norm=lambda c: nn.BatchNorm2d(c), eps=1e-3) kept
torch's 1e-5 without a word. Each is a ValueError naming the argument when built;
momentum=None (the cumulative average) stays."""
import math

import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import ModalityBatchNorm2d, ModalityNorm, share_across_modalities
from pyg_fusion.nn.asym.layers import norm_factory


@pytest.mark.parametrize("eps", [-1e-5, 0, float("nan"), math.inf, "1e-5", None, True])
def test_eps_must_be_a_finite_number_above_zero(eps):
    with pytest.raises(ValueError, match=r"^eps must be a finite number > 0, got "):
        ModalityNorm(4, 2, eps=eps)
    with pytest.raises(ValueError, match=r"^eps must be a finite number > 0"):
        norm_factory("layer", 2, eps=eps)


@pytest.mark.parametrize("momentum", [2, -0.1, float("nan"), "0.1", True])
def test_momentum_must_be_none_or_in_0_1(momentum):
    with pytest.raises(ValueError, match=r"^momentum must be None \(a cumulative average\) "
                                         r"or a number in \[0, 1\], got "):
        ModalityBatchNorm2d(4, 2, momentum=momentum)


def test_settings_a_callable_norm_does_not_read_are_refused():
    with pytest.raises(ValueError, match=r"^eps=0\.001: not read with a callable norm, which "
                                         r"builds its own layers"):
        ModalityNorm(4, 2, norm=lambda c: nn.BatchNorm2d(c), eps=1e-3)
    with pytest.raises(ValueError, match=r"^eps=0\.001, momentum=None: not read"):
        norm_factory(lambda c: nn.BatchNorm2d(c), eps=1e-3, momentum=None)


def test_valid_settings_build_as_before():
    bn = ModalityBatchNorm2d(4, 3, eps=1e-3, momentum=None)
    assert all(n.eps == 1e-3 and n.momentum is None for n in bn.norms)
    assert ModalityNorm(4, 2, norm=lambda c: nn.BatchNorm2d(c, eps=1e-3)).norms[1].eps == 1e-3
    assert ModalityNorm(4, 2, eps=1, momentum=1).norms[0].momentum == 1
    out = ModalityNorm(2, 2, eps=1e-5)([torch.zeros(2, 2, 3, 3)] * 2)
    assert all(torch.isfinite(o).all() for o in out)
    copied = ModalityBatchNorm2d.from_batchnorm(nn.BatchNorm2d(4, eps=1e-3, momentum=None), 2)
    assert copied.norms[1].eps == 1e-3 and copied.norms[1].momentum is None
    # a user's BatchNorm is copied as torch took it (eps=0 too)
    net = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4, eps=0))
    shared = share_across_modalities(net, 2)
    assert shared.model[1].norms[1].eps == 0 and "eps=0" in repr(shared.model[1])
