"""The operators of :class:`~pyg_fusion.nn.LEGOFusion`: the dict that holds
them and its pair keys, the values they start from and the names of the
``start_*`` buffers that keep those starts for the anchor penalty."""
from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import ParameterDict


def pair_key(a: str, b: str) -> str:
    return f"{a}|{b}"


class OperatorDict(ParameterDict):
    """A :class:`~torch.nn.ParameterDict` whose ``repr`` shows the values
    (``print(lego.fusion.A)`` shows each pair's operator :math:`A`, rows
    :math:`p`, columns :math:`q`), not only their shapes."""

    def extra_repr(self) -> str:
        lines = []
        for key, value in self.items():
            if value.is_meta:  # built on the meta device: no values yet
                lines.append(f"({key}): {list(value.shape)} (meta)")
                continue
            # numpy has no bfloat16: the values are shown as float64 (4 decimals)
            body = str(value.detach().cpu().double().numpy().round(4)).replace("\n", "\n  ")
            lines.append(f"({key}): {list(value.shape)}\n  {body}")
        return "\n".join(lines)


def start_name(name: str) -> str:
    return "start_" + name.replace(".", "_")


def start_value(a: Tensor, mode: str, rank: int, init: str) -> Tensor:
    """The start of an operator (or CP factor) shaped as ``a``, for
    ``mode``, ``rank`` and ``init`` (see :class:`~pyg_fusion.nn.LEGOFusion`)."""
    a = torch.zeros_like(a)
    if mode == "cp":
        a[:, min(1, a.size(1) - 1)] = 1.0
        if rank > 1:
            a.add_(0.1 * torch.randn_like(a))
    elif mode == "full":
        first = [min(1, n - 1) for n in a.shape]
        if init == "mean":
            for m in range(a.dim()):
                a[tuple(first[i] if i == m else 0 for i in range(a.dim()))] += 1 / a.dim()
        else:
            a[tuple(first)] = 1.0
    else:
        i, j = min(1, a.size(0) - 1), min(1, a.size(1) - 1)
        if init == "mean":
            a[i, 0] += 0.5
            a[0, j] += 0.5
        else:
            a[i, j] = 1.0
    return a
