from __future__ import annotations

import math

import torch
from torch import Tensor

from .._option_rules import is_finite_real
from ..functional._autocast import autocast_dtype
from ..functional._checks import check_module_input
from ..functional.label_prop import (_check, _propagate, _propagation_graph, check_propagation,
                                     label_propagation, seed_prior_logits)
from ..functional.normalization import _coalesce_order
from ._fixed_graph import FixedGraphCache
from ._lego_inputs import refuse_torchscript
from ._reset import assign
from .fused_graph import FusedGraph


class LabelPropagationHead(FixedGraphCache, torch.nn.Module):
    r"""A graph-only node classifier: the seed labels are propagated over the
    graph (:func:`pyg_fusion.functional.label_propagation`, Zhou et al.,
    NIPS 2003, `paper
    <https://proceedings.neurips.cc/paper/2003/hash/87682805257e619d49b8e0dfdc14affa-Abstract.html>`_)
    and the result, times a learnable scale :math:`\tau`, is
    taken as logits,

    .. math::
        \text{logits} = \tau \cdot F^{(L)}, \qquad
        F^{(l+1)} = \alpha\, \tilde W F^{(l)} + (1 - \alpha)\, Y .

    The graph is the only input, so the head judges a graph by how well it
    carries a few labels to the other nodes; gradients reach the edge weights
    (a learnable fused graph is trained through it). :math:`\tau` changes no
    prediction, only the sharpness of the softmax in the loss. Train it with
    the label trick (seed labels on one part of the training nodes, loss on
    the rest), see :class:`pyg_fusion.training.NodeClassification`.

    A node that no seed reaches within :math:`L` steps (an isolated node, or
    one in a part of the graph without seeds: its row of :math:`F^{(L)}` is
    zero) has no evidence from the graph; logits 0 would make ``argmax``
    predict class 0 for it. It gets the logits of the seeds' class prior
    instead, :math:`\log p_c` (Laplace smoothed,
    :func:`~pyg_fusion.functional.seed_prior_logits`; in a batch, of its own
    graph's seeds): its softmax is the
    prior and its prediction the seeds' majority class (ties, e.g.
    class-balanced seeds: the smallest class id), a **[choice]**. These
    logits are constants: no gradient reaches :math:`\tau` or the graph
    through them.

    Under :class:`torch.autocast` the propagation (sums over the edges and a
    normalisation by degrees) runs in float32, 16-bit seed labels or weights
    promoted (:mod:`pyg_fusion.functional`); the logits are float32.

    Args:
        num_layers (int, optional): propagation steps :math:`L` (a
            **[choice]**). (default: :obj:`20`)
        alpha (float, optional): :math:`\alpha`, the weight of the propagated labels (a
            **[choice]**). (default: :obj:`0.9`)
        symmetric (bool, optional): propagate over the symmetrised graph
            ``(W + W^T) / 2``. (default: :obj:`True`)
        scale (float, optional): initial :math:`\tau`. (default: :obj:`10.0`)

    Shapes:
        - **input**: seed labels ``[N, C]``, ``edge_index`` ``[2, E]``,
          ``edge_weight`` ``[E]`` (or a :class:`FusedGraph`)
        - **output**: logits ``[N, C]`` (an empty graph, ``N = 0``: ``[0, C]``)

    The class declares :attr:`takes_seed_labels`: a model that contains this
    head (see :func:`takes_seed_labels`) is trained with the label trick by
    :class:`~pyg_fusion.training.NodeClassification`, whatever built it.
    """

    #: The head's input is the seed nodes' one-hot labels, so training must
    #: hold out the nodes it scores from the seeds (the label trick).
    takes_seed_labels: bool = True

    __prepare_scriptable__ = refuse_torchscript  # torch.jit.script: an error naming it

    def __init__(self, num_layers: int = 20, alpha: float = 0.9, symmetric: bool = True,
                 scale: float = 10.0):
        super().__init__()
        check_propagation(num_layers, alpha, symmetric)
        if not (is_finite_real(scale) and scale > 0):
            raise ValueError(f"scale must be a finite number > 0 (the initial logit scale), "
                             f"got {scale!r}")
        self.num_layers, self.alpha, self.symmetric = num_layers, alpha, symmetric
        self.initial_scale = scale
        self.log_scale = torch.nn.Parameter(torch.empty(()))
        self.reset_parameters()

    def reset_parameters(self):
        assign(self, "log_scale", torch.full_like(self.log_scale, math.log(self.initial_scale)))

    def forward(self, y: Tensor, edge_index: Tensor | FusedGraph,
                edge_weight: Tensor | None = None, batch: Tensor | None = None) -> Tensor:
        """Propagates the seed labels over the graph.

        Args:
            y (Tensor): seed labels ``[N, C]`` (zero rows for unlabelled nodes).
            edge_index (Tensor or FusedGraph): ``[2, E]`` (source, target), or
                the fused graph itself (as :class:`GraphHead` takes it).
            edge_weight (Tensor, optional): ``[E]``, signed allowed (default:
                ``None``, ones; not given with a :class:`FusedGraph`).
            batch (Tensor, optional): ``[N]`` graph of each node, sorted, so
                that a node no seed reaches gets its own graph's prior
                (default: ``None``, one graph; a :class:`FusedGraph`'s own).

        Returns:
            Tensor: logits ``[N, C]``.
        """
        if isinstance(y, Tensor) and y.is_floating_point():
            # as every layer's input: a float64 head (model.double()) returned
            # float32 logits for float32 labels, its scale rounded silently
            check_module_input("y", y, self)
        if isinstance(edge_index, FusedGraph):
            graph = edge_index
            if edge_weight is not None or batch is not None:
                raise ValueError("edge_weight and batch go with an edge_index; a FusedGraph "
                                 "carries its own weights and batch")
            if isinstance(y, Tensor) and y.dim() >= 1 and y.size(0) != graph.num_nodes:
                raise ValueError(f"y has {y.size(0)} rows but graph has {graph.num_nodes} "
                                 "nodes; expected one row of seed labels per node")
            # one graph: the prior of all seeds, as without a batch
            batch = graph.batch if graph.num_graphs > 1 else None
            edge_index, edge_weight = graph.to_sparse()
        out = self._propagated(y, edge_index, edge_weight)
        logits = self.log_scale.exp() * out
        # A node no seed reaches has a zero row of F: logits 0 made argmax
        # class 0, silently. It gets the log of the seeds' class prior instead,
        # a constant (no gradient, so training steps are unchanged).
        unreached = (out == 0).all(-1, keepdim=True)
        prior = seed_prior_logits(y, batch).to(logits.dtype)
        return torch.where(unreached, prior, logits)

    # A graph-only node model (graph-pix, graph-mean, features=labels) trains
    # on one fixed graph: each step symmetrised and coalesced (sorted) all its
    # edges again and took its degrees, for new seed labels only. Its
    # propagation weights (the tensors label_propagation makes) are kept as
    # GraphHead keeps its normalised graph (FixedGraphCache); under autocast
    # (not in the key) and for other inputs label_propagation runs at every call.
    def _propagated(self, y: Tensor, edge_index: Tensor, edge_weight: Tensor | None) -> Tensor:
        given = [edge_index] + ([] if edge_weight is None else [edge_weight])
        if (not all(isinstance(t, Tensor) for t in (y, *given))
                or autocast_dtype(y.device) is not None):
            return label_propagation(y, edge_index, edge_weight, num_layers=self.num_layers,
                                     alpha=self.alpha, symmetric=self.symmetric)
        _check(y, self.num_layers, self.alpha, self.symmetric)
        key = (y.size(0), y.dtype, y.device, self.symmetric)
        if edge_weight is not None and edge_weight.requires_grad:
            # learned weights of fixed edges (LEGO's graph only): their order is kept
            def order(edges):  # (the checked, symmetrised edges)
                return self._kept_graph(("order", *key), [edge_index], lambda: _coalesce_order(
                    edges, y.size(0)), inputs=(y, edge_weight))
            graph = _propagation_graph(y, edge_index, edge_weight, self.symmetric, order)
        else:
            graph = self._kept_graph(key, given, lambda: _propagation_graph(
                y, edge_index, edge_weight, self.symmetric), inputs=(y, ))
        return _propagate(y, graph, self.num_layers, self.alpha)

    def __repr__(self) -> str:
        scale = f", scale={self.initial_scale}" if self.initial_scale != 10.0 else ""
        return (f"{self.__class__.__name__}(num_layers={self.num_layers}, alpha={self.alpha}, "
                f"symmetric={self.symmetric}{scale})")


def takes_seed_labels(model: torch.nn.Module) -> bool:
    r"""Whether ``model`` (or any of its sub-modules) declares
    ``takes_seed_labels = True``, as :class:`LabelPropagationHead` does:
    such a model's ``forward`` takes ``seed_mask=`` (the nodes whose labels
    are its input), and training it must use the label trick.

    Args:
        model (torch.nn.Module): the model.

    Returns:
        bool: ``True`` if some sub-module takes seed labels.
    """
    return any(getattr(m, "takes_seed_labels", False) is True for m in model.modules())
