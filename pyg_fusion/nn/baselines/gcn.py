"""The classic GCN node classifier (Kipf & Welling, ICLR 2017,
https://arxiv.org/abs/1609.02907) on one given graph: the node-classification
baseline on a single view's relationship graph or the mean of the views'
graphs. Built from PyG's :class:`~torch_geometric.nn.GCNConv`."""
from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import GCNConv

from ...functional._checks import check_dropout, check_int
from .._reset import reset_pyg_conv

__all__ = ["GCN"]


class GCN(nn.Module):
    r"""A stack of :class:`~torch_geometric.nn.GCNConv` layers,
    :math:`H^{(l+1)} = \sigma(\hat D^{-1/2} \hat A \hat D^{-1/2} H^{(l)} W^{(l)})`,
    with edge weights.

    Args:
        in_channels (int): input features.
        hidden_channels (int): width of the hidden layers.
        out_channels (int): output features.
        num_layers (int, optional): GCN layers. (default: :obj:`2`)
        dropout (float, optional): dropout before every layer (the input's too,
            as in Kipf and Welling's GCN). (default: :obj:`0.5`)

    Shapes:
        ``forward(x [N, in], edge_index [2, E], edge_weight [E] or None)`` ->
        ``[N, out_channels]``.
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, dropout: float = 0.5):
        super().__init__()
        check_int("in_channels", in_channels, minimum=1)
        check_int("hidden_channels", hidden_channels, minimum=1)
        check_int("out_channels", out_channels, minimum=1)
        check_int("num_layers", num_layers, minimum=1)
        check_dropout("dropout", dropout)
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        self.convs = nn.ModuleList([GCNConv(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.dropout = dropout
        self.in_channels, self.out_channels = in_channels, out_channels
        self.hidden_channels = hidden_channels

    def reset_parameters(self):
        for conv in self.convs:
            reset_pyg_conv(conv)

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = F.dropout(x, self.dropout, self.training)
            x = conv(x, edge_index, edge_weight)
            if i < len(self.convs) - 1:
                x = F.relu(x)
        return x

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
                f"hidden_channels={self.hidden_channels}, num_layers={len(self.convs)}, "
                f"dropout={self.dropout})")
