"""The scatter hot path of pyg_fusion, behind one switch.

Every sum-by-index in the library (sparse graph products, degrees, coarsening,
node propagation) goes through :func:`scatter_sum`, so that one place decides
between native torch (``index_add``) and ``torch_scatter``.

Rule for ``"auto"`` (the default): native torch on CPU, where
``index_add``/``scatter_add_`` are as fast as ``torch_scatter`` or faster
(``benchmarks/sparse_vs_dense.py`` runs the sparse backend with both);
``torch_scatter`` on CUDA tensors when it is installed, unless torch's
deterministic algorithms are on (:func:`torch.use_deterministic_algorithms`,
Lightning's ``deterministic=True``): native ``index_add`` then sums in a
fixed order on CUDA, where ``torch_scatter``'s atomic adds ignore the
setting. ``"torch_scatter"`` named is used as asked. The context manager
:func:`scatter_backend` overrides the rule for the code it wraps (in the
current thread or asyncio task only: the choice is a
:class:`contextvars.ContextVar`); :func:`set_scatter_backend` sets it for the
current context until changed. No environment variable is read.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import torch
from torch import Tensor

try:  # optional extra: ``pip install --no-build-isolation torch_scatter``
    import torch_scatter as _ts  # type: ignore

    HAS_TORCH_SCATTER = True
except Exception:  # pragma: no cover - depends on the environment
    _ts = None
    HAS_TORCH_SCATTER = False

_BACKENDS = ("auto", "native", "torch_scatter")
_backend: ContextVar[str] = ContextVar("pyg_fusion_scatter_backend", default="auto")


def _check(name: str) -> None:
    if name not in _BACKENDS:
        raise ValueError(f"backend must be one of {_BACKENDS}, got {name!r}")
    if name == "torch_scatter" and not HAS_TORCH_SCATTER:
        raise ImportError("backend='torch_scatter' needs the optional extra: "
                          "pip install --no-build-isolation torch_scatter")


def set_scatter_backend(name: str) -> None:
    """Selects the scatter implementation for the current context:
    ``"auto"``, ``"native"`` or ``"torch_scatter"`` (which must be
    installed). Prefer :func:`scatter_backend`, which restores the previous
    choice."""
    _check(name)
    _backend.set(name)


def get_scatter_backend() -> str:
    return _backend.get()


@contextmanager
def scatter_backend(name: str):
    """Uses the scatter implementation ``name`` inside the ``with`` block
    and restores the previous one after it."""
    _check(name)
    token = _backend.set(name)
    try:
        yield
    finally:
        _backend.reset(token)


def _use_torch_scatter(src: Tensor) -> bool:
    backend = _backend.get()
    if backend == "native" or not HAS_TORCH_SCATTER:
        return False
    if backend == "torch_scatter":
        return True
    return src.is_cuda and not torch.are_deterministic_algorithms_enabled()


def scatter_sum(src: Tensor, index: Tensor, dim_size: int) -> Tensor:
    """``out[index[i]] += src[i]`` along dim 0; differentiable in ``src``.
    16-bit ``src`` is summed in float32 and the sums rounded once to its
    dtype: summed in 16 bits, every addition rounds (a sum of 300 terms of
    1 stops growing at 256 in bfloat16), and CUDA's atomics round each step
    in an order of their own."""
    if src.dtype in (torch.float16, torch.bfloat16):
        return scatter_sum(src.float(), index, dim_size).to(src.dtype)
    if _use_torch_scatter(src):
        return _ts.scatter_add(src, index, dim=0, dim_size=dim_size)
    out = src.new_zeros((dim_size, ) + tuple(src.shape[1:]))
    return out.index_add(0, index, src)

