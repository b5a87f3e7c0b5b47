from __future__ import annotations

import torch
from torch import Tensor

from ..functional._checks import (check_batch, check_batch_shape, check_edges, check_flag,
                                  check_int, check_mask)


class FusedGraph:
    r"""The output of :class:`pyg_fusion.nn.LEGO`: the fused graph :math:`G`
    of a batch, with one API on both backends.

    ``edge_index`` / ``edge_weight`` (the entries of :math:`G`'s support,
    PyG's convention: the edge :math:`j \to i` holds :math:`G_{ij}`) and
    :meth:`to_dense` (the padded ``[B, N_max, N_max]`` operators, ``[b, i, j]``
    = :math:`G_{ij}` of graph ``b``) are always available; the form the
    backend did not produce is derived on first use and kept. Both stay
    differentiable in the values the backend produced.

    The support is where :math:`G` can be non-zero for some operator, not
    where it is non-zero now: an entry that is 0 at the current :math:`A`
    (e.g. outside :math:`R_a \circ R_b` at the product start) still has a
    gradient with respect to :math:`A`, so it stays, as an edge of weight 0.

    Args:
        num_nodes (int): total number of nodes ``N`` (all graphs of the batch).
        batch (torch.Tensor, optional): ``[N]`` graph of each node.
            (default: :obj:`None`, one graph)
        edge_index (torch.Tensor, optional): ``[2, E]``, the sparse backend's
            form. (default: :obj:`None`)
        edge_weight (torch.Tensor, optional): ``[E]``, with ``edge_index``.
            (default: :obj:`None`)
        dense (torch.Tensor, optional): ``[B, N_max, N_max]``, the dense
            backend's form (give either it or ``edge_index``). (default:
            :obj:`None`)
        mask (torch.Tensor, optional): ``[B, N_max]`` bool, the real
            (non-padded) nodes of ``dense``. (default: :obj:`None`, all)
        support (torch.Tensor, optional): ``[B, N_max, N_max]`` bool, with
            ``dense``: entries kept as edges where ``dense`` is 0. (default:
            :obj:`None`, the non-zero entries only)
        num_graphs (int, optional): ``B``, counting empty graphs at the end
            of a batch. (default: :obj:`None`, from ``batch`` or ``dense``)
        coalesced (bool, optional): :obj:`True` when each (source, target)
            pair of ``edge_index`` occurs once (the fusion's output). Else
            repeated pairs are one entry of :math:`G`, their weights summed
            (PyG's ``coalesce``, which also sorts the edges), as
            :meth:`to_dense` sums them. (default: :obj:`False`)
    """

    def __init__(self, num_nodes: int, batch: Tensor | None = None,
                 edge_index: Tensor | None = None, edge_weight: Tensor | None = None,
                 dense: Tensor | None = None, mask: Tensor | None = None,
                 support: Tensor | None = None, num_graphs: int | None = None,
                 coalesced: bool = False):
        if (dense is None) == (edge_index is None):
            raise ValueError("FusedGraph takes either edge_index and edge_weight (sparse) "
                             "or dense (dense), not both or neither")
        if edge_index is not None and edge_weight is None:
            raise ValueError("edge_weight is required with edge_index")
        if dense is not None and dense.dim() != 3:
            raise ValueError(f"dense must be [B, N_max, N_max], got {tuple(dense.shape)}")
        # what reads no values (LEGO's inputs were checked): a batch or a
        # num_nodes that disagreed with the graph gave a torch error in
        # dense_mask, or another graph's node count to the heads
        check_int("num_nodes", num_nodes, minimum=0)
        check_flag("coalesced", coalesced)
        if batch is not None:
            check_batch_shape("batch", batch, num_nodes, ref=(
                ("edge_index", edge_index) if dense is None else ("dense", dense)))
        if dense is not None and mask is not None:
            check_mask("mask", mask, tuple(dense.shape[:2]), "dense", dense)
        elif dense is not None and num_nodes != dense.size(0) * dense.size(1):
            raise ValueError(f"num_nodes is {num_nodes}, but dense {tuple(dense.shape)} without "
                             f"a mask holds B * N_max = {dense.size(0) * dense.size(1)} nodes")
        if edge_index is not None and not coalesced:
            # GraphHead and DegreeVarianceLoss read each pair of the support
            # once (an entry's degree, its threshold): a repeated pair would
            # count as two entries, not as their sum
            from torch_geometric.utils import coalesce
            edge_index = check_edges(edge_index, edge_weight, num_nodes)
            edge_index, edge_weight = coalesce(edge_index, edge_weight, num_nodes)
        self.num_nodes, self.batch = num_nodes, batch
        self._edges = None if edge_index is None else (edge_index, edge_weight)
        self._dense, self._mask, self._support = dense, mask, support
        self._num_graphs = num_graphs
        self._backend = "dense" if dense is not None else "sparse"

    @property
    def backend(self) -> str:
        """``"dense"`` or ``"sparse"``: the form the fusion produced."""
        return self._backend

    @property
    def num_graphs(self) -> int:
        if self._num_graphs is not None:
            return self._num_graphs
        if self._dense is not None:
            return self._dense.size(0)
        return 1 if self.batch is None or self.batch.numel() == 0 else int(self.batch.max()) + 1

    @property
    def edge_index(self) -> Tensor:
        """``[2, E]`` (source, target) of the support's entries."""
        return self.to_sparse()[0]

    @property
    def edge_weight(self) -> Tensor:
        """``[E]``: :math:`G_{ij}` of the edge :math:`j \\to i`."""
        return self.to_sparse()[1]

    def to_sparse(self) -> tuple[Tensor, Tensor]:
        """``(edge_index, edge_weight)`` over the global node numbering: the
        entries of the support (the sparse backend's edges as the fusion
        gives them, the dense backend's non-zero entries and ``support``)."""
        if self._edges is None:
            from ..functional.convert import dense_to_edges
            edges = dense_to_edges(self._dense, self._mask, self._support)
            if not _keeps_grad(self._dense):
                return edges
            self._edges = edges
        return self._edges

    def to_dense(self) -> Tensor:
        """``[B, N_max, N_max]``, ``[b, i, j]`` = :math:`G_{ij}` (padded
        nodes are 0)."""
        if self._dense is None:
            from ..functional.convert import edges_to_dense
            batch = self.batch if self.batch is not None else torch.zeros(
                self.num_nodes, dtype=torch.long, device=self._edges[0].device)
            dense = edges_to_dense(*self.to_sparse(), batch, batch_size=self.num_graphs)
            if not _keeps_grad(self._edges[1]):
                return dense
            self._dense = dense
        return self._dense

    def dense_mask(self) -> Tensor:
        """``[B, N_max]`` bool: the real nodes of :meth:`to_dense`."""
        if self._mask is None:
            if self._dense is not None and self._backend == "dense":
                mask = torch.ones(self._dense.shape[:2], dtype=torch.bool,
                                  device=self._dense.device)
            else:
                from torch_geometric.utils import to_dense_batch
                if self.batch is not None:  # to_dense_batch reads an unsorted one wrong
                    check_batch("batch", self.batch, self.num_nodes)
                batch = self.batch if self.batch is not None else torch.zeros(
                    self.num_nodes, dtype=torch.long, device=self._edges[0].device)
                mask = to_dense_batch(torch.ones(self.num_nodes, device=batch.device),
                                      batch, batch_size=self.num_graphs)[1]
            if _inference_only(self._dense if self._dense is not None else self._edges[1]):
                return mask
            self._mask = mask
        return self._mask

    def __repr__(self) -> str:
        size = (f"dense={list(self._dense.shape)}" if self._backend == "dense"
                else f"num_edges={self.to_sparse()[0].size(1)}")
        return (f"{self.__class__.__name__}(backend={self._backend!r}, "
                f"num_nodes={self.num_nodes}, num_graphs={self.num_graphs}, {size})")


def _keeps_grad(produced: Tensor) -> bool:
    """Whether the other form, derived now from the form ``produced``, may be
    kept for later calls: not when it was derived with gradients off (under
    ``torch.no_grad()`` or ``torch.inference_mode()``, e.g. to log the graph)
    from values that need them, or every later head reading it would train
    nothing before the fused graph, silently; nor when it was derived under
    ``torch.inference_mode()`` from a graph made outside it: an inference
    tensor kept there failed the training steps after it ("Inference tensors
    cannot be saved for backward"), even those of a graph that needs no
    gradient (a fixed graph under a head that learns)."""
    if _inference_only(produced):
        return False
    return torch.is_grad_enabled() or not produced.requires_grad


def _inference_only(produced: Tensor) -> bool:
    """Whether what is derived now from ``produced`` is an inference tensor
    that ``produced`` is not (made under ``torch.inference_mode()``)."""
    return torch.is_inference_mode_enabled() and not produced.is_inference()
