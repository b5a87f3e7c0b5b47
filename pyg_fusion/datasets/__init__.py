"""Datasets of pyg_fusion (PyG ``InMemoryDataset``\\ s of
:class:`~pyg_fusion.data.MultiSourceData`)."""
from .digits import MultiFeatureDigits
from .tables import MultiViewTables

__all__ = [
    "MultiFeatureDigits",
    "MultiViewTables",
]
