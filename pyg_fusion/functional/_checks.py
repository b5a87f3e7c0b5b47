"""Argument checks shared by the functional API: each raises an error that
names the argument and says what was expected."""
from __future__ import annotations

import torch
from torch import Tensor


def check_tensor(name: str, x, *, dims: tuple[int, ...] | None = None,
                 floating: bool = False, finite: bool = False) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if dims is not None and x.dim() not in dims:
        raise ValueError(f"{name} must have {' or '.join(map(str, dims))} "
                         f"dimensions, got shape {tuple(x.shape)}")
    if floating and not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {x.dtype}")
    if finite and x.is_floating_point():
        check_finite(name, x)
    return x


def check_finite(name: str, x: Tensor) -> None:
    if torch.compiler.is_compiling():
        # A Python branch on the data cannot be traced: under torch.compile
        # the check runs inside the graph and fails with a RuntimeError
        # carrying the same message (without the count).
        torch._assert_async(torch.isfinite(x).all(), f"{name} contains NaN or Inf value(s)")
    elif not bool(torch.isfinite(x).all()):
        bad = int((~torch.isfinite(x)).sum())
        raise ValueError(f"{name} contains {bad} NaN or Inf value(s)")


def check_int(name: str, value, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")


def check_edge_index(name: str, edge_index: Tensor, num_nodes: int) -> Tensor:
    check_tensor(name, edge_index, dims=(2, ))
    if edge_index.size(0) != 2:
        raise ValueError(f"{name} must have shape [2, E], got {tuple(edge_index.shape)}")
    if edge_index.dtype != torch.long:
        raise TypeError(f"{name} must be torch.long, got {edge_index.dtype}")
    if edge_index.numel() and (int(edge_index.min()) < 0
                               or int(edge_index.max()) >= num_nodes):
        raise ValueError(f"{name} holds node indices outside [0, {num_nodes}) "
                         f"(min {int(edge_index.min())}, max {int(edge_index.max())})")
    return edge_index
