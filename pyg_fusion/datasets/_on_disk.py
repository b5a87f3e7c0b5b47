"""On-disk copies of a :class:`~pyg_fusion.datasets._base.FusionDataset`
(PyG's :meth:`~torch_geometric.data.InMemoryDataset.to_on_disk_dataset`),
each in a folder of its own graphs."""
from __future__ import annotations

import os
import os.path as osp
from typing import Callable

from .._files import read_json, write_json
from ._cache_names import options_hash

# beside PyG's processed/ folder: which graphs the database holds
_MADE_OF = "pyg_fusion_graphs.json"


def on_disk_copy(ds, convert: Callable, root: str | None, backend: str, log: bool):
    """``convert(root, backend, log)`` (PyG's conversion) of the graphs of
    ``ds`` into a folder of their own. PyG loads a database already in
    ``root`` as it is: the copy of another split, setting or subset (every
    one of them at PyG's default ``root/on_disk``) came back in place of
    this one's without a word. The default root is a folder per processed
    file, selection of its graphs and their attributes (PyG's schema: one
    processed file read with fewer modalities makes graphs of fewer columns,
    whose database the full graphs then read as "no such column"), and a root
    holding a database of other graphs (or of a conversion cut short) is an
    error."""
    made_of = {"processed": osp.basename(ds.processed_paths[0]),
               "graphs": None if ds._indices is None
               else options_hash([int(i) for i in ds.indices()]),
               "schema": options_hash(_schema(ds.get(0)))}
    if root is None and ds.root is not None:
        root = osp.join(ds.root, "on_disk", options_hash(made_of))
    if root is not None:
        root = osp.expanduser(root)
        processed = osp.join(root, "processed")
        if osp.isdir(processed) and os.listdir(processed):
            stamp = osp.join(root, _MADE_OF)
            held = read_json(stamp) if osp.isfile(stamp) else None
            if held != made_of:
                what = (f"graphs of {held['processed']}" + (" (a selection)" if held["graphs"]
                                                            else "")
                        + ("" if held.get("schema") == made_of["schema"] else
                           " with other attributes" if "schema" in held else
                           " of attributes unrecorded (a copy of an older version)")
                        if isinstance(held, dict) and "processed" in held else
                        f"graphs unknown (no {_MADE_OF}: another conversion, or one cut short)")
                raise ValueError(f"to_on_disk_dataset: {root} already holds a database, of "
                                 f"{what}, which PyG would load as the graphs of "
                                 f"{ds!r} without a word: give another root, or delete "
                                 f"that folder")
    out = convert(root, backend, log)
    # an attribute of this object: PyG's class is made inside its method
    out.deserialize = type(ds.get(0)).from_dict
    if root is not None:
        write_json(osp.join(root, _MADE_OF), made_of)
    return out


def _schema(data) -> dict:
    """What PyG's schema is made of: each attribute's type, or a tensor's
    dtype and size (-1 along the dimension graphs are concatenated in)."""
    out = {}
    for key, value in data.to_dict().items():
        if hasattr(value, "dtype") and hasattr(value, "dim"):
            size = list(value.size())
            if size:
                size[data.__cat_dim__(key, value)] = -1
            out[key] = [str(value.dtype), size]
        else:
            out[key] = type(value).__name__
    return out
