from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric import EdgeIndex
from torch_geometric.nn import MessagePassing

from ..functional._checks import check_edge_list, check_like, check_tensor
from ..functional._autocast import float32_under_autocast
from ..functional.normalization import normalize
from ..functional.powers import (_check_powers_args, _checked_dense_powers, _graph_powers,
                                 dense_graph_powers)
from ._lego_inputs import refuse_torchscript


class GraphPowerExpansion(MessagePassing):
    r"""Expands a relationship graph into its powers (LEGO, docs/methods.md §1.3;
    `paper <https://arxiv.org/abs/2410.01506>`_):

    .. math::
        R^0 = I, \qquad R^p = R^{p-1} \hat R, \quad p = 1, \dots, P.

    :meth:`forward` returns the powers as edge attributes on the union of
    their supports, computed on compressed sparse rows by library SpGEMM
    with exact gradients; :meth:`dense` is the dense twin;
    :meth:`expand_features` propagates node features instead,
    :math:`[X, \hat R X, \dots, \hat R^P X]`, the same operator applied to a
    signal, along the first dimension of ``x`` (the nodes: ``x`` may be
    ``[N]``, ``[N, C]`` or ``[N, H, C]``). Without ``edge_weight`` every edge
    weighs 1, as in PyG's convolutions. Normalisation (``"sym"``, ``"row"``,
    ``None``) and ``prune_k`` are documented in
    :mod:`pyg_fusion.functional.powers`.

    Args:
        num_powers (int): :math:`P` (>= 0).
        norm (str, optional): :obj:`"sym"`, :obj:`"row"` or :obj:`None`.
            (default: :obj:`"sym"`)
        mode (str, optional): :obj:`"matrix"` or :obj:`"hadamard"` (element-wise
            powers). (default: :obj:`"matrix"`)
        prune_k (int, optional): keep the ``k`` largest-magnitude entries per row
            after each product. (default: :obj:`None`, exact powers)

    Shapes:
        - **forward**: ``edge_index`` ``[2, E]``, ``edge_weight`` ``[E]``
          (optional) -> ``(edge_index [2, E'], edge_attr [E', P+1])``
        - **dense**: ``[B, N, N]`` -> ``[B, P+1, N, N]``
        - **expand_features**: ``x`` ``[N, *]``, ``edge_index`` ``[2, E]``,
          ``edge_weight`` ``[E]`` (optional) -> ``[P+1, N, *]``
    """

    __prepare_scriptable__ = refuse_torchscript  # torch.jit.script: an error naming it

    def __init__(self, num_powers: int, norm="sym", mode: str = "matrix",
                 prune_k: int | None = None):
        # node_dim=0: the nodes are x's first dimension whatever its rank
        # (PyG's default, -2, would read the heads of [N, H, C] as the nodes)
        super().__init__(aggr="add", node_dim=0)
        _check_powers_args(num_powers, norm, mode, prune_k)
        prune_k = prune_k if prune_k is None else int(prune_k)  # numpy's ints as int
        self.num_powers, self.norm, self.mode, self.prune_k = int(num_powers), norm, mode, prune_k

    def reset_parameters(self):  # parameter-free; kept for PyG's layer protocol
        pass

    def forward(self, edge_index: Tensor, edge_weight: Tensor | None = None,
                num_nodes: int | None = None, restore: Tensor | None = None,
                tie_order: Tensor | None = None) -> tuple[Tensor, Tensor]:
        r"""The powers of a sparse graph, as
        :func:`~pyg_fusion.functional.graph_powers` computes them.

        Args:
            edge_index (torch.Tensor): ``[2, E]`` (source, target).
            edge_weight (torch.Tensor, optional): ``[E]``. (default:
                :obj:`None`, every edge weighs 1)
            num_nodes (int, optional): :math:`N`. (default: :obj:`None`, the
                node count of an ``EdgeIndex`` that states it, else the
                largest index of ``edge_index`` + 1)
            restore (torch.Tensor, optional): ``[N]``, the numbering the
                powers are returned in (see
                :func:`~pyg_fusion.functional.graph_powers`). (default:
                :obj:`None`, the input's)
            tie_order (torch.Tensor, optional): ``[N]``, the numbering in
                which ``prune_k``'s ties go to the smaller column (see
                :func:`~pyg_fusion.functional.graph_powers`). (default:
                :obj:`None`, the graph's own)

        Under PyG's explainers (an edge mask set on the layer, as
        ``torch_geometric.explain`` sets one), each edge's mask scales its
        entry of the normalised graph :math:`\hat R`, as it scales the
        messages of :meth:`expand_features`.

        Returns:
            (torch.Tensor, torch.Tensor): ``edge_index`` ``[2, E']`` and
            ``edge_attr`` ``[E', P+1]``, column ``p`` the entries of :math:`R^p`.
        """
        if torch.jit.is_tracing():
            refuse_torchscript(self, tracing=True)
        if (isinstance(edge_index, Tensor) and edge_index.is_floating_point()
                and isinstance(edge_weight, Tensor) and not edge_weight.is_floating_point()):
            # PyG's conv(x, edge_index) order: the check of edge_index alone
            # asked for the features as .long() node indices
            raise TypeError("GraphPowerExpansion(edge_index, edge_weight) returns the graph's "
                            "powers, but got floats first and integers second, as in PyG's "
                            "conv(x, edge_index): expand_features(x, edge_index, edge_weight) "
                            "propagates node features")
        if num_nodes is None and isinstance(edge_index, EdgeIndex):
            # the node count the EdgeIndex states, as PyG's layers read it: the
            # largest index + 1 dropped the isolated nodes after it (R^0's ones)
            sizes = {s for s in edge_index.sparse_size() if s is not None}
            if len(sizes) > 1:
                raise ValueError(f"edge_index is an EdgeIndex of a {edge_index.sparse_size()} "
                                 f"(bipartite) graph; the powers take a square one")
            num_nodes = sizes.pop() if sizes else None
        return self._powers(edge_index, edge_weight, num_nodes, restore, tie_order,
                            own_orders=False, explain=bool(self.explain))

    def _powers(self, edge_index, edge_weight, num_nodes, restore, tie_order, own_orders,
                explain: bool = False):
        # forward; own_orders: restore / tie_order are LEGO's own permutations,
        # not checked again (see _graph_powers); explain: PyG's edge mask of
        # the caller's edges (LEGO's own graphs take none)
        if num_nodes is None:
            edge_index = check_edge_list("edge_index", edge_index)  # before its max is read
            if not edge_index.numel():
                # read as 0 nodes, refused as "num_nodes must be >= 1, got 0",
                # an argument the caller had not given
                raise ValueError("edge_index holds no edges, so it does not tell the number "
                                 "of nodes: pass num_nodes")
            num_nodes = int(edge_index.max()) + 1
        edge_weight = _ones_if_none(edge_weight, edge_index, torch.get_default_dtype())
        norm = self.norm
        if explain:
            # the mask scales the normalised entries (PyG's explain_message, as
            # on expand_features' messages); forward never propagates, so it was
            # never read: the explanation left the powers out, silently
            edge_weight = self.explain_message(normalize(edge_index, edge_weight, num_nodes,
                                                         norm), num_nodes)
            norm = None
        return _graph_powers(edge_index, edge_weight, num_nodes, self.num_powers, norm,
                             self.mode, self.prune_k, restore, tie_order,
                             own_orders=own_orders)

    def dense(self, adj: Tensor, mask: Tensor | None = None,
              support: Tensor | None = None) -> Tensor:
        """The dense twin of :meth:`forward`
        (:func:`~pyg_fusion.functional.dense_graph_powers`).

        Args:
            adj (torch.Tensor): ``[B, N, N]``.
            mask (torch.Tensor, optional): ``[B, N]`` bool, the real nodes.
                (default: :obj:`None`, all)
            support (torch.Tensor, optional): ``[B, N, N]`` bool, the edges
                of the graph, zero weights included (what ``prune_k`` ranks;
                see :func:`~pyg_fusion.functional.graph_powers`). (default:
                :obj:`None`, the non-zero entries of ``adj``)

        Returns:
            torch.Tensor: ``[B, P+1, N, N]``.
        """
        return dense_graph_powers(adj, self.num_powers, self.norm, self.mode,
                                  prune_k=self.prune_k, mask=mask, support=support)

    def _dense(self, adj: Tensor, mask: Tensor | None, support: Tensor | None
               ) -> tuple[Tensor, Tensor | None]:
        # dense, and the entries of R^1 .. R^P its pruning kept (None where
        # it prunes nothing): LEGO's dense backend keeps the zeros there
        return _checked_dense_powers(adj, self.num_powers, self.norm, self.mode,
                                     self.prune_k, mask, support)

    @float32_under_autocast
    def expand_features(self, x: Tensor, edge_index: Tensor,
                        edge_weight: Tensor | None = None) -> Tensor:
        r"""Propagates node features, :math:`[X, \hat R X, \dots, \hat R^P X]`.

        Args:
            x (torch.Tensor): ``[N, *]``, the nodes first.
            edge_index (torch.Tensor): ``[2, E]`` (source, target).
            edge_weight (torch.Tensor, optional): ``[E]``. (default:
                :obj:`None`, every edge weighs 1)

        Returns:
            torch.Tensor: ``[P+1, N, *]``.
        """
        if self.mode != "matrix" or self.prune_k is not None:
            raise ValueError("expand_features propagates exact matrix powers: it needs "
                             "mode='matrix' and prune_k=None")
        check_tensor("x", x, floating=True, finite=True)
        if x.dim() == 0:
            raise ValueError("x must hold one row of features per node, got a scalar")
        # a plain tensor for propagate too (PyG's EdgeIndex: check_edge_list)
        edge_index = check_edge_list("edge_index", edge_index)
        if edge_weight is None:
            # the ones made on edge_index's device would be named below
            check_like("edge_index", edge_index, "x", x, dtype=False)
        edge_weight = _ones_if_none(edge_weight, edge_index, x.dtype)
        w = normalize(edge_index, edge_weight, x.size(0), self.norm)
        # of another dtype the messages would promote X's powers, not X
        check_like("edge_weight", edge_weight, "x", x)
        out = [x]
        for _ in range(self.num_powers):
            out.append(self.propagate(edge_index, x=out[-1], edge_weight=w))
        return torch.stack(out)

    def message(self, x_j: Tensor, edge_weight: Tensor) -> Tensor:
        return edge_weight.view(-1, *([1] * (x_j.dim() - 1))) * x_j

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(num_powers={self.num_powers}, "
                f"norm={self.norm!r}, mode={self.mode!r}, prune_k={self.prune_k})")


def _ones_if_none(edge_weight: Tensor | None, edge_index: Tensor, dtype: torch.dtype) -> Tensor:
    # an unweighted graph (PyG's edge_weight=None): every edge weighs 1
    if edge_weight is not None:
        return edge_weight
    check_tensor("edge_index", edge_index)
    return torch.ones(edge_index.size(-1), dtype=dtype, device=edge_index.device)
