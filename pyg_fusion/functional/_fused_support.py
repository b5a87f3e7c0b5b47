"""Where the fused graph of LEGO may be non-zero, and the zeroth power
``zeroth="ones"`` puts there: the Hadamard identity, 1 on every entry where
some power of some source is non-zero (the diagonal included), in the dense
and the sparse forms alike (:mod:`.fuse`, :mod:`.fuse_cp`, :mod:`.fuse_full`)."""
from __future__ import annotations

import torch
from torch import Tensor

from .._lego_rules import ZEROTH  # noqa: F401  (fuse's import; the one list of the choice)
from ._checks import check_choice
from ._csr import nonzero_rows


def dense_support(powers: list[Tensor]) -> Tensor:
    """Where some power of some input is non-zero (diagonal included)."""
    keep = None
    for pw in powers:
        nz = (pw != 0).any(-3)
        keep = nz if keep is None else keep | nz
    return keep


def dense_fused_support(powers: dict[str, Tensor], zeroth: str = "identity",
                        pairs: list[tuple[str, str]] | None = None,
                        live: dict[str, Tensor] | None = None) -> Tensor:
    """Where the fused graph of dense ``powers`` may be non-zero for some
    operator, the diagonal left to the caller: with ``zeroth="identity"``
    (``R^0 = I``) every term is 0 where a fused source's powers are, so the
    union over ``pairs`` of each pair's intersection, or the intersection of
    every source when ``pairs`` is ``None`` (the cp and full operators); with
    ``zeroth="ones"`` the union of every power. The sparse fusion's rule
    (:class:`~pyg_fusion.nn.LEGOFusion` with ``keep_zeros=False``), read
    from the values.

    Args:
        powers (dict[str, torch.Tensor]): ``{source: [..., P+1, N, N]}``.
        zeroth (str, optional): :obj:`"identity"` or :obj:`"ones"`.
            (default: :obj:`"identity"`)
        pairs (list[tuple[str, str]], optional): the pairs of a pairwise operator.
            (default: :obj:`None`, every source at once)
        live (dict[str, torch.Tensor], optional): ``{source: [..., N, N]}``
            bool, entries of that source's support although its powers are 0
            there (their gradient is not). (default: :obj:`None`)

    Returns:
        torch.Tensor: bool ``[..., N, N]``.
    """
    check_choice("zeroth", zeroth, ZEROTH)
    live = live or {}
    own = {s: dense_support([p]) | live[s] if s in live else dense_support([p])
           for s, p in powers.items()}
    if zeroth != "identity":
        out = None
        for s in own.values():
            out = s if out is None else out | s
        return out
    if pairs is None:
        out = None
        for s in own.values():
            out = s if out is None else out & s
        return out
    out = None
    for a, b in pairs:
        both = own[a] & own[b]
        out = both if out is None else out | both
    return out


def _with_zeroth(powers: list[Tensor], zeroth: str) -> list[Tensor]:
    """Dense powers with slice 0 replaced by the Hadamard identity on their
    common support (``zeroth="ones"``), or unchanged."""
    check_choice("zeroth", zeroth, ZEROTH)
    if zeroth == "identity":
        return powers
    ones = dense_support(powers).to(powers[0].dtype).unsqueeze(-3)
    return [torch.cat([ones, pw[..., 1:, :, :]], -3) for pw in powers]


def _ones_columns(attrs: list[Tensor]) -> list[Tensor]:
    """Edge attributes on one support with column 0 replaced by 1 where some
    column of some input is non-zero (the sparse twin of :func:`_with_zeroth`)."""
    on = None
    for at in attrs:
        nz = nonzero_rows(at)
        on = nz if on is None else on | nz
    ones = on.to(attrs[0].dtype).unsqueeze(1)
    return [torch.cat([ones, at[:, 1:]], 1) for at in attrs]
