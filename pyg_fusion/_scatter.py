"""The scatter hot path of pyg_fusion, behind one switch.

Every sum-by-index in the library (sparse graph products, degrees, coarsening,
node propagation) goes through :func:`scatter_sum`, so that one place decides
between native torch (``index_add``) and ``torch_scatter``.

Rule for ``"auto"`` (the default): native torch on CPU, where
``index_add``/``scatter_add_`` are as fast as ``torch_scatter`` or faster
(``benchmarks/sparse_vs_dense.py`` runs the sparse backend with both); ``torch_scatter`` on CUDA tensors when it
is installed. ``PYG_FUSION_SCATTER=native|torch_scatter|auto`` or
:func:`set_scatter_backend` overrides the rule.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

from torch import Tensor

try:  # optional extra: ``pip install --no-build-isolation torch_scatter``
    import torch_scatter as _ts  # type: ignore

    HAS_TORCH_SCATTER = True
except Exception:  # pragma: no cover - depends on the environment
    _ts = None
    HAS_TORCH_SCATTER = False

_BACKENDS = ("auto", "native", "torch_scatter")
_backend = os.environ.get("PYG_FUSION_SCATTER", "auto")
if _backend not in _BACKENDS:
    raise ValueError(
        f"PYG_FUSION_SCATTER must be one of {_BACKENDS}, got {_backend!r}")


def set_scatter_backend(name: str) -> None:
    """Selects the scatter implementation: ``"auto"``, ``"native"`` or
    ``"torch_scatter"`` (which must be installed)."""
    global _backend
    if name not in _BACKENDS:
        raise ValueError(f"backend must be one of {_BACKENDS}, got {name!r}")
    if name == "torch_scatter" and not HAS_TORCH_SCATTER:
        raise ImportError("backend='torch_scatter' needs the optional extra: "
                          "pip install --no-build-isolation torch_scatter")
    _backend = name


def get_scatter_backend() -> str:
    return _backend


@contextmanager
def scatter_backend(name: str):
    """Context manager form of :func:`set_scatter_backend`."""
    old = _backend
    set_scatter_backend(name)
    try:
        yield
    finally:
        set_scatter_backend(old)


def _use_torch_scatter(src: Tensor) -> bool:
    if _backend == "native" or not HAS_TORCH_SCATTER:
        return False
    if _backend == "torch_scatter":
        return True
    return src.is_cuda


def scatter_sum(src: Tensor, index: Tensor, dim_size: int) -> Tensor:
    """``out[index[i]] += src[i]`` along dim 0; differentiable in ``src``."""
    if _use_torch_scatter(src):
        return _ts.scatter_add(src, index, dim=0, dim_size=dim_size)
    out = src.new_zeros((dim_size, ) + tuple(src.shape[1:]))
    return out.index_add(0, index, src)


def scatter_max(src: Tensor, index: Tensor, dim_size: int) -> Tensor:
    """Per-index maximum along dim 0 (empty slots are 0)."""
    if _use_torch_scatter(src):
        return _ts.scatter_max(src, index, dim=0, dim_size=dim_size)[0]
    shape = (dim_size, ) + tuple(src.shape[1:])
    idx = index.view(-1, *([1] * (src.dim() - 1))).expand_as(src)
    return src.new_zeros(shape).scatter_reduce(0, idx, src, reduce="amax",
                                               include_self=False)
