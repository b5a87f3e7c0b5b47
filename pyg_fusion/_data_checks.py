"""The checks :meth:`MultiSourceData.validate <pyg_fusion.data.MultiSourceData.validate>`
adds to PyG's: those of each source, its assignment to the nodes and its
stored graph."""
from __future__ import annotations

import torch
from torch_geometric.data.data import warn_or_raise

from ._source_keys import _followed

# integer dtypes too narrow for ids: a batch offsets them by the nodes (units)
# of the graphs before them, and they wrap around silently (uint8 past 255)
NARROW = (torch.uint8, torch.int8, torch.int16)


def _narrow_ids(key: str, value) -> str:
    return (f"'{key}': {value.dtype} is too narrow for ids (batched, they are offset by "
            f"the units of the graphs before and wrap around silently); store them as "
            f"torch.long")


def validate_sources(data, raise_on_error: bool = True) -> bool:
    """Whether every ``x_<source>``, ``assign_<source>`` and
    ``edge_index_<source>`` (with its ``edge_weight_<source>`` /
    ``edge_attr_<source>``) of ``data`` is consistent; raises a
    :class:`ValueError` at the first problem, or warns of each."""

    status = True
    name, n = data.__class__.__name__, data.num_nodes

    def fail(msg: str) -> None:
        nonlocal status
        status = False
        warn_or_raise(f"{msg} in '{name}'", raise_on_error)

    def ids(key: str, value, shape: str, below: int | None, what: str) -> bool:
        if not isinstance(value, torch.Tensor) or value.is_floating_point() \
                or value.is_complex() or value.dtype == torch.bool:
            fail(f"'{key}' must be an integer tensor {shape}, got "
                 f"{getattr(value, 'dtype', type(value).__name__)}")
            return False
        if value.dtype in NARROW:
            fail(_narrow_ids(key, value))
            return False
        if value.numel() and int(value.min()) < 0:
            fail(f"'{key}' contains negative indices (found {int(value.min())})")
        elif value.numel() and below is not None and int(value.max()) >= below:
            fail(f"'{key}' contains larger indices than {what} ({below}) (found "
                 f"{int(value.max())})")
        return True

    for s in data.sources:
        x, assign = data[f"x_{s}"], data.get(f"assign_{s}")
        rows = x.size(0) if isinstance(x, torch.Tensor) and x.dim() else None
        if rows is None:
            fail(f"'x_{s}' must be a tensor [N_{s}, ...], got "
                 f"{getattr(x, 'shape', type(x).__name__)}")
        elif assign is None and n is not None and rows != n:
            fail(f"'x_{s}' has {rows} rows, but num_nodes is {n} (a source without "
                 f"'assign_{s}' has one row per node)")
        if assign is not None and ids(f"assign_{s}", assign, f"[N_{s}]", n,
                                      "the number of nodes"):
            if assign.dim() != 1 or (rows is not None and assign.numel() != rows):
                fail(f"'assign_{s}' needs to be of shape [{rows}] (one node per row of "
                     f"'x_{s}'), found {tuple(assign.shape)}")
            elif assign.dtype != torch.long:
                # LEGO's check_index refuses it (int32 batches without wrapping
                # around, so the batching offsets take it)
                fail(f"'assign_{s}' must be torch.long (node ids), got {assign.dtype}")
    keys = set(data.keys())
    for key in data.keys():
        if not key.startswith("edge_index_") or _followed(key, keys):
            continue
        s, edges = key[len("edge_index_"):], data[key]
        x = data.get(f"x_{s}")
        units = x.size(0) if isinstance(x, torch.Tensor) and x.dim() else n
        if not ids(key, edges, "[2, num_edges]", units,
                   f"the rows of 'x_{s}'" if x is not None else "the number of nodes"):
            continue
        if edges.dim() != 2 or edges.size(0) != 2:
            fail(f"'{key}' needs to be of shape [2, num_edges], found "
                 f"{tuple(edges.shape)}")
            continue
        for other in (f"edge_weight_{s}", f"edge_attr_{s}"):
            value = data.get(other)
            if isinstance(value, torch.Tensor) and (value.dim() == 0
                                                    or value.size(0) != edges.size(1)):
                fail(f"'{other}' needs {edges.size(1)} rows (the edges of '{key}'), "
                     f"found {tuple(value.shape)}")
    return status


def check_offset_ids(data, key: str, value, units: int | None, what: str) -> int | None:
    """``units``, the offset of ``key`` when ``data`` is batched, once its ids
    are checked to lie in ``[0, units)``: an id beyond would point into the
    next graph of the batch, linking the graphs without a word."""
    if isinstance(value, torch.Tensor) and value.dtype in NARROW:
        raise ValueError(f"{data.__class__.__name__}: cannot batch {_narrow_ids(key, value)}")
    if isinstance(value, torch.Tensor) and value.numel() and units is not None:
        low, high = (int(v) for v in torch.aminmax(value))  # one pass over the ids
        if low < 0 or high >= units:
            # PyG's transforms that select nodes (T.RemoveIsolatedNodes,
            # T.FixedPoints) find node attributes by their size: they leave a
            # finer source's units and ids, and the graphs per source, as they were
            raise ValueError(
                f"{data.__class__.__name__}: cannot batch '{key}': its ids span [{low}, "
                f"{high}], but the graph has {units} {what}; in a batch they would point "
                f"into other graphs. PyG's transforms that select nodes "
                f"(T.RemoveIsolatedNodes, T.FixedPoints) leave assign_<source> and "
                f"edge_index_<source> unchanged: select nodes with "
                f"MultiSourceData.subgraph(subset), which keeps every source aligned")
    return units


def check_node_rows(data, key: str, value: torch.Tensor) -> None:
    """Checks that ``key``, a node-level source of ``data`` being batched, has
    as many rows as the other node-level sources: the batch vector counts one
    source's rows, and the rest slid into the next graph without a word."""
    n = data._source_num_nodes()
    if n is not None and value.size(0) != n and key[2:] in data.sources:
        first = next(s for s in data.sources if f"assign_{s}" not in data)
        raise ValueError(f"{data.__class__.__name__}: cannot batch '{key}': it has "
                         f"{value.size(0)} rows, but 'x_{first}' has {n}; a source "
                         f"without 'assign_{key[2:]}' has one row per node")


def check_subset(subset: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """``subset``, node ids of :meth:`MultiSourceData.subgraph`, once each id
    is checked to be a node (``[0, num_nodes)``: a negative one would count
    from the end) and to occur once (a node kept twice would be two nodes, of
    which one alone keeps its finer units and edges)."""
    if subset.numel():
        low, high = int(subset.min()), int(subset.max())
        if low < 0 or high >= num_nodes:
            raise ValueError(f"subset holds node ids outside [0, {num_nodes}) (min {low}, "
                             f"max {high}); expected ids of the graph's nodes")
        ids, counts = torch.unique(subset, return_counts=True)
        if bool((counts > 1).any()):
            raise ValueError(f"subset holds node {int(ids[counts > 1][0])} more than once; "
                             f"the induced subgraph keeps each node once")
    return subset
