"""A stack of PyG convolutions with dropout before each layer and ReLU
between them: the body of :class:`~pyg_fusion.nn.GraphHead` and of the
:class:`~pyg_fusion.nn.baselines.GCN` baseline, which differ only in their
convolution and in how they read their input."""
from __future__ import annotations

import torch
from torch import Tensor

from ..functional._checks import check_dropout, check_int
from ._reset import reset_pyg_conv


class ConvStack(torch.nn.Module):
    """``num_layers`` convolutions ``conv(in, out)``, of widths
    ``in_channels -> hidden_channels -> ... -> out_channels``."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int, dropout: float, conv):
        super().__init__()
        # as Python ints: PyG's GraphConv takes an int width or a pair, and
        # indexed numpy's np.int64 as a pair (IndexError: invalid index to scalar)
        in_channels = check_int("in_channels", in_channels, minimum=1)
        hidden_channels = check_int("hidden_channels", hidden_channels, minimum=1)
        out_channels = check_int("out_channels", out_channels, minimum=1)
        num_layers = check_int("num_layers", num_layers, minimum=1)
        check_dropout("dropout", dropout)
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        self.convs = torch.nn.ModuleList(conv(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.dropout = dropout
        self.in_channels, self.out_channels = in_channels, out_channels
        self.hidden_channels = hidden_channels

    def reset_parameters(self):
        for conv in self.convs:
            reset_pyg_conv(conv)

    def run_convs(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = torch.nn.functional.dropout(x, self.dropout, self.training)
            x = conv(x, edge_index, edge_weight)
            if i < len(self.convs) - 1:
                x = torch.relu(x)
        return x

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
                f"hidden_channels={self.hidden_channels}, num_layers={len(self.convs)}, "
                f"dropout={self.dropout})")
