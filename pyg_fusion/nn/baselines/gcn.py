"""The classic GCN node classifier (Kipf & Welling, ICLR 2017,
https://arxiv.org/abs/1609.02907) on one given graph: the node-classification
baseline on a single view's relationship graph or the mean of the views'
graphs. Built from PyG's :class:`~torch_geometric.nn.GCNConv`."""
from __future__ import annotations

from torch import Tensor
from torch_geometric.nn import GCNConv

from .._conv_stack import ConvStack

__all__ = ["GCN"]


class GCN(ConvStack):
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
        super().__init__(in_channels, hidden_channels, out_channels, num_layers, dropout,
                         GCNConv)

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        return self.run_convs(x, edge_index, edge_weight)
