"""A PyG batch under Lightning's true precisions (``"64-true"``,
``"16-true"``, ``"bf16-true"``), which convert the model's parameters and
the floating tensors of a batch they can walk: tensors, mappings, sequences
and dataclasses. A PyG :class:`~torch_geometric.data.Data` or ``Batch`` is
none of them, so its features reached a float64 model as float32 (a dtype
error naming the features, with nothing the user could change). A model
fitted under a true precision stays in its dtype: the evaluations that score
it with a trainer of their own, or none, use :func:`true_precision` and
:func:`model_precision_batch`."""
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


# the parameter dtype a true precision gives a model: Lightning hands a model
# fitted under one back in it
_TRUE_PRECISIONS = {torch.float64: "64-true", torch.float16: "16-true",
                    torch.bfloat16: "bf16-true"}


def true_precision(module: torch.nn.Module) -> str | None:
    """The true precision (``"64-true"``, ``"16-true"``, ``"bf16-true"``) of a
    model whose floating parameters are all of its dtype, e.g. one fitted by a
    trainer of that precision; :obj:`None` for float32 (Lightning's default,
    ``"32-true"``) or mixed dtypes.

    Args:
        module (torch.nn.Module): the model.
    """
    dtypes = {p.dtype for p in module.parameters() if p.is_floating_point()}
    return _TRUE_PRECISIONS.get(dtypes.pop()) if len(dtypes) == 1 else None


def model_precision_batch(module: torch.nn.Module, batch):
    """``batch`` (a PyG graph or a collection of tensors) with its floating
    tensors converted as a trainer of :func:`true_precision` of ``module``
    converts a batch, for a model scored outside a trainer; a batch for a
    float32 model is returned as it is.

    Args:
        module (torch.nn.Module): the model the batch is for.
        batch: the batch.
    """
    precision = true_precision(module)
    if precision is None:
        return batch
    from lightning.pytorch.plugins.precision import DoublePrecision, HalfPrecision
    convert = (DoublePrecision() if precision == "64-true"
               else HalfPrecision(precision)).convert_input
    return copy.copy(batch).apply(convert) if isinstance(batch, BaseData) else convert(batch)
