"""Resets that give a module the weights of a fresh build: after
``torch.manual_seed(s); m.reset_parameters()`` the module holds what
``torch.manual_seed(s); Module(...)`` holds, so a reset must draw from the
random generator what the constructors drew, in their order."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize


def reset_module(module: nn.Module) -> None:
    """``module.reset_parameters()``, or for a container without one every
    child in registration order (the order the constructors drew in). Each
    part is reset once: walking ``modules()`` would also reset the children
    of a part that resets them itself, drawing their weights twice."""
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()
    else:
        reset_children(module)


def reset_children(module: nn.Module) -> None:
    """:func:`reset_module` of every child of ``module``, in registration order."""
    for child in module.children():
        reset_module(child)


def reset_pyg_conv(conv: nn.Module) -> None:
    """Resets a PyG convolution (``GraphConv``, ``GCNConv``) as its
    constructor initialised it: PyG's ``Linear`` initialises itself when it
    is built and the convolution's constructor then calls its own
    ``reset_parameters``, so a fresh build keeps the second of two draws."""
    conv.reset_parameters()
    conv.reset_parameters()


def assign(module: nn.Module, name: str, value: Tensor) -> None:
    """Writes ``value`` into the tensor ``name`` of ``module`` (no gradient).
    Where a parametrization (``torch.nn.utils.parametrize``) is registered
    on it, the write goes through the parametrization's ``right_inverse``
    to the original it stores: an in-place write to ``module.name`` would
    change a tensor computed from it and lost."""
    with torch.no_grad():
        if parametrize.is_parametrized(module, name):
            setattr(module, name, value)
        else:
            getattr(module, name).copy_(value)
