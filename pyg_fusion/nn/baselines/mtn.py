"""A compact multi-scale temporal network (MTN-style), the feature-level VAD
competitor of LEGO's Table 2.

MTN is the temporal module of RTFM (Tian et al., "Weakly-supervised Video
Anomaly Detection with Robust Temporal Feature Magnitude Learning", ICCV 2021,
https://arxiv.org/abs/2101.10030): a pyramid of dilated temporal convolutions
beside a non-local (self-attention) branch. This is a small re-implementation
for the comparison (the original has 29.0M parameters at 2048-d input).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ...functional._checks import check_dropout, check_int, check_module_input, check_tensor

__all__ = ["MTN"]


class MTN(nn.Module):
    r"""Multi-scale temporal network over a sequence of N snippets.

    .. math::
        h = \mathrm{ReLU}(W_{in} x), \quad
        y = h + W_{out}\,[\,\mathrm{conv}_{d=1}(h) \,\|\, \mathrm{conv}_{d=2}(h)
        \,\|\, \mathrm{conv}_{d=4}(h) \,\|\, \mathrm{NL}(h)\,]

    with dilated 1-D convolutions (kernel 3, ReLU) and a non-local branch
    :math:`\mathrm{NL}(h) = \mathrm{softmax}(\theta(h)\phi(h)^\top/\sqrt{c'})\,g(h)`,
    :math:`c'` the width of :math:`\theta` (``c // 2``).

    Args:
        in_channels (int): feature width d (e.g. the concatenated sources).
        hidden_channels (int, optional): width c of the branches. (default: :obj:`64`)
        dilations (tuple[int, ...], optional): dilations of the temporal convolutions.
            (default: :obj:`(1, 2, 4)`)
        dropout (float, optional): dropout on the output. (default: :obj:`0.1`)

    Shapes:
        input ``[B, N, d]`` -> output ``[B, N, hidden_channels]``.
    """

    def __init__(self, in_channels: int, hidden_channels: int = 64,
                 dilations: tuple[int, ...] = (1, 2, 4), dropout: float = 0.1):
        super().__init__()
        in_channels = check_int("in_channels", in_channels, minimum=1)
        hidden_channels = check_int("hidden_channels", hidden_channels, minimum=1)
        check_dropout("dropout", dropout)
        if not dilations:
            raise ValueError("dilations must be non-empty")
        # Python ints, for the repr (it printed np.int64(2)) and configs
        dilations = [check_int(f"dilations[{i}]", d, minimum=1) for i, d in enumerate(dilations)]
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.dilations = tuple(dilations)
        self.dropout = dropout
        c = hidden_channels
        self.lin_in = nn.Linear(in_channels, c)
        self.convs = nn.ModuleList([
            nn.Conv1d(c, c, kernel_size=3, dilation=d, padding=d) for d in self.dilations])
        self.theta = nn.Linear(c, c // 2 or 1)
        self.phi = nn.Linear(c, c // 2 or 1)
        self.g = nn.Linear(c, c)
        self.lin_out = nn.Linear(c * (len(self.dilations) + 1), c)
        self._init_layers()

    def _init_layers(self):
        for m in [self.lin_in, *self.convs, self.theta, self.phi, self.g, self.lin_out]:
            m.reset_parameters()

    def reset_parameters(self):
        # A fresh build draws every layer twice (its constructor, then
        # _init_layers, kept so that seeded runs keep their weights): a reset
        # draws both, to give a fresh build's weights under one seed.
        self._init_layers()
        self._init_layers()

    def forward(self, x: Tensor) -> Tensor:
        check_tensor("x", x, dims=(3, ), floating=True)
        if x.size(-1) != self.in_channels:
            raise ValueError(f"x must be [B, N, {self.in_channels}], got {tuple(x.shape)}")
        # torch's errors named a weight matrix (another dtype or device) or
        # the convolutions' padded size (no snippets)
        check_module_input("x", x, self)
        if x.size(1) == 0:
            raise ValueError(f"x holds no snippets (N = 0, shape {tuple(x.shape)}): the "
                             f"temporal convolutions need at least one")
        h = F.relu(self.lin_in(x))                      # [B, N, c]
        ht = h.transpose(1, 2)                          # [B, c, N] for Conv1d
        branches = [F.relu(conv(ht)).transpose(1, 2) for conv in self.convs]
        att = self.theta(h) @ self.phi(h).transpose(1, 2)
        att = torch.softmax(att / self.theta.out_features ** 0.5, dim=-1)
        branches.append(att @ self.g(h))
        y = h + self.lin_out(torch.cat(branches, dim=-1))
        return F.dropout(y, self.dropout, self.training)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.hidden_channels}, "
                f"dilations={self.dilations}, dropout={self.dropout})")
