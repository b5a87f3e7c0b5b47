r"""The M-way CP form of LEGO's fusion operator (ours, beyond the paper;
the pairwise form is :mod:`.fuse`), with factors
:math:`a_{m} \in \mathbb{R}^{R \times (P_m+1)}`:

.. math::
    G = \sum_{r=1}^{R} \prod_{m=1}^{M} \Big( \sum_p a_{m,r,p} R_m^p \Big),

products element-wise. With :math:`M = 2` and rank 1 it equals the pairwise
form with :math:`A = a_1^\top a_2`.
"""
from __future__ import annotations

import torch
from torch import Tensor

from ._autocast import float32_under_autocast
from ._checks import check_like, check_tensor
from ._fused_support import _with_zeroth
from .fuse import _align_all, _check_dense_powers, _check_sparse_powers


def _check_factors(factors: list[Tensor], sizes: list[int]) -> None:
    if len(factors) != len(sizes):
        raise ValueError(f"factors must hold one [R, P_m+1] tensor per source "
                         f"({len(sizes)}), got {len(factors)}")
    rank = None
    for m, (f, s) in enumerate(zip(factors, sizes)):
        check_tensor(f"factors[{m}]", f, dims=(2, ), floating=True, finite=True)
        check_like(f"factors[{m}]", f, "factors[0]", factors[0])
        if f.size(1) != s or (rank is not None and f.size(0) != rank):
            raise ValueError(f"factors[{m}] must have shape [R, P_m+1] = "
                             f"[{rank if rank is not None else 'R'}, {s}], got {list(f.shape)}")
        rank = f.size(0)


@float32_under_autocast
def lego_fuse_cp(powers: list[Tensor], factors: list[Tensor], *,
                 zeroth: str = "identity") -> Tensor:
    """Dense M-way CP fusion: ``powers[m]`` ``[..., P_m+1, N, N]``,
    ``factors[m]`` ``[R, P_m+1]`` -> ``G`` ``[..., N, N]``.

    Args:
        powers (List[torch.Tensor]): ``powers[m]`` ``[..., P_m+1, N, N]``.
        factors (List[torch.Tensor]): ``factors[m]`` ``[R, P_m+1]``.
        zeroth (str, optional): :obj:`"identity"` or :obj:`"ones"`.
            (default: :obj:`"identity"`)

    Returns:
        torch.Tensor: ``G`` ``[..., N, N]``.
    """
    _check_dense_powers(powers)
    _check_factors(factors, [pw.size(-3) for pw in powers])
    check_like("factors[0]", factors[0], "powers[0]", powers[0])
    powers = _with_zeroth(list(powers), zeroth)
    out = None
    for pw, f in zip(powers, factors):
        term = torch.einsum("rp,...pij->...rij", f, pw)
        out = term if out is None else out * term
    return out.sum(-3)


@float32_under_autocast
def lego_fuse_cp_sparse(edge_indices: list[Tensor], attrs: list[Tensor],
                        factors: list[Tensor], num_nodes: int, *,
                        support: str = "union", zeroth: str = "identity"
                        ) -> tuple[Tensor, Tensor]:
    """Sparse M-way CP fusion on the union of the supports (or, with
    ``support="intersection"``, only where every source has an entry; see
    :func:`~pyg_fusion.functional.lego_fuse_sparse`): ``edge_indices[m]``
    ``[2, E_m]``, ``attrs[m]`` ``[E_m, P_m+1]``, ``factors[m]`` ``[R, P_m+1]``
    -> ``(edge_index, edge_weight)``.

    Args:
        edge_indices (List[torch.Tensor]): ``edge_indices[m]`` ``[2, E_m]``.
        attrs (List[torch.Tensor]): ``attrs[m]`` ``[E_m, P_m+1]``.
        factors (List[torch.Tensor]): ``factors[m]`` ``[R, P_m+1]``.
        num_nodes (int): :math:`N`.
        support (str, optional): :obj:`"union"` or :obj:`"intersection"`.
            (default: :obj:`"union"`)
        zeroth (str, optional): :obj:`"identity"` or :obj:`"ones"`.
            (default: :obj:`"identity"`)

    Returns:
        (torch.Tensor, torch.Tensor): ``(edge_index [2, E], edge_weight [E])``.
    """
    edge_indices = _check_sparse_powers(edge_indices, attrs, num_nodes)
    _check_factors(factors, [at.size(1) for at in attrs])
    check_like("factors[0]", factors[0], "attrs[0]", attrs[0])
    index, xs = _align_all(edge_indices, attrs, num_nodes, support, zeroth)
    out = None
    for x, f in zip(xs, factors):
        term = x @ f.t()  # [E, R]
        out = term if out is None else out * term
    return index, out.sum(-1)
