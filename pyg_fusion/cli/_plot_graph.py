"""The graph a figure of ``pyg-fusion plot`` draws, read from a file or a
data set: a saved graph (loaded safely, its weights checked), graph ``index``
of a data set as ``pyg-fusion train`` loads it, its node count, and a seeded
subset of a large graph's nodes; the node-link figure's refusals in plot's flags."""
from __future__ import annotations

from . import CLIError

# CLI name -> class name in pyg_fusion.datasets (looked up when used, so that a
# data set not installed yet gives a clear error, not an import failure).
DATASETS = {"digits": "MultiFeatureDigits", "synthetic-vad": "SyntheticVAD"}


def _check_weights(path: str, data) -> None:
    """The saved graph's edge weights are finite and one per edge, by the figure's own rule of
    which attribute is a weight (:func:`~pyg_fusion.visualize._pyg_objects.plain_graph`
    for a plain PyG graph: ``edge_weight``, else a one-per-edge ``edge_attr``,
    else from_networkx's ``weight``; for a source's stored graph
    :func:`~pyg_fusion.visualize._pyg_objects.edge_weights`: ``edge_weight_<source>``,
    else a one-per-edge ``edge_attr_<source>``), its error naming the flag and
    the file: the figure's named neither."""
    from ..visualize._pyg_objects import checked_weights, edge_count, edge_weights, plain_graph
    from ..data import source_names
    try:
        if is_plain(data):
            plain_graph(data)
        for s in source_names(data):
            checked_weights(*edge_weights(data, f"_{s}"), edge_count(data.get(f"edge_index_{s}")))
    except ValueError as exc:
        raise CLIError(f"--input {path}: {exc}") from None


def node_count(data) -> int:
    """The number of nodes: the stored ``num_nodes``, else the length of
    ``y`` where a source has as many units (a graph's one label is no node
    count), else the fewest units of any source (finer levels have more)."""
    import torch
    if "num_nodes" in data._store:
        return int(data.num_nodes)
    if is_plain(data) and data.num_nodes is not None:
        return int(data.num_nodes)  # PyG's count: x, else edge_index
    from ..data import source_names
    sizes = [data[f"x_{s}"].size(0) for s in source_names(data)]
    y = data.get("y")
    if torch.is_tensor(y) and y.dim() >= 1 and y.size(0) in sizes:
        return y.size(0)
    if not sizes:
        raise CLIError("the graph holds no source (x_<source>)")
    return min(sizes)


def is_plain(data) -> bool:
    """Whether ``data`` is a plain PyG graph (its own ``edge_index``, no
    sources ``x_<source>``)."""
    from ..data import source_names
    return not source_names(data) and data.get("edge_index") is not None


def load_saved_graph(path: str):
    """A ``Data`` saved with ``torch.save(data, path)``, loaded with
    ``weights_only=True`` (no arbitrary code runs) and PyG's storage classes
    allowed."""
    from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
    from torch_geometric.data.feature_store import TensorAttr
    from torch_geometric.data.graph_store import EdgeAttr
    from torch_geometric.data.storage import EdgeStorage, GlobalStorage, NodeStorage

    from .._loading import load_torch
    allowed = (DataEdgeAttr, DataTensorAttr, GlobalStorage, NodeStorage, EdgeStorage,
               TensorAttr, EdgeAttr)
    try:
        return load_torch(path, what="--input", allowed=allowed)
    except ValueError as exc:
        if _holds_batch(path):
            raise ValueError(
                f"--input {path} holds a PyG Batch, whose class (DataBatch) is made when "
                f"a batch is, which a safe load (weights_only=True) cannot read: save it as "
                f"a Data, torch.save(Data.from_dict(batch.to_dict()), path) (its graphs "
                f"drawn side by side, unlinked), or one of its graphs, "
                f"torch.save(batch[i], path)") from exc
        if _holds_attr_cache(path):
            raise ValueError(
                f"--input {path} holds PyG's cache of the graph's attribute kinds (a "
                f"defaultdict of AttrType, which PyG fills in e.g. T.ToUndirected), which a "
                f"safe load "
                f"(weights_only=True) cannot read: save the graph without it, "
                f"torch.save(type(data).from_dict(data.to_dict()), path)") from exc
        raise


def _holds_batch(path: str) -> bool:
    """Whether the saved graph at ``path`` is a PyG ``Batch`` (a
    ``DataLoader``'s), found by the pickle's bytes alone, as
    :func:`_holds_attr_cache`."""
    from ._plot_run_files import torch_pickle
    raw = torch_pickle(path)
    return raw is not None and b"DynamicInheritanceGetter" in raw


def _holds_attr_cache(path: str) -> bool:
    """Whether the saved graph at ``path`` holds PyG's cache of its
    attributes' kinds (``_cached_attr``: a defaultdict of ``AttrType``), found
    by the pickle's bytes alone (nothing is loaded): torch's
    get_unsafe_globals_in_checkpoint came with torch 2.6, after our floor."""
    from ._plot_run_files import torch_pickle
    raw = torch_pickle(path)  # None: not a torch file, load_torch's error stands
    return raw is not None and b"torch_geometric.data.storage" in raw and b"AttrType" in raw


def check_graph_dataset_name(name: str) -> None:
    """Refuses a ``--dataset`` of no graph figure (:data:`DATASETS`)."""
    if name not in DATASETS:
        raise CLIError(f"--dataset must be one of {sorted(DATASETS)}, got {name!r}")


def check_source_flags(source: str | None, sources: str | None, have: list[str]) -> None:
    """Refuses a ``--source`` / ``--sources`` (comma-separated) that names no
    source of the graph (``have``): checked by plot's check against the
    sources of a named data set (before it loads), and by the figure against
    the graph it read."""
    if source and source not in have:
        raise CLIError(f"--source {source!r} is not in the graph; its sources are {have}")
    bad = [s for s in (t.strip() for t in (sources or "").split(",")) if s and s not in have]
    if bad:
        raise CLIError(f"--sources: {bad} not in the graph; it has {have}")


def load_dataset_graph(name: str, root: str | None, index: int = 0,
                       force_reload: bool = False):
    """Graph ``index`` of the data set ``name`` (see :data:`DATASETS`), with
    the folders and options of ``pyg-fusion train``: ``ROOT/digits``
    (standardised views), ``ROOT/synthetic_vad`` (test videos);
    ``force_reload``: ``--force-reload``, the dataset's own argument."""
    root = "runs/data" if root is None else root  # pyg-fusion train's default
    check_graph_dataset_name(name)
    # the one loading path of the commands: train's folders, options and caches
    from ..experiments.data import DataConfig, load_data
    td = load_data(DataConfig(dataset=name, root=root), force_reload=force_reload)
    ds = [td.graph] if td.task == "node" else td.test
    if not 0 <= index < len(ds):
        raise CLIError(f"--index must be in [0, {len(ds)}) for {name}, got {index}")
    return ds[index], f"{name}[{index}]"


def subsample(data, max_nodes: int | None, seed: int = 0, *, return_index: bool = False):
    """At most ``max_nodes`` nodes (a seeded random subset, in their original
    order) of the node-level sources, their stored graphs
    (``edge_index_<source>``: the edges between kept nodes, relabelled), labels
    and masks; finer-level sources are dropped from a subset. A plain PyG
    graph: :meth:`~torch_geometric.data.Data.subgraph` of the subset."""
    import torch
    n = node_count(data)
    if max_nodes is None or n <= max_nodes:
        return (data, "", None) if return_index else (data, "")
    if max_nodes < 2:
        raise CLIError(f"--max-nodes must be >= 2, got {max_nodes}")
    idx = torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:max_nodes]
    idx = idx.sort().values
    if is_plain(data):  # PyG's: node and edge attributes, edges between kept nodes
        out = data.subgraph(idx)
    else:
        out = _source_subgraph(data, idx, n)
    out.num_nodes = max_nodes
    note = f", {max_nodes} of {n} nodes"
    return (out, note, idx) if return_index else (out, note)


def _source_subgraph(data, idx, n: int):
    """The node-level sources of ``data`` on the nodes ``idx`` (of ``n``), their
    stored graphs between kept nodes (relabelled), labels and masks."""
    from torch_geometric.utils import subgraph
    from ..visualize._pyg_objects import edge_weights
    import torch
    out = type(data)()
    for key in data.keys():
        value = data[key]
        if key.startswith("x_") and value.size(0) == n:
            out[key] = value[idx]
            edges = data.get(f"edge_index_{key[2:]}")
            if edges is not None:  # drawn as the graph of this source, as the API draws it
                weight_key, weight = edge_weights(data, f"_{key[2:]}")
                out[f"edge_index_{key[2:]}"], kept = subgraph(
                    idx, edges, weight, relabel_nodes=True, num_nodes=n)
                if weight is not None:
                    out[weight_key] = kept
        elif key in ("y", "train_mask", "val_mask", "test_mask") and \
                torch.is_tensor(value) and value.size(0) == n:
            out[key] = value[idx]
        elif key == "class_names":  # the names of y's classes, which a subset keeps
            out[key] = value
    return out


def node_link_figure(draw):
    """``draw()``, a :func:`~pyg_fusion.visualize.plot_relation_graph` call,
    whose refusal of a graph too large for its layout advises ``plot``'s flags
    (``--layout``, ``--top-k``, ``--max-nodes``), worded here from what the
    refusal counted, not the Python arguments it names (``layout='circular'``,
    ``pos=``, ``top_k``), which a user of the command cannot pass."""
    from ..visualize._common import TooLargeError
    from ..visualize.graph import SPRING_MAX_NODES
    try:
        return draw()
    except TooLargeError as exc:
        if exc.what == "edges":
            flags = "use --top-k, or a smaller --max-nodes"
        elif exc.limit == SPRING_MAX_NODES:  # the circular and temporal layouts draw more
            flags = "use --layout circular or temporal, or a smaller --max-nodes"
        else:
            flags = "use a smaller --max-nodes"
        raise CLIError(f"{exc.fact}{flags}") from exc
