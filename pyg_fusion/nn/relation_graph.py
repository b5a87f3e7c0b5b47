from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data.data import BaseData

from ..functional._checks import check_choice, check_edge_index, check_tensor
from ..functional._docs import SIMILARITY_ARGS, fill_doc
from ..functional._autocast import float32_under_autocast
from ..functional.relation import (KNN, _dense_topk, check_graph_options, relation_graph,
                                   relation_pairs)
from ..functional.similarity import _pair_similarity, dense_relation_graph, pair_similarity
from ..functional.support import _search_scores
from ._lego_inputs import refuse_torchscript


@fill_doc(similarity=SIMILARITY_ARGS)
class RelationGraph(torch.nn.Module):
    r"""Relationship graph of the units of one source (LEGO, docs/methods.md §1.2;
    `paper <https://arxiv.org/abs/2410.01506>`_):
    :math:`R_{ij} = \mathrm{sim}(f_i, f_j)`, sparsified to the ``k`` strongest
    neighbours per node and/or the entries ``>= threshold`` (self loop kept).

    See :func:`pyg_fusion.functional.relation_graph` for the metrics, the
    ``nonneg`` choice, the defined edge cases and the neighbour search
    (``knn``: ``"exact"``, ``"approx"`` or ``"auto"``, through faiss when it
    is installed). :meth:`dense` ranks neighbours exactly.

    Args:
        k (int, optional): neighbours per node (>= 1). (default: :obj:`None`)
        threshold (float, optional): minimum similarity of a kept entry.
            (default: :obj:`None`; with neither ``k`` nor ``threshold`` every
            pair is kept)
        {similarity}
        knn (str, optional): the neighbour search, :obj:`"exact"`,
            :obj:`"approx"` or :obj:`"auto"`. (default: :obj:`"auto"`)

    Shapes:
        - **forward**: ``x`` ``[N, d]``, ``batch`` ``[N]`` ->
          ``(edge_index [2, E], edge_weight [E])``
        - **dense**: ``x`` ``[B, N, d]``, ``mask`` ``[B, N]`` -> ``[B, N, N]``
    """

    __prepare_scriptable__ = refuse_torchscript  # torch.jit.script: an error naming it

    def __init__(self, k: int | None = None, threshold: float | None = None,
                 metric: str = "cosine", nonneg="clamp", gamma: float | None = None,
                 knn: str = "auto"):
        super().__init__()
        check_choice("knn", knn, KNN)
        check_graph_options(k, threshold, metric, nonneg, gamma)
        # numpy's numbers as Python's (the repr, configs)
        self.k = k if k is None else int(k)
        self.threshold = threshold if threshold is None else float(threshold)
        self.metric, self.nonneg = metric, nonneg
        self.gamma = gamma if gamma is None else float(gamma)
        self.knn = knn

    def reset_parameters(self):
        # no parameters; defined as on every other layer of LEGO
        # (GraphPowerExpansion, LEGOFusion) so that a loop resetting them all runs
        pass

    def forward(self, x: Tensor, batch: Tensor | None = None) -> tuple[Tensor, Tensor]:
        if isinstance(x, BaseData):
            # a step of T.Compose or a dataset's transform: it was "x must be a
            # torch.Tensor, got Data", which named neither what to pass nor the transform
            raise TypeError(f"RelationGraph is a layer on one source's features: call it on "
                            f"a tensor [N, d] and its batch (data.x_<source> or data.x, "
                            f"data.batch), got a {type(x).__name__}; to store each source's "
                            f"graph on the data (T.Compose, a dataset's transform) use "
                            f"pyg_fusion.transforms.RelationGraphs")
        return relation_graph(x, batch, k=self.k, threshold=self.threshold,
                              metric=self.metric, nonneg=self.nonneg, gamma=self.gamma,
                              knn=self.knn)

    def pairs(self, x: Tensor, batch: Tensor | None = None) -> Tensor:
        """The edges :meth:`forward` keeps, without weights (not
        differentiable): :func:`~pyg_fusion.functional.relation_pairs`."""
        return relation_pairs(x, batch, k=self.k, threshold=self.threshold,
                              metric=self.metric, nonneg=self.nonneg, gamma=self.gamma,
                              knn=self.knn)

    def weights(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """The weights of :meth:`forward` on the edges ``edge_index`` of the
        units ``x`` (in any numbering of the units), differentiable in ``x``."""
        check_tensor("x", x, dims=(2, ))
        edge_index = check_edge_index("edge_index", edge_index, x.size(0))
        return pair_similarity(x, edge_index[1], edge_index[0], self.metric, self.nonneg,
                               self.gamma)

    def _weights(self, x: Tensor, edge_index: Tensor) -> Tensor:
        # weights without the checks (no host syncs), for pairs that a search
        # of x chose (LEGO's own graphs)
        return _pair_similarity(x, edge_index[1], edge_index[0], self.metric, self.nonneg,
                                self.gamma)

    @float32_under_autocast
    def dense(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """The same graph as :meth:`forward`, as a dense (batched) matrix."""
        return self._dense_searched(x, mask)[0]

    def _dense_searched(self, x: Tensor, mask: Tensor | None = None
                        ) -> tuple[Tensor, tuple | None]:
        # dense() and the search it ranked by (_search_scores: scores, tie
        # scale, entries reaching the threshold), which LEGO's dense backend
        # reads again (None: no search)
        adj = dense_relation_graph(x, self.metric, self.nonneg, gamma=self.gamma,
                                   mask=mask)
        if self.threshold is None and self.k is None:
            return adj, None
        # chosen by the sparse search's scores (knn_scores), so that both
        # backends keep the same entries, ties and the threshold's edge included
        keep = None
        scores, scale, reached = _search_scores(x, self.threshold, self.metric, self.nonneg,
                                                self.gamma, mask)
        if reached is not None:
            n = adj.size(-1)
            keep = reached | torch.eye(n, dtype=torch.bool, device=adj.device)
            adj = adj * keep
        if self.k is not None:
            ranked = scores if keep is None else scores.masked_fill(~keep, float("-inf"))
            adj = _dense_topk(adj, self.k, scores=ranked, scale=scale)
        return adj, (scores, scale, reached)

    def __repr__(self) -> str:
        gamma = "" if self.gamma is None else f", gamma={self.gamma}"
        return (f"{self.__class__.__name__}(metric={self.metric!r}, k={self.k}, "
                f"threshold={self.threshold}, nonneg={self.nonneg!r}{gamma}, knn={self.knn!r})")
