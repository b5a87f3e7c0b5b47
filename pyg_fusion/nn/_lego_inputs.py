"""What :class:`~pyg_fusion.nn.LEGO` accepts: the sources as a dict or a
``Data``/``Batch``, their widths, dtypes and devices, the batch vector and
the finer units' assignments, checked with errors that name the argument
before anything is computed."""
from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor
from torch_geometric.data import Batch, Data

from ..functional._checks import (check_batch, check_index, check_int, check_like,
                                  check_module_input, check_sources, check_tensor)
from ..data import source_names
from ..functional.similarity import feature_limit


def unpack_inputs(lego, xs, batch, assign, batch_size, mask):
    """``(xs, batch, assign, ref, batch_size, mask)`` of a LEGO call: the
    features by source (read from a ``Data``/``Batch`` if given one), checked
    against ``lego``'s sources and widths, and ``ref``, the first node-level
    source."""
    if torch.jit.is_tracing():
        refuse_torchscript(lego, tracing=True)
    if assign is not None and (not isinstance(assign, Mapping) or assign):
        # a key of no source (a typo) was a KeyError naming neither, a tensor
        # or a list failed in Python's truth test or a missing .items()
        check_sources("assign", assign, lego.sources, shape="[N_s] node ids", some=True)
    # the errors name a source as the caller holds it: a Data's attribute
    # (its NaN was "xs['a'] contains ...", an object the caller never had)
    name = (lambda s: f"data.x_{s}") if isinstance(xs, Data) else (lambda s: f"xs[{s!r}]")
    if isinstance(xs, Data):
        data = xs
        missing = [s for s in lego.sources if f"x_{s}" not in data]
        if missing:
            raise ValueError(f"the data lacks x_<source> for {missing}; it has "
                             f"{[f'x_{s}' for s in source_names(data)]}")
        xs = {s: data[f"x_{s}"] for s in lego.sources}
        # an assign given beside the data wins for its sources, as a given batch
        # does (it was dropped, the source read as node-level, without a word)
        assign = {**{s: data[f"assign_{s}"] for s in lego.sources if f"assign_{s}" in data},
                  **(assign or {})} or None
        if any(isinstance(x, Tensor) and x.dim() == 3 for x in xs.values()):
            # padded [B, N, d] graphs (PyG's DenseDataLoader): no batch vector
            # to read (its Batch has no graph count: reading one was an
            # AttributeError); a stored mask [B, N] is PyG's dense convention
            if mask is None and isinstance(data.get("mask"), Tensor):
                mask = data["mask"]
                padded = {s: tuple(x.shape) for s, x in xs.items() if isinstance(x, Tensor)}
                if any(x[:2] != tuple(mask.shape) for x in padded.values()):
                    # PyG's T.ToDense pads x, pos and y to its num_nodes, not x_<source>
                    raise ValueError(f"the data's mask {list(mask.shape)} does not match its "
                                     f"padded sources {padded} (PyG's T.ToDense pads x, pos "
                                     f"and y, not x_<source>): pad every x_<source> to the "
                                     f"mask's nodes")
        else:
            batch = getattr(data, "batch", None) if batch is None else batch
            if batch is None and isinstance(data, Batch) and data.num_graphs > 1:
                # PyG counts a graph's nodes from x or num_nodes: a plain Data
                # holding only x_<source> gives a Batch without its batch
                # vector, whose graphs would be fused as one
                raise ValueError(f"the Batch holds {data.num_graphs} graphs but no batch "
                                 f"vector (PyG found no node count in them): build the "
                                 f"graphs as pyg_fusion.data.MultiSourceData, or give "
                                 f"each Data its num_nodes")
            if batch_size is None and isinstance(data, Batch):
                batch_size = data.num_graphs  # counts empty graphs at the end too
    xs = dict(check_sources("xs", xs, lego.sources, shape="[N, d] or [B, N, d]",
                            alt=" or a Data"))
    assign = assign or {}
    if assign and lego.support == "shared":
        raise ValueError("support='shared' builds the sources' graphs on one support "
                         "of the nodes: it takes node-level sources only (no assign)")
    node_level = [s for s in lego.sources if s not in assign]
    if not node_level:
        raise ValueError("at least one source must be at the node level (no assign)")
    for s in lego.sources:
        _check_source(lego, s, xs[s], (2, 3), name(s))
    for s in lego.sources:
        check_like(name(s), xs[s], name(node_level[0]), xs[node_level[0]])
    check_module_input(name(node_level[0]), xs[node_level[0]], lego)
    sizes = {s: tuple(xs[s].shape[:-1]) for s in node_level}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"the sources describe different numbers of units: {sizes}; "
                         "all node-level sources must share the same N (finer "
                         "sources need an assign)")
    return xs, batch, assign, node_level[0], batch_size, mask


def _check_source(lego, s: str, x, dims: tuple[int, ...], name: str | None = None) -> None:
    name = name or f"xs[{s!r}]"
    check_tensor(name, x, dims=dims, floating=True)
    # without a projection the features meet the similarity as given
    limit = None if lego.proj is not None else feature_limit(x, lego.graph.metric)
    check_tensor(name, x, finite=True, max_abs=limit)
    if x.size(-1) != lego.in_channels[s]:
        raise ValueError(f"{name} has width {x.size(-1)}, the model was "
                         f"built for {lego.in_channels[s]}")


def check_graph_inputs(lego, xs) -> None:
    """The features of :meth:`LEGO.relation_graphs <pyg_fusion.nn.LEGO.relation_graphs>`:
    a dict of node-level sources ``[N, d_s]`` of the model (all of them with
    ``support="shared"``, whose one support is built from every source)."""
    check_sources("xs", xs, lego.sources, some=lego.support != "shared")
    for s, x in xs.items():
        _check_source(lego, s, x, (2, ))
    first = next(iter(xs))
    for s, x in xs.items():
        check_like(f"xs[{s!r}]", x, f"xs[{first!r}]", xs[first])
        if x.size(0) != xs[first].size(0):
            raise ValueError(f"the sources describe different numbers of units: "
                             f"{ {k: v.size(0) for k, v in xs.items()} }; relation_graphs "
                             f"takes node-level sources, one row per node")
    check_module_input(f"xs[{first!r}]", xs[first], lego)


def check_input_form(x_ref: Tensor, batch: Tensor | None, assign: dict[str, Tensor],
                     batch_size: int | None, mask: Tensor | None) -> None:
    """Refuses the arguments of the other input form: ``batch``,
    ``batch_size`` and ``assign`` go with ``[N, d]`` sources, ``mask`` with
    padded ``[B, N, d]`` ones (``x_ref``: the first node-level source)."""
    if x_ref.dim() == 3:
        if assign:
            raise ValueError("assign needs the [N, d] + batch input form")
        if batch is not None or batch_size is not None:
            raise ValueError("batch and batch_size go with the [N, d] input form; "
                             "padded [B, N, d] inputs take mask [B, N]")
    elif mask is not None:
        raise ValueError("mask goes with padded [B, N, d] inputs; the [N, d] input "
                         "form takes batch [N]")


def node_batch(xs: dict[str, Tensor], ref: str, batch: Tensor | None,
               assign: dict[str, Tensor], batch_size: int | None) -> Tensor:
    """The checked ``batch`` ``[N]`` of the ``[N, d]`` input form (zeros for
    one graph), with every finer source's ``assign`` checked against it."""
    x_ref = xs[ref]
    n = x_ref.size(0)
    if n == 0:
        raise ValueError("the sources hold no units (N = 0): an empty graph cannot "
                         "be fused (a batch may hold empty graphs beside non-empty ones)")
    if batch is None:
        batch = torch.zeros(n, dtype=torch.long, device=x_ref.device)
    else:  # the dense and sparse backends both need PyG's sorted batch
        # the device first: the sortedness check reads batch's values
        check_like("batch", check_tensor("batch", batch), f"xs[{ref!r}]", x_ref)
        check_batch("batch", batch, n)
    for s, a in assign.items():
        # the device first, as batch's: batch[a] failed in torch naming neither
        check_like(f"assign[{s!r}]", check_tensor(f"assign[{s!r}]", a), f"xs[{ref!r}]", x_ref)
        check_index(f"assign[{s!r}]", a, n, "node ids")
        if a.numel() != xs[s].size(0):
            raise ValueError(f"assign[{s!r}] must have one entry per unit of that "
                             f"source ({xs[s].size(0)}), got {a.numel()}")
        # both backends take the finer units graph by graph
        check_batch(f"batch[assign[{s!r}]] (the graph of each unit of {s!r}: assign must "
                    f"keep the finer units in graph order)", batch[a], a.numel(),
                    unit=f"unit of {s!r}")
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=int(batch[-1]) + 1)
    return batch


# what works where refuse_torch_func refuses
AUTOGRAD = "take gradients with torch.autograd.grad (create_graph=True for second order)"


def refuse_torch_func(what: str, instead: str) -> None:
    """Refuses to run ``what`` (a step on the host: faiss's neighbour search,
    scipy's sparse products, index work in numpy) under a torch.func transform
    (``grad``, ``vmap``, ``jacrev``), whose tensors have no storage for numpy
    to read: the user met "Cannot access data pointer of Tensor that doesn't
    have storage" from deep inside the search. ``instead``: what works."""
    if torch.compiler.is_compiling():
        return
    # torch.func has no public test of a transform being active
    level = getattr(torch._C._functorch, "maybe_current_level", None)
    if level is not None and level() is not None:
        raise RuntimeError(f"{what} runs on the host (faiss's neighbour search, scipy's sparse "
                           f"products), which torch.func's transforms (grad, vmap, jacrev) "
                           f"cannot reach; {instead}")


def refuse_torchscript(module: torch.nn.Module, tracing: bool = False):
    """Refuses TorchScript for LEGO's layers. As their
    ``__prepare_scriptable__``, which ``torch.jit.script`` calls on a module
    and on each of its submodules before compiling: their inputs (dicts of
    sources, ``Data``, :class:`~pyg_fusion.nn.FusedGraph`) and checks are
    Python that TorchScript cannot compile, and its errors named a line of
    the checks ("import statements aren't supported", "Compiled functions
    can't take ... keyword-only arguments"), not the layer. With
    ``tracing``, under ``torch.jit.trace`` (LEGO, GraphPowerExpansion),
    which failed with "the sources describe different numbers of units" or
    "unordered_map::at": a trace fixes sizes that depend on the data."""
    name = type(module).__name__
    why = ("cannot be traced by torch.jit.trace: the sizes of its graphs depend on the data"
           if tracing else
           "cannot be compiled by torch.jit.script: its inputs (dicts of sources, Data, "
           "FusedGraph) and its checks are Python that TorchScript cannot compile")
    raise RuntimeError(f"{name} {why}; use torch.compile(model), which runs LEGO's layers "
                       f"with graph breaks")
