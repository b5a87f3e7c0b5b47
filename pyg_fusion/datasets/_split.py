"""Seeded, stratified train / validation / test node masks for the one-graph
(node = sample) datasets."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from .._option_rules import is_int, is_real


def _round(x: float) -> int:
    # half up, not Python's half-to-even, so that documented sizes are easy to check
    return int(math.floor(x + 0.5))


def check_split(label_rate: float, val_rate: float, test_rate: float,
                seed: int) -> tuple[float, float, float, int]:
    """The arguments of :func:`stratified_masks`, checked on their own: a
    dataset checks its split arguments before any file is touched. Returns
    them with numpy's numbers as Python's (Python's as given): they name the
    processed file, where ``split_seed=np.int64(0)`` named another cache than
    ``0``, of the same graph."""
    for name, rate in (("label_rate", label_rate), ("val_rate", val_rate),
                       ("test_rate", test_rate)):
        if not (is_real(rate) and 0 <= rate <= 1):
            raise ValueError(f"{name} must be a number in [0, 1], got {rate!r}")
    if label_rate == 0:
        raise ValueError("label_rate must be > 0 (at least one training node per class)")
    if val_rate + test_rate >= 1:
        raise ValueError(f"val_rate + test_rate must be < 1, got {val_rate} + {test_rate}")
    if not is_int(seed):
        raise TypeError(f"split_seed must be an int, got {seed!r}")  # 1.7 was read as 1
    return tuple(v.item() if isinstance(v, np.generic) else v
                 for v in (label_rate, val_rate, test_rate, seed))


def stratified_masks(y: Tensor, label_rate: float, *, val_rate: float = 0.1,
                     test_rate: float = 0.2, seed: int = 0,
                     class_names: Sequence[str] | None = None
                     ) -> tuple[Tensor, Tensor, Tensor]:
    """Split the nodes of each class into test, validation and a training
    pool, and label a ``label_rate`` fraction of the pool for training.

    Per class ``c`` with ``n_c`` nodes (a seeded permutation of them):
    ``round(test_rate * n_c)`` (halves round up) test nodes, ``round(val_rate * n_c)`` validation
    nodes, the rest is the pool, of which ``max(1, round(label_rate *
    pool_c))`` are training nodes. Validation and test do not depend on
    ``label_rate``, and for one seed the training nodes of a smaller rate are a
    subset of those of a larger one, so that label rates compare on the same
    test set. Pool nodes that are not training nodes are in no mask (the
    unlabelled nodes of semi-supervised learning).

    ``class_names`` (the original label of each class id) name a class in
    errors.

    Returns:
        ``(train_mask, val_mask, test_mask)``, each ``[N]`` bool.
    """
    if y.dim() != 1 or y.numel() == 0:
        raise ValueError(f"y must be a non-empty 1-D tensor, got shape {tuple(y.shape)}")
    check_split(label_rate, val_rate, test_rate, seed)
    gen = torch.Generator().manual_seed(int(seed))
    n = y.numel()
    train, val, test = (torch.zeros(n, dtype=torch.bool) for _ in range(3))
    for c in torch.unique(y).tolist():
        idx = (y == c).nonzero().view(-1)
        idx = idx[torch.randperm(idx.numel(), generator=gen)]
        n_test = _round(test_rate * idx.numel())
        n_val = _round(val_rate * idx.numel())
        pool = idx[n_test + n_val:]
        if pool.numel() == 0:
            name = f"class {c}" if class_names is None else f"class {class_names[c]!r}"
            raise ValueError(f"{name} has {idx.numel()} node(s): none left for training "
                             f"after val_rate={val_rate} and test_rate={test_rate}")
        test[idx[:n_test]] = True
        val[idx[n_test:n_test + n_val]] = True
        n_train = max(1, _round(label_rate * pool.numel()))
        train[pool[:n_train]] = True
    return train, val, test
