"""The classic GCN node classifier (Kipf & Welling, ICLR 2017,
https://arxiv.org/abs/1609.02907) on one given graph: the node-classification
baseline on a single view's relationship graph or the mean of the views'
graphs. Built from PyG's :class:`~torch_geometric.nn.GCNConv`."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import GCNConv
from torch_geometric.typing import SparseTensor

from ...functional._checks import (check_channels, check_edge_index, check_edges, check_like,
                                   check_module_input, check_tensor)
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
        ``[N, out_channels]``; in place of ``edge_index`` (without
        ``edge_weight``), an ``adj_t`` ``[N, N]`` as
        :class:`~torch_geometric.nn.GCNConv` takes it (a
        :class:`torch_sparse.SparseTensor` or a ``torch.sparse`` tensor).
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, dropout: float = 0.5):
        super().__init__(in_channels, hidden_channels, out_channels, num_layers, dropout,
                         GCNConv)

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        if not torch.jit.is_scripting():
            edge_index = _check_inputs(self, x, edge_index, edge_weight)
        return self.run_convs(x, edge_index, edge_weight)


@torch.jit.unused
def _check_inputs(gcn: GCN, x: Tensor, edge_index, edge_weight: Tensor | None):
    """``edge_index`` as the convolutions are to take it, after the checks
    that GCNConv lacks: its own errors name a weight matrix or a mask, not
    the input, and it read a ``[E, 1]`` edge_weight without complaint."""
    check_channels("x", x, gcn.in_channels, dims=(2, ))
    check_tensor("x", x, finite=True)
    check_module_input("x", x, gcn)
    if isinstance(edge_index, Tensor) and edge_index.layout == torch.strided:
        # the checked list goes on (torch.long: an int16 or uint8 one failed
        # in GCNConv's normalisation, uint8 read as a mask)
        if edge_weight is None:
            check_like("edge_index", edge_index, "x", x, dtype=False)
            return check_edge_index("edge_index", edge_index, x.size(0))
        edge_index = check_edges(edge_index, edge_weight, x.size(0))
        check_like("edge_weight", edge_weight, "x", x)
    else:
        _check_adj_t(edge_index, edge_weight, x)
        if isinstance(edge_index, Tensor) and edge_index.layout == torch.sparse_coo \
                and not edge_index.is_coalesced():
            # PyG's gcn_norm marks an uncoalesced COO tensor coalesced in place
            # (to_edge_index), leaving the caller's adj_t unsorted but flagged
            # sorted: its later coalesce() and to_sparse_csr() are wrong
            return edge_index.coalesce()
    return edge_index


def _check_adj_t(adj_t, edge_weight: Tensor | None, x: Tensor) -> None:
    """A sparse ``adj_t`` ``[N, N]`` that carries its own weights, beside ``x``."""
    if not isinstance(adj_t, (Tensor, SparseTensor)):
        raise TypeError(f"edge_index must be a [2, E] torch.long tensor or a sparse adj_t, "
                        f"got {type(adj_t).__name__}")
    if edge_weight is not None:
        raise ValueError("edge_weight goes with an edge_index [2, E]; a sparse adj_t carries "
                         "its own weights")
    n, shape = x.size(0), tuple(adj_t.sizes() if isinstance(adj_t, SparseTensor) else adj_t.shape)
    if shape != (n, n):
        raise ValueError(f"adj_t must be [N, N] with N = {n} (the rows of x), got {shape}")
    if isinstance(adj_t, SparseTensor):
        value = adj_t.storage.value()
    else:  # an uncoalesced COO tensor has no values() but its _values()
        value = adj_t._values() if adj_t.layout == torch.sparse_coo else adj_t.values()
    if value is not None:
        check_tensor("adj_t", value, floating=True, finite=True)
        check_like("adj_t", value, "x", x)
