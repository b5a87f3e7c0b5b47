"""What every node-classification model of :mod:`.node` shares: reading its
inputs (:func:`node_features`, checked per source), what its head sees
besides the graph (:func:`head_input`), the head itself (:func:`make_head`,
:class:`NodeHead`) and the cache of the graphs that do not depend on
parameters."""
from __future__ import annotations

import weakref

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data

from ..functional import relation_graph, seed_labels
from ..functional._autocast import autocast_dtype
from ..functional._checks import check_finite, check_module_input, check_tensor, same_tensors
from ..nn import GraphHead, LabelPropagationHead
from ..nn._lego_inputs import AUTOGRAD, refuse_torch_func

__all__ = ["NodeHead", "node_features", "head_input", "make_head"]

def node_features(data: Data, sources: list[str],
                  model: nn.Module | None = None) -> dict[str, Tensor]:
    """``{source: data.x_<source>}``, the one way the node models read their
    inputs, checked so that every model says which source is wrong: each
    ``[N, d]`` with one row per node (``N = data.num_nodes``), finite, and
    of the dtype and on the device of ``model``'s parameters, of the widths
    the model was built for (its ``in_channels``) and, for a featureless
    head (``features="none"``), on the ``num_nodes`` it was built for.
    Torch's own errors (``torch.cat``, a matrix product) named no source,
    and a NaN in one of six views was reported as ``x``.

    Args:
        data (torch_geometric.data.Data): the graph, with ``x_<source>`` per source.
        sources (list[str]): the sources to read.
        model (torch.nn.Module, optional): the node model the features go into.
            (default: :obj:`None`)
    """
    missing = [s for s in sources if f"x_{s}" not in data]
    if missing:
        raise ValueError(f"the data lacks x_<source> for {missing}")
    # a PyG Batch of several graphs trained and scored silently with kNN edges
    # (and powers) between nodes of different graphs
    batch = data.get("batch")
    graphs = int(batch.max()) + 1 if isinstance(batch, Tensor) and batch.numel() else 1
    if graphs > 1:
        raise ValueError(f"the data holds {graphs} graphs (a PyG Batch): the node models "
                         f"build one relationship graph over all the nodes they are given, "
                         f"which would link nodes of different graphs; give them one graph "
                         f"at a time (a DataLoader of batch_size=1, or "
                         f"pyg_fusion.training.node.single_graph_loader)")
    xs = {s: data[f"x_{s}"] for s in sources}
    n = data.num_nodes
    if n is None and xs:  # a plain Data of x_<source> only: PyG infers no count
        first = next(iter(xs.values()))
        n = int(first.size(0)) if isinstance(first, Tensor) and first.dim() else None
    built = getattr(model, "num_nodes", None)
    if getattr(model, "features", None) == "none" and built != n:
        raise ValueError(f"the model was built with features='none' (one learned input per "
                         f"node) for num_nodes={built}, but the graph has {n} nodes")
    widths = getattr(model, "in_channels", None) or {}
    for s, x in xs.items():
        name = f"x_{s}"
        check_tensor(name, x)
        if x.dim() != 2 or (n is not None and x.size(0) != n):
            raise ValueError(f"{name} must be [num_nodes, d] = [{n}, d] (one row per node, "
                             f"every source on the same nodes), got shape {tuple(x.shape)}")
        if s in widths and x.size(1) != widths[s]:
            raise ValueError(f"{name} has {x.size(1)} features, but the model was built for "
                             f"{widths[s]} (in_channels[{s!r}])")
        if model is not None:
            check_module_input(name, x, model)
        check_finite(name, x)
    return xs


FEATURES = ("concat", "none", "labels")


def head_input(x: Tensor, features: str, data: Data | None = None,
               seed_mask: Tensor | None = None, num_classes: int | None = None) -> Tensor:
    """What the head sees besides the graph: ``"concat"`` (the sources'
    features), ``"none"`` (one-hot node ids) or ``"labels"`` (the one-hot
    labels of the seed nodes, ``seed_mask`` or else ``data.train_mask``).

    Args:
        x (torch.Tensor): the sources' features ``[N, d]``.
        features (str): :obj:`"concat"`, :obj:`"none"` or :obj:`"labels"`.
        data (torch_geometric.data.Data, optional): the graph, with ``y`` (and
            ``train_mask`` without ``seed_mask``) for :obj:`"labels"`. (default: :obj:`None`)
        seed_mask (torch.Tensor, optional): the nodes whose labels are seeds.
            (default: :obj:`None`)
        num_classes (int, optional): classes of the one-hot labels. (default: :obj:`None`)
    """
    if features == "none":
        return torch.eye(x.size(0), dtype=x.dtype, device=x.device)
    if features == "labels":
        mask = data.get("train_mask") if seed_mask is None else seed_mask
        if mask is None or data.get("y") is None:  # was PyG's AttributeError / 'y must be...'
            raise ValueError("features='labels' propagates the labels of the seed nodes: the "
                             "data needs y and train_mask (or pass seed_mask=)")
        return seed_labels(data.y, mask, num_classes).to(x.dtype)
    if features != "concat":
        raise ValueError(f"features must be one of {FEATURES}, got {features!r}")
    return x


def _width(width: int, features: str, num_nodes: int | None) -> int:
    if features == "none":
        if num_nodes is None:
            raise ValueError("features='none' needs num_nodes")
        return num_nodes
    return width


def make_head(width: int, hidden_channels: int, out_channels: int, num_layers: int,
              dropout: float, features: str, num_nodes: int | None) -> nn.Module:
    """:class:`NodeHead` or, with ``features="labels"``,
    :class:`~pyg_fusion.nn.LabelPropagationHead` (whose output has one
    column per class whatever ``out_channels``).

    Args:
        width (int): width of the node features (used with ``features="concat"``).
        hidden_channels (int): width of the head.
        out_channels (int): width of the output.
        num_layers (int): layers of the head.
        dropout (float): dropout of the head.
        features (str): :obj:`"concat"`, :obj:`"none"` or :obj:`"labels"`.
        num_nodes (int): N, needed with ``features="none"`` (else :obj:`None`).
    """
    if features not in FEATURES:
        raise ValueError(f"features must be one of {FEATURES}, got {features!r}")
    if features == "labels":
        return LabelPropagationHead()
    return NodeHead(_width(width, features, num_nodes), hidden_channels, out_channels,
                    num_layers, dropout)


def follows_inputs(tensors: list[Tensor]) -> bool:
    """Whether a graph built from ``tensors`` must stay differentiable in
    them and be built again at every call: features that need gradients come
    from the caller's own layers (an encoder trained through the model), and
    a cached graph, built without gradients, cut what reached those layers
    through the graph.

    Args:
        tensors (list[torch.Tensor]): the features the graph is built from.
    """
    return torch.is_grad_enabled() and any(t.requires_grad for t in tensors)


def options_repr(model: nn.Module, **shown) -> str:
    """A node model's ``extra_repr``: ``shown`` and its ``features`` where
    not the default, the options its sub-modules' printouts do not show.

    Args:
        model (torch.nn.Module): the node model.
        **shown (optional): the options to print, by name.
    """
    parts = [f"{k}={v!r}" for k, v in shown.items()]
    features = getattr(model, "features", "concat")
    if features != "concat":
        parts.append(f"features={features!r}")
    return ", ".join(parts)


class _Cache:
    """Remembers one value for the last input, keyed on the input's content
    (a copy of its tensors, compared element-wise), so that fixed graphs are
    built once per graph. Comparing costs one pass over the features, far
    less than the kNN graph and powers it saves; an object's identity is no
    key (a freed tensor's address is reused by the next one)."""

    def __init__(self):
        self.key, self.value = None, None

    def __getstate__(self):
        # a pickle of the model (torch.save(model), a process's copy)
        # starts empty: it carried a copy of the last input's features and
        # its graph (35 KB -> 35 MB for NodeLEGO on 2000 nodes), rebuilt on
        # demand in one call
        return {"key": None, "value": None}

    def __deepcopy__(self, memo):
        # a copy in memory shares the graph (built without gradients, never
        # changed in place: a new input replaces it) rather than copying it,
        # so that a copy of a model called once outside a torch.func
        # transform runs under it too, as the model does
        copied = _Cache()
        copied.key, copied.value = self.key, self.value
        return copied

    def _hit(self, tensors: list[Tensor]) -> bool:
        return self.key is not None and same_tensors(self.key, tensors)

    def get(self, tensors: list[Tensor], make):
        if follows_inputs(tensors):
            refuse_torch_func("a node model's graph", AUTOGRAD)
            return make()
        if self._hit(tensors):
            return self.value
        refuse_torch_func("a node model's graph", f"call the model once outside the transform "
                          f"on the same data (its graph is then reused), or {AUTOGRAD}")
        with torch.no_grad():
            value = make()
        # made under torch.inference_mode (Lightning's validate and test), a
        # value is of inference tensors, which autograd refuses: kept, it
        # failed every training step after such an evaluation
        if not torch.is_inference_mode_enabled():
            self.key, self.value = [t.detach().clone() for t in tensors], value
        return value


class _SharedBuilds:
    """The fixed graphs every node model builds alike, built once: the kNN
    graph of ``x_pix`` is single-pix's, graph-pix's, graph-mean's and
    gcn-mean's, and ``pyg-fusion compare`` builds each model again per seed
    (47 builds of 8 distinct inputs in ``pyg-fusion demo``). An entry is
    keyed on its options and its inputs' content (a copy, as :class:`_Cache`
    keeps), and lives as long as the tensors it was built from: a dataset
    freed frees its graphs. Values are never changed in place (a model's
    cache holds them as they are)."""

    def __init__(self):
        self._entries: dict[int, tuple] = {}
        self._count = 0

    def get(self, options: tuple, tensors: list[Tensor], make):
        if follows_inputs(tensors):  # a graph differentiable in its inputs: its own
            return make()
        # the graphs are float32 under autocast, of the inputs' dtype otherwise
        options += tuple(autocast_dtype(t.device) is not None for t in tensors[:1])
        for opts, copies, value, _ in list(self._entries.values()):
            if opts == options and same_tensors(copies, tensors):
                return value
        value = make()
        if torch.is_inference_mode_enabled():  # (autograd refuses inference tensors later)
            return value
        # the same tensors changed in place (features refreshed into one
        # buffer every epoch): their old content's entry can never hit again,
        # and kept a copy and a graph per change while the tensors lived
        for old, (opts, _, _, refs) in list(self._entries.items()):
            if opts == options and len(refs) == len(tensors) and all(
                    r() is t for r, t in zip(refs, tensors)):
                self._entries.pop(old, None)
        key, self._count = self._count, self._count + 1
        # kept with the entry: their callbacks, when an input is freed, drop it
        refs = [weakref.ref(t, lambda _, key=key: self._entries.pop(key, None))
                for t in tensors]
        self._entries[key] = (options, [t.detach().clone() for t in tensors], value, refs)
        return value


_SHARED = _SharedBuilds()


def shared_relation_graph(x: Tensor, k: int | None) -> tuple[Tensor, Tensor]:
    """``relation_graph(x, k=k)``, built once for equal fixed features
    (:class:`_SharedBuilds`); differentiable in ``x`` where ``x`` needs
    gradients, as :func:`~pyg_fusion.functional.relation_graph` is.

    Args:
        x (torch.Tensor): the features ``[N, d]``.
        k (int or None): neighbours per node (:obj:`None`: every pair).
    """
    return _SHARED.get(("relation_graph", k), [x], lambda: relation_graph(x, k=k))


def shared_build(options: tuple, tensors: list[Tensor], make):
    """``make()``, built once for equal fixed ``tensors`` and equal
    ``options`` (hashable, every option the value depends on) across the
    node models (:class:`_SharedBuilds`).

    Args:
        options (tuple): what the value depends on besides ``tensors``.
        tensors (list[torch.Tensor]): the inputs.
        make (callable): builds the value.
    """
    return _SHARED.get(options, tensors, make)


class NodeHead(nn.Module):
    """The head shared by every node-classification method: a linear encoder
    of the node features to ``hidden_channels``, then
    :class:`~pyg_fusion.nn.GraphHead` over the method's graph. The encoder
    comes first because :class:`~torch_geometric.nn.GraphConv` aggregates
    before its linear map: propagating the raw 649-d digits features over a
    fused graph of 10^5-10^6 edges would cost that width per edge.

    ``features="none"`` gives a featureless head (a learned embedding per
    node, the graph as the only input) that compares graphs alone.

    Args:
        in_channels (int): width of the node features.
        hidden_channels (int): width of the encoder and of the head.
        out_channels (int): width of the output.
        num_layers (int, optional): layers of the
            :class:`~pyg_fusion.nn.GraphHead`. (default: :obj:`2`)
        dropout (float, optional): dropout before the encoder and each layer.
            (default: :obj:`0.5`)
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 2, dropout: float = 0.5):
        super().__init__()
        self.lin = nn.Linear(in_channels, hidden_channels)
        self.head = GraphHead(hidden_channels, hidden_channels, out_channels, num_layers,
                              dropout)
        self.dropout = dropout

    def reset_parameters(self):
        self.lin.reset_parameters()
        self.head.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor) -> Tensor:
        x = F.relu(self.lin(F.dropout(x, self.dropout, self.training)))
        return self.head(x, edge_index, edge_weight)
