"""The sources of any :class:`~torch_geometric.data.Data` read from its keys
(:func:`source_names`) and the graph of each of a source's units in a batch
(:func:`source_batch`); :mod:`pyg_fusion.data` states the conventions."""
from __future__ import annotations

import torch
from torch_geometric.data import Data


def source_names(data: Data) -> list[str]:
    """Sorted names of the sources of any :class:`~torch_geometric.data.Data`:
    its ``x_<source>`` attributes, less the ``x_<source>_batch`` /
    ``x_<source>_ptr`` vectors that PyG's ``follow_batch`` adds.

    Args:
        data (torch_geometric.data.Data): the data (or batch).
    """
    return _names(set(data.keys()))


def _names(keys) -> list[str]:
    # source_names of the keys (a set, or a storage: a mapping of one store)
    return sorted(k[2:] for k in keys if k.startswith("x_") and not _followed(k, keys))


def _followed(key: str, keys: set[str]) -> bool:
    # the <attr>_batch / <attr>_ptr vector of follow_batch=[<attr>], not a
    # source x_<source> or graph edge_index_<source> of its own
    return key.endswith(("_batch", "_ptr")) and key.rsplit("_", 1)[0] in keys


def _source_values(key: str, keys) -> bool:
    # a source's features or a stored graph's weights (x_<source>,
    # edge_weight_<source>, edge_attr_<source>): values, never offset when
    # batching, whatever the source's name
    return key.startswith(("x_", "edge_weight_", "edge_attr_")) and not _followed(key, keys)


def source_batch(data: Data, source: str) -> torch.Tensor | None:
    """The graph of each unit of ``source`` in a batch (``None`` for one
    graph), so that graphs built per unit never link two graphs:
    ``x_<source>_batch`` when PyG's ``follow_batch`` made it, else
    ``data.batch``, through ``assign_<source>`` for a finer-level source
    (which :class:`MultiSourceData` offsets when it batches).

    Args:
        data (torch_geometric.data.Data): the data (or batch).
        source (str): the source's name.
    """
    followed = data.get(f"x_{source}_batch")
    if isinstance(followed, torch.Tensor):
        return followed
    batch = data.get("batch")
    if not isinstance(batch, torch.Tensor):
        return None
    assign = data.get(f"assign_{source}")
    return batch if assign is None else batch[assign]


def rebatched(out, removed: list[str]) -> None:
    """Of the subgraph ``out`` of a Batch, whose ``ptr`` and ``follow_batch``
    vectors (``removed``) described the old graphs: each source's
    ``x_<source>_batch`` / ``_ptr`` and ``ptr`` again, counting the kept units
    of each graph (no ``_ptr`` where the subset interleaves the graphs; other
    followed vectors are dropped), and the batch's record of where each graph
    lies dropped too: it sliced the old graphs' sizes (``get_example``,
    ``to_data_list``), which are now PyG's error that the batch was not made
    by ``Batch.from_data_list``.

    Args:
        out (torch_geometric.data.Batch): the subgraph, edited in place.
        removed (list[str]): the keys of the vectors taken out of it.
    """
    store = out._store
    vectors = {"": "batch"} if isinstance(out.get("batch"), torch.Tensor) else {}
    vectors.update({k[:-len("batch")]: k for k in removed if k.startswith("x_")
                    and k.endswith("_batch") and k[:-len("_batch")] in store})
    for prefix, key in vectors.items():
        graph = source_batch(out, prefix[2:-1]) if prefix else out.batch
        if prefix:
            store[key] = graph
        if bool((graph[1:] >= graph[:-1]).all()):
            counts = torch.bincount(graph, minlength=out.num_graphs)
            store[f"{prefix}ptr"] = torch.cat([counts.new_zeros(1), counts.cumsum(0)])
    for key in ("_slice_dict", "_inc_dict"):  # PyG's store keeps them, or the
        out.__dict__.pop(key, None)             # batch (RelationGraphs on a Batch)
        store.__dict__.pop(key, None)
