"""The arguments every pyg_fusion dataset takes, checked before any file is
touched: PyG's (root, transforms, force_reload, log), a generator's seed and a
one-graph dataset's standardize."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from .._option_rules import is_int
from ._io import check_root
from ._named_sources import check_index_col_files


def check_seed(seed) -> int:
    """A generator's ``seed``: an int that numpy accepts, ``[0, 2**32)``."""
    if not is_int(seed) or not 0 <= seed < 2 ** 32:
        raise ValueError(f"seed must be an int in [0, 2**32) (numpy's seeds), got {seed!r}")
    return int(seed)  # numpy's integers too, as check_int: plain in configs


def check_transductive_standardize(standardize) -> bool:
    """A one-graph dataset's ``standardize``: ``True`` or ``False`` (``bool()``
    took ``"no"``, or a fitted :class:`StandardizeSources` meant to apply its
    own statistics, as ``True``: z-scoring over every row instead)."""
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be True or False, got {standardize!r} (for "
                        f"statistics of your own, pass a StandardizeSources as transform)")
    return bool(standardize)


def check_dataset_args(root, transform=None, pre_transform=None, pre_filter=None,
                       force_reload=False, log=True) -> str:
    """The arguments every dataset takes from PyG, checked before any file is
    touched; returns ``root`` (:func:`check_root`). A ``force_reload`` of
    ``"no"`` was true (the data generated again), a ``log`` of ``"no"``
    printed the progress; a
    transform that is no callable failed as ``'int' object is not callable``
    on first access, a ``pre_transform`` once the data was generated."""
    for name, f in (("transform", transform), ("pre_transform", pre_transform),
                    ("pre_filter", pre_filter)):
        if f is not None and not callable(f):
            raise TypeError(f"{name} must be a callable (a function or a transform) or None, "
                            f"got {f!r}")
    for name, flag in (("force_reload", force_reload), ("log", log)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    return check_root(root)


def check_index_mask(idx, length: int):
    """``idx`` of ``dataset[idx]`` (PyG's ``index_select``), a list or tuple
    of bools as the mask it is: PyG read it as indices, ``True`` / ``False``
    as 1 / 0 (``ds[[v.startswith("Normal") for v in names]]`` or
    ``ds[[g.y == 0 for g in ds]]`` gave graphs 0 and 1, repeated, without a
    word). A mask (also a bool tensor or array)
    of another length than the dataset's ``length`` is refused: PyG selected
    from its first entries; so is an index out of range, by name."""
    if isinstance(idx, Sequence) and not isinstance(idx, str) and len(idx) and \
            all(isinstance(i, (bool, np.bool_)) or isinstance(i, torch.Tensor)
                and i.dtype == torch.bool and i.numel() == 1 for i in idx):
        # one-element bool tensors too: [g.y == 0 for g in ds]
        idx = torch.tensor([bool(i) for i in idx])
    if isinstance(idx, (torch.Tensor, np.ndarray)) and idx.dtype in (torch.bool, np.bool_):
        size = idx.numel() if isinstance(idx, torch.Tensor) else idx.size
        if size != length:
            raise IndexError(f"a bool mask of the dataset must have one entry per graph "
                             f"({length}), got {size}")
        return idx
    # PyG's own error named neither the index nor the length: 'range object
    # index out of range'. A tensor or array is checked by its min and max
    # (its entries one by one in Python took longer than PyG's selection)
    if isinstance(idx, (torch.Tensor, np.ndarray)):
        ints = []
        if _is_integer(idx) and math.prod(idx.shape):  # not empty
            low, high = int(idx.min()), int(idx.max())
            if low < -length or high >= length:  # the first one named, as in a list
                ints = idx.reshape(-1).tolist()
    else:
        ints = idx if isinstance(idx, Sequence) and not isinstance(idx, str) else []
    bad = [i for i in ints if isinstance(i, (int, np.integer)) and not -length <= i < length]
    if bad:
        raise IndexError(f"index {bad[0]} is out of range for a dataset of {length} graphs")
    return idx


def check_item_index(idx, length: int) -> None:
    """``idx`` of ``dataset[idx]`` when it is one item (PyG's test: an int or
    a 0-dim tensor): a bool is refused, which PyG read as the graph 1 or 0
    (``ds[g.y == 0]`` gave graph 1), and an index out of range is named, as in
    a list (PyG's error was 'range object index out of range')."""
    one = isinstance(idx, torch.Tensor) and idx.dim() == 0
    if isinstance(idx, (bool, np.bool_)) or one and idx.dtype == torch.bool:
        raise IndexError(f"dataset[idx]: idx is a bool ({bool(idx)}), which PyG reads as the "
                         f"graph {int(idx)}; index with an int, or select with a bool mask of "
                         f"one entry per graph ({length})")
    if one and _is_integer(idx):
        idx = int(idx)
    if isinstance(idx, (int, np.integer)) and not -length <= idx < length:
        raise IndexError(f"index {idx} is out of range for a dataset of {length} graphs")


def _is_integer(idx) -> bool:
    if isinstance(idx, torch.Tensor):
        return not (idx.is_floating_point() or idx.is_complex())
    return np.issubdtype(idx.dtype, np.integer)


def per_file_index_col(index_col, files: list[str]):
    """A tables dataset's ``index_col``: one value for every text file (a
    column number, :obj:`None` or ``"auto"``), or ``{file: value}`` keyed by
    view name or ``"labels"`` (a file not named: ``"auto"``), for files that
    differ (ids in one, none in another, which one number would have cut a
    feature column from); column numbers as plain ints (the cache key)."""
    def one(key, value):
        if isinstance(value, str) and value == "auto" or value is None:
            return value
        if is_int(value) and value >= 0:
            return int(value)
        raise ValueError(f"index_col{key} must be a column number >= 0, None or 'auto', got "
                         f"{value!r}")
    if not isinstance(index_col, Mapping):
        return one("", index_col)
    check_index_col_files(index_col, files)
    return {k: one(f"[{k!r}]", v) for k, v in index_col.items()}


def index_col_of(index_col, file: str):
    """The ``index_col`` (:func:`per_file_index_col`) of ``file``."""
    return index_col.get(file, "auto") if isinstance(index_col, Mapping) else index_col


class CheckedIndex:
    """PyG's ``dataset[idx]`` and :meth:`index_select` (a mix-in before PyG's
    :class:`~torch_geometric.data.Dataset`), with the index checked first
    (:func:`check_item_index`, :func:`check_index_mask`) and a transform
    that returned nothing refused by name."""

    def index_select(self, idx):
        return super().index_select(check_index_mask(idx, len(self)))

    def __getitem__(self, idx):
        if isinstance(idx, np.ndarray) and idx.ndim == 0:
            # PyG's np.isscalar is False for a 0-dim array: ds[np.array(2)] was a
            # dataset of one graph (as ds[[2]]), not the graph of ds[np.int64(2)]
            idx = idx[()]
        check_item_index(idx, len(self))
        out = super().__getitem__(idx)
        if out is None:  # no return in the transform: PyG's DataLoader said 'invalid type'
            raise TypeError(f"transform must return the transformed graph, got None (from "
                            f"{self.transform!r}); a transform that changes the data in "
                            f"place must still return it")
        return out
