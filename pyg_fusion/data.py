"""``MultiSourceData``: one graph whose units are described by several sources.

Conventions (used by every dataset, layer and figure of pyg_fusion):

* ``x_<source>``: ``[N_source, d_source]`` features of one source. Sources at the
  node level have ``N_source == num_nodes``.
* ``assign_<source>``: for a source at a finer level (frames, patches, tokens)
  ``[N_source]`` long, the node (parent unit) each of its units belongs to.
* ``edge_index_<source>`` / ``edge_weight_<source>``: an optional stored
  relationship graph of that source, on its own units.
* ``y``, ``train_mask``, ``val_mask``, ``test_mask`` as usual in PyG.

Batching (``Batch.from_data_list``) offsets ``assign_<source>`` by the number of
nodes and ``edge_index_<source>`` by the number of that source's units, so that
graphs of different sizes stay separate.
"""
from __future__ import annotations

import torch
from torch_geometric.data import Data


class MultiSourceData(Data):
    """A :class:`torch_geometric.data.Data` holding features of several sources
    (``x_<source>``) of the same units, see the module docstring."""

    @property
    def sources(self) -> list[str]:
        """Sorted names of the sources (the ``x_<source>`` attributes)."""
        return sorted(k[2:] for k in self.keys() if k.startswith("x_"))

    def source(self, name: str) -> torch.Tensor:
        key = f"x_{name}"
        if key not in self:
            raise KeyError(f"no source {name!r}; sources are {self.sources}")
        return self[key]

    def __inc__(self, key, value, *args, **kwargs):
        if key.startswith("assign_"):
            return self.num_nodes
        if key.startswith("edge_index_"):
            x = self.get(f"x_{key[len('edge_index_'):]}")
            return x.size(0) if x is not None else self.num_nodes
        return super().__inc__(key, value, *args, **kwargs)

    def __cat_dim__(self, key, value, *args, **kwargs):
        if key.startswith("edge_index_"):
            return -1
        return super().__cat_dim__(key, value, *args, **kwargs)


# Datasets save and load MultiSourceData with torch.load(weights_only=True):
# register the class so that loading neither warns nor falls back to unsafe
# unpickling.
torch.serialization.add_safe_globals([MultiSourceData])
