"""A stack of PyG convolutions with dropout before each layer and ReLU
between them: the body of :class:`~pyg_fusion.nn.GraphHead` and of the
:class:`~pyg_fusion.nn.baselines.GCN` baseline, which differ only in their
convolution and in how they read their input."""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import BatchNorm, LayerNorm

from ..functional._checks import check_choice, check_dropout, check_int
from ._reset import reset_pyg_conv

# a normalisation of each hidden layer's output before its nonlinearity: None, or
# PyG's BatchNorm (each unit over the batch's nodes) / LayerNorm (each node
# over its units)
NORMS = (None, "batch", "layer")
# the nonlinearity between layers: ReLU, or LeakyReLU (slope 0.01 below 0)
ACTS = ("relu", "leaky_relu")


class ConvStack(torch.nn.Module):
    """``num_layers`` convolutions ``conv(in, out)``, of widths
    ``in_channels -> hidden_channels -> ... -> out_channels``, each hidden
    layer's output normalised (``norm``) before its nonlinearity (``act``)."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int, dropout: float, conv, norm: str | None = None,
                 act: str = "relu"):
        super().__init__()
        # as Python ints: PyG's GraphConv takes an int width or a pair, and
        # indexed numpy's np.int64 as a pair (IndexError: invalid index to scalar)
        in_channels = check_int("in_channels", in_channels, minimum=1)
        hidden_channels = check_int("hidden_channels", hidden_channels, minimum=1)
        out_channels = check_int("out_channels", out_channels, minimum=1)
        num_layers = check_int("num_layers", num_layers, minimum=1)
        check_dropout("dropout", dropout)
        check_choice("norm", norm, NORMS)
        check_choice("act", act, ACTS)
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        self.convs = torch.nn.ModuleList(conv(a, b) for a, b in zip(dims[:-1], dims[1:]))
        # no random draws: the convolutions start as without a norm
        make = {None: None, "batch": BatchNorm,
                "layer": lambda c: LayerNorm(c, mode="node")}[norm]
        self.norms = torch.nn.ModuleList(make(c) for c in dims[1:-1]) if make else None
        self.dropout, self.norm, self.act = dropout, norm, act
        self.in_channels, self.out_channels = in_channels, out_channels
        self.hidden_channels = hidden_channels

    def reset_parameters(self):
        for conv in self.convs:
            reset_pyg_conv(conv)
        for norm in self.norms or ():
            norm.reset_parameters()
            if self.norm == "batch":
                norm.reset_running_stats()

    def run_convs(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = torch.nn.functional.dropout(x, self.dropout, self.training)
            x = conv(x, edge_index, edge_weight)
            if i < len(self.convs) - 1:
                if self.norms is not None:
                    x = self.norms[i](x)
                x = torch.relu(x) if self.act == "relu" else torch.nn.functional.leaky_relu(x)
        return x

    def __repr__(self) -> str:
        norm = f", norm={self.norm!r}" if self.norm is not None else ""
        norm += f", act={self.act!r}" if self.act != "relu" else ""
        return (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
                f"hidden_channels={self.hidden_channels}, num_layers={len(self.convs)}, "
                f"dropout={self.dropout}{norm})")
