from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import GraphConv

from ..functional.normalization import _coalesce_order, _normalize, _sparse_degrees
from ..functional._autocast import autocast_dtype, float32_under_autocast
from ..functional._checks import (check_channels, check_choice, check_dropout, check_edge_list,
                                  check_edges, check_int, check_like, check_module_input,
                                  check_tensor)
from ._conv_stack import ConvStack
from ._fixed_graph import FixedGraphCache
from ._lego_inputs import refuse_torchscript
from .fused_graph import FusedGraph

ROW_NORMS = (None, "max")
ROW_ORDERS = ("position", "sorted", "both")


class RowHead(torch.nn.Module):
    r"""The paper's video-anomaly head (docs/methods.md §1.5;
    `paper <https://arxiv.org/abs/2410.01506>`_): each row :math:`g_i` of the
    fused graph (length :math:`N`) is scored by
    ``Linear(N, H) -> ReLU -> Linear(H, 1)``; :math:`\sigma` of the output is the
    anomaly score of unit :math:`i`. Needs a fixed :math:`N` (the paper resamples
    every video to 32 snippets); use :class:`GraphHead` for variable or large N.

    ``row_norm="max"`` (a **[choice]**, not the paper's) divides each row by
    its largest absolute entry first (an all-zero row stays 0). For cosine
    graphs (unit diagonal, entries at most 1), their means and products it
    changes nothing; for LEGO's G it removes the per-row scale that degree
    normalisation puts on the powers, so that LEGO with row-normalised powers
    (``norm="row"``) and :math:`A = e_{11}` gives exactly the graph product's
    rows: :math:`(R_a/d^a_i) \circ (R_b/d^b_i)` divided by its diagonal
    :math:`1/(d^a_i d^b_i)` is :math:`R_a \circ R_b`. The scale of an
    (unregularised) :math:`A` then no longer moves the scores either.

    ``row_order="sorted"`` (a **[choice]**, not the paper's) sorts each row's
    entries in decreasing order before the first layer (a row that holds
    ``M`` graphs' rows side by side, width ``M N`` with ``N = G.size(-2)``, is
    sorted per graph). The paper's head reads entry :math:`j` of row
    :math:`i` as "relation to the segment at position :math:`j`", so what it
    learns on one video's anomaly positions does not carry over to another's;
    sorted, it scores the distribution of a unit's relations (how many
    segments it resembles, and how much), whatever their positions.
    ``row_order="both"`` gives the first layer the row and its sorted copy
    side by side (input width doubled).

    Under :class:`torch.autocast` the graph may be float32 or of autocast's
    16-bit dtype; ``row_norm`` divides in float32 and the linear layers run
    in autocast's dtype.

    Args:
        num_nodes (int): :math:`N`.
        hidden_channels (int, optional): :math:`H`. (default: :obj:`None`,
            :math:`N`)
        dropout (float, optional): dropout before the second layer.
            (default: :obj:`0.0`)
        row_norm (str, optional): :obj:`None` (the paper) or :obj:`"max"`.
            (default: :obj:`None`)
        row_order (str, optional): :obj:`"position"` (the paper),
            :obj:`"sorted"` or :obj:`"both"`. (default: :obj:`"position"`)

    Shapes:
        - **input**: ``G`` ``[B, N, N]`` or a :class:`FusedGraph`
        - **output**: logits ``[B, N]`` (an empty batch, ``B = 0``: ``[0, N]``; a
          graph of no nodes has no fixed :math:`N` to score and is refused)
    """

    __prepare_scriptable__ = refuse_torchscript  # torch.jit.script: an error naming it

    def __init__(self, num_nodes: int, hidden_channels: int | None = None,
                 dropout: float = 0.0, row_norm: str | None = None,
                 row_order: str = "position"):
        super().__init__()
        check_choice("row_norm", row_norm, ROW_NORMS)
        check_choice("row_order", row_order, ROW_ORDERS)
        self.num_nodes, self.row_norm, self.row_order = num_nodes, row_norm, row_order
        check_int("num_nodes", num_nodes, minimum=1)
        check_dropout("dropout", dropout)
        if hidden_channels is not None:
            check_int("hidden_channels", hidden_channels, minimum=1)
        self.hidden_channels = num_nodes if hidden_channels is None else hidden_channels
        width = 2 * num_nodes if row_order == "both" else num_nodes
        self.lin1 = torch.nn.Linear(width, self.hidden_channels)
        self.lin2 = torch.nn.Linear(self.hidden_channels, 1)
        self.dropout = torch.nn.Dropout(dropout)

    def reset_parameters(self):
        self.lin1.reset_parameters()
        self.lin2.reset_parameters()

    def forward(self, graph: Tensor | FusedGraph) -> Tensor:
        r"""Scores every unit from its row of the fused graph.

        Args:
            graph (Tensor or FusedGraph): ``G`` ``[B, N, N]``.

        Returns:
            Tensor: logits ``[B, N]`` (:math:`\sigma` gives the scores).
        """
        if isinstance(graph, FusedGraph):
            mask = graph.dense_mask()
            if not bool(mask.all()):
                sizes = sorted(set(mask.sum(1).tolist()))
                raise ValueError(f"RowHead scores rows of a fixed N = {self.num_nodes}; "
                                 f"the graph batch holds graphs of {sizes} nodes (padded "
                                 "nodes would get scores): resample every graph to "
                                 "N nodes or use GraphHead")
            g = graph.to_dense()
        else:
            g = graph
        check_tensor("graph", g, floating=True, finite=True)
        if g.dim() != 3 or g.size(-1) != self.num_nodes:
            raise ValueError(f"RowHead expects fused graphs [B, {self.num_nodes}, "
                             f"{self.num_nodes}], got {tuple(g.shape)}")
        check_module_input("graph", g, self)
        if self.row_norm == "max":
            # in float32 for 16-bit graphs: 1e-12 is 0 in float16, and an
            # all-zero row would become NaN instead of staying 0
            wide = g.to(torch.promote_types(g.dtype, torch.float32))
            g = (wide / wide.abs().amax(-1, keepdim=True).clamp(min=1e-12)).to(g.dtype)
        if self.row_order != "position":
            n = g.size(-2)
            if g.size(-1) % n:
                raise ValueError(f"row_order={self.row_order!r} needs rows of M graphs side "
                                 f"by side (width a multiple of N = {n}), got width "
                                 f"{g.size(-1)}")
            s = g.unflatten(-1, (-1, n)).sort(-1, descending=True).values.flatten(-2)
            g = s if self.row_order == "sorted" else torch.cat([g, s], -1)
        return self.lin2(self.dropout(torch.relu(self.lin1(g)))).squeeze(-1)

    def __repr__(self) -> str:
        extra = f", dropout={self.dropout.p}" if self.dropout.p else ""
        extra += f", row_norm={self.row_norm!r}" if self.row_norm else ""
        if self.row_order != "position":
            extra += f", row_order={self.row_order!r}"
        return (f"{self.__class__.__name__}(num_nodes={self.num_nodes}, "
                f"hidden_channels={self.hidden_channels}{extra})")


class GraphHead(FixedGraphCache, ConvStack):
    r"""A size-free head on the fused graph (a **[choice]**, docs/methods.md §1.5): node
    features are propagated over :math:`G` as edge weights by
    :class:`torch_geometric.nn.GraphConv` layers (Morris et al., AAAI 2019,
    `paper <https://arxiv.org/abs/1810.02244>`_),

    .. math::
        x_i' = W_1 x_i + W_2 \sum_j \tilde G_{ij} x_j, \qquad
        \tilde G_{ij} = G_{ij} / \textstyle\sum_k |G_{ik}|,

    normalised by absolute row sums because the learned operator is signed
    (a GCN normalisation by degrees would break on negative degrees).

    Under :class:`torch.autocast`, ``x`` may be of autocast's 16-bit dtype
    beside the float32 graph and parameters: the normalisation runs in
    float32, the messages are summed in float32, and the layers' linear maps
    run in autocast's dtype.

    Args:
        in_channels (int): width of the input node features.
        hidden_channels (int): width between layers.
        out_channels (int): width of the output.
        num_layers (int, optional): propagation layers, >= 1. (default: :obj:`2`)
        dropout (float, optional): dropout before each layer. (default: :obj:`0.5`)

    Shapes:
        - **input**: ``x`` ``[N, C]`` and a :class:`FusedGraph`, or ``x``,
          ``edge_index`` ``[2, E]`` and ``edge_weight`` ``[E]``
        - **output**: ``[N, out_channels]`` (an empty graph, ``N = 0``:
          ``[0, out_channels]``, as PyG's layers answer)
    """

    __prepare_scriptable__ = refuse_torchscript  # torch.jit.script: an error naming it

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, dropout: float = 0.5):
        super().__init__(in_channels, hidden_channels, out_channels, num_layers, dropout,
                         GraphConv)

    @staticmethod
    @float32_under_autocast
    def normalize(edge_index: Tensor, edge_weight: Tensor, num_nodes: int, *,
                  coalesced: bool = False, order: tuple | None = None) -> Tensor:
        r"""The head's weights :math:`\tilde G_{ij} = G_{ij} / \sum_k |G_{ik}|`:
        row :math:`i` of :math:`G` holds the in-edges of node :math:`i`
        (repeated edges one entry), the ``"row"`` normalisation of
        :func:`~pyg_fusion.functional.normalize`, computed in float32 for
        16-bit weights (a float16 row sum overflows at 65504).

        Args:
            edge_index (torch.Tensor): ``[2, E]`` (source, target) torch.long.
            edge_weight (torch.Tensor): ``[E]``, signed allowed.
            num_nodes (int): :math:`N`.
            coalesced (bool, optional): :obj:`True` when each (source,
                target) pair occurs once (a :class:`FusedGraph`'s edges).
                (default: :obj:`False`)
            order (tuple, optional): the edges' coalesced order, kept by a head whose
                edges stay while their weights train (sorted once, not at every
                call). (default: :obj:`None`)

        Returns:
            torch.Tensor: ``[E]``, of ``edge_weight``'s dtype.
        """
        # a degree that overflows though the weights do not is summed again, rescaled
        wide = edge_weight.to(torch.promote_types(edge_weight.dtype, torch.float32))
        deg, top = _sparse_degrees(edge_index, wide, num_nodes, coalesced=coalesced,
                                   order=order)
        if top is None:
            # the plain division where no degree overflows: the head's numbers
            # (and every VAD record in README) stay bit for bit as before
            return (wide / deg.clamp(min=1e-12)[edge_index[1]]).to(edge_weight.dtype)
        return _normalize(edge_index, wide, (deg, top), "row").to(edge_weight.dtype)

    def forward(self, x: Tensor, graph: FusedGraph | Tensor,
                edge_weight: Tensor | None = None) -> Tensor:
        """Propagates node features over the fused graph.

        Args:
            x (torch.Tensor): node features ``[N, in_channels]``.
            graph (FusedGraph or torch.Tensor): the fused graph, or its
                ``edge_index`` ``[2, E]`` (source, target).
            edge_weight (torch.Tensor, optional): ``[E]``, required with an
                ``edge_index`` (PyG's layers read :obj:`None` as all ones; here it is
                an error: pass ``torch.ones(E)`` for an unweighted graph), not given
                with a :class:`FusedGraph`. (default: :obj:`None`)

        Returns:
            Tensor: ``[N, out_channels]``.
        """
        if isinstance(graph, FusedGraph):
            if edge_weight is not None:
                raise ValueError("edge_weight goes with an edge_index; a FusedGraph carries "
                                 "its own weights")
            check_tensor("x", x)  # the shape read below
            if x.dim() == 3:
                raise ValueError(f"x is padded {tuple(x.shape)}; GraphHead takes the rows of "
                                 f"the graph's {graph.num_nodes} real nodes [N, C] (x[mask] "
                                 f"of a padded batch)")
            if x.dim() >= 1 and x.size(0) != graph.num_nodes:
                raise ValueError(f"x has {x.size(0)} rows but graph has {graph.num_nodes} "
                                 "nodes; expected one row of features per node")
            edge_index, edge_weight = graph.to_sparse()
        else:
            edge_index = check_edge_list("edge_index", graph)
            if edge_weight is None:
                raise ValueError("edge_weight is required with an edge_index: pass its weights "
                                 "[E] (torch.ones(E) for an unweighted graph)")
        check_channels("x", x, self.in_channels, dims=(2, ))
        check_tensor("x", x, floating=True, finite=True)
        check_module_input("x", x, self)
        edge_index = check_edges(edge_index, edge_weight, x.size(0))
        # the weights scale the messages of x: of another dtype, the layers'
        # products would fail naming a weight matrix
        check_like("edge_weight", edge_weight, "x", x)
        if isinstance(graph, FusedGraph):  # a FusedGraph holds each pair once
            w = self.normalize(edge_index, edge_weight, x.size(0), coalesced=True)
        elif edge_weight.requires_grad:
            # learned weights of kept edges (LEGO's node models): their order is kept
            order = self._kept_graph(("order", x.size(0)), [edge_index], lambda: _coalesce_order(
                edge_index, x.size(0)), inputs=(graph, ))
            w = self.normalize(edge_index, edge_weight, x.size(0), order=order)
        else:
            # kept while the same graph comes back (a node model's fixed graph)
            key = (x.size(0), autocast_dtype(edge_weight.device))
            w = self._kept_graph(key, [edge_index, edge_weight], lambda: self.normalize(
                edge_index, edge_weight, x.size(0)), inputs=(graph, ))
        return self.run_convs(x, edge_index, w)
