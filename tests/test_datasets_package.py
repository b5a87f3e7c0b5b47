"""The datasets package says what kind of dataset each of its classes is."""
import re

import torch.utils.data
from torch_geometric.data import Dataset, InMemoryDataset

import pyg_fusion.datasets as datasets


def _named(text: str) -> set[str]:
    return set(re.findall(r":class:`(\w+)`", text))


def test_docstring_names_each_dataset_with_its_kind():
    """The docstring said every dataset was a PyG InMemoryDataset of
    MultiSourceData; the RGB-D scenes are plain torch Datasets of dicts and a
    translation folder a PyG Dataset read lazily."""
    doc = datasets.__doc__
    graph, images = doc.split("The image tasks' datasets")
    kinds = {name: "graph" for name in _named(graph) if hasattr(datasets, name)}
    for bullet in images.split("\n* ")[1:]:  # "* :class:`A` and :class:`B`: <kind>"
        head, _, kind = bullet.partition("`: ")
        kinds.update(dict.fromkeys(_named(head + "`"), " ".join(kind.split())))
    exported = {n for n in dir(datasets) if isinstance(getattr(datasets, n), type)
                and issubclass(getattr(datasets, n), torch.utils.data.Dataset)}
    assert set(kinds) == exported
    for name, kind in kinds.items():
        cls = getattr(datasets, name)
        if kind == "graph" or "InMemoryDataset" in kind:
            assert issubclass(cls, InMemoryDataset), name
        elif "torch.utils.data.Dataset" in kind:
            assert not issubclass(cls, Dataset), name
        else:
            assert issubclass(cls, Dataset) and not issubclass(cls, InMemoryDataset), name
