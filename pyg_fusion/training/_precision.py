"""A PyG batch under Lightning's true precisions (``"64-true"``,
``"16-true"``, ``"bf16-true"``), which convert the model's parameters and
the floating tensors of a batch they can walk: tensors, mappings, sequences
and dataclasses. A PyG :class:`~torch_geometric.data.Data` or ``Batch`` is
none of them, so its features reached a float64 model as float32 (a dtype
error naming the features, with nothing the user could change)."""
from __future__ import annotations

import copy

import torch
from torch_geometric.data.data import BaseData


def precision_batch(trainer, batch):
    """``batch`` with its floating tensors converted as the precision of
    ``trainer`` converts a batch (``precision_plugin.convert_input``); a
    PyG graph is converted in a shallow copy (the loader's object, e.g. the
    one graph of :func:`~pyg_fusion.training.node.single_graph_loader`, is
    left as it is). Other batches, and every batch under a precision that
    converts none (32-true, the mixed ones), are returned as they are.

    Args:
        trainer (lightning.Trainer or None): the trainer running the batch.
        batch: the batch.
    """
    if trainer is None or not isinstance(batch, BaseData):
        return batch
    convert = trainer.precision_plugin.convert_input
    if convert(torch.zeros(())).dtype == torch.zeros(()).dtype:
        return batch  # converts no float32 tensor: the batch object as it was
    return copy.copy(batch).apply(convert)
