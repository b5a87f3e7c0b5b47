"""``MultiSourceData.subgraph``: the nodes a subset keeps, with each source's
finer-level units and its own graph kept aligned to them (PyG's
``Data.subgraph`` relabels ``edge_index`` only)."""
from __future__ import annotations

import copy

import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import subgraph

from ._data_checks import check_subset
from ._source_keys import _followed, rebatched

# a VAD video's snippets and frames (pyg_fusion.datasets.VADFeatures), not its segments
_VIDEO_KEYS = ("num_snippets", "snippet_segment", "num_frames", "frame_gt")


def select_nodes(data, subset: torch.Tensor):
    """:meth:`pyg_fusion.data.MultiSourceData.subgraph` of ``data``, see there."""
    video = [k for k in _VIDEO_KEYS if k in data]
    if video:
        # they count and map the whole video's snippets and frames: kept,
        # they were stale (frame_gt of frames whose segments were dropped)
        raise ValueError(f"subgraph selects nodes, but this graph is a VAD video with "
                         f"{video}, which describe all of its snippets and frames; "
                         f"delete them first ({'; '.join(f'del data.{k}' for k in video)}) "
                         f"to select segments")
    n = data.num_nodes
    subset = torch.as_tensor(subset)
    if subset.dtype == torch.bool:
        if subset.shape != (n, ):
            raise ValueError(f"subset: a bool mask must have shape [{n}] (num_nodes), got "
                             f"{tuple(subset.shape)}")
        subset = subset.nonzero().view(-1)
    elif subset.dim() != 1 or subset.is_floating_point():
        raise ValueError(f"subset must be 1-D node indices or a bool mask, got "
                         f"{subset.dtype} {tuple(subset.shape)}")
    subset = check_subset(subset.long(), n)
    new_node = torch.full((n, ), -1, dtype=torch.long, device=subset.device)
    new_node[subset] = torch.arange(subset.numel(), device=subset.device)
    own = {}
    # a graph edge_index_<s> without x_<s> is on the nodes (as it batches)
    for s in sorted({*data.sources, *data.num_source_edges}):
        x, assign = data.get(f"x_{s}"), data.get(f"assign_{s}")
        if assign is None:  # node-level: unit i is node i
            keep, units = subset, n
        else:
            new_parent = new_node.to(assign.device)[assign]
            kept = (new_parent >= 0).nonzero().view(-1)
            keep = kept[torch.sort(new_parent[kept], stable=True).indices]
            units = assign.numel()
            own[f"assign_{s}"] = new_parent[keep]
        if x is not None:
            own[f"x_{s}"] = x[keep.to(x.device)]
        edges = data.get(f"edge_index_{s}")
        if edges is None:
            continue
        own[f"edge_index_{s}"], _, stay = subgraph(
            keep.to(edges.device), edges, relabel_nodes=True, num_nodes=units,
            return_edge_mask=True)
        for key in (f"edge_weight_{s}", f"edge_attr_{s}"):
            if isinstance(data.get(key), torch.Tensor):
                own[key] = data[key][stay.to(data[key].device)]
    # PyG would select these as node or edge attributes by their size;
    # the store is edited directly, so that no count follows a half-done graph
    rest = copy.copy(data)
    # a Batch's ptr and follow_batch vectors too: PyG kept the old ones (or,
    # of as many entries as the nodes, took them for node attributes)
    keys = set(rest._store.keys())
    batched = [k for k in keys if k == "ptr" or _followed(k, keys)] \
        if isinstance(data, Batch) else []
    for key in [*own, *batched]:
        rest._store.pop(key, None)
    out = Data.subgraph(rest, subset)
    for key, value in own.items():
        out._store[key] = value
    out._store["num_nodes"] = subset.numel()
    out.__dict__["_num_nodes_from_sources"] = data.__dict__.get("_num_nodes_from_sources")
    if isinstance(data, Batch):
        rebatched(out, batched)
    return out
