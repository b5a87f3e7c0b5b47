from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ..functional._checks import same_tensors


class FixedGraphCache:
    """The kept graph of a head that trains on one fixed graph
    (:class:`GraphHead`, :class:`LabelPropagationHead`): each step passes the
    same edge tensors, whose preparation (normalisation, symmetrising) sorts
    all E edges again (PyG's coalesce). The last graph's prepared value is
    kept (one per module) while its edges come back equal to a copy
    (:func:`same_tensors`: a write through ``.numpy()`` changes no tensor
    version, and a freed tensor's address is reused by the next one); the
    comparison is one pass over E, the sort it saves O(E log E). Learned
    weights, inference tensors, torch.compile and torch.func prepare the
    graph at every call (learned weights of kept edges: in their kept order,
    :class:`LabelPropagationHead`). A pickle or copy of the module (``torch.save`` of
    it, ``deepcopy``) starts without the kept graph."""

    def _kept_graph(self, key: tuple, tensors: list[Tensor], make: Callable[[], object],
                    inputs: tuple[Tensor, ...] = ()):
        """``make()``, kept for ``key`` and the content of ``tensors`` (the
        edges); ``inputs`` are the call's other tensors (an inference tensor
        among them is not kept)."""
        if (torch.compiler.is_compiling() or any(t.requires_grad for t in tensors)
                or any(t.is_inference() for t in (*inputs, *tensors))
                or torch.is_inference_mode_enabled()
                or torch._C._are_functorch_transforms_active()):
            return make()
        cached = self.__dict__.get("_fixed_graph")
        if cached is not None and cached[0] == key and same_tensors(cached[1], tensors):
            return cached[2]
        value = make()
        self.__dict__["_fixed_graph"] = (key, [t.detach().clone() for t in tensors], value)
        return value

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_fixed_graph", None)
        return state
