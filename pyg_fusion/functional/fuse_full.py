r"""M-way fusion with a full operator :math:`A` (ours, beyond the paper): one
operator over all :math:`M` sources, every product of one power of each
source a term. The pairwise form (:mod:`.fuse`) is its two-source case, the
CP form (:mod:`.fuse_cp`) its low-rank case.
"""
from __future__ import annotations

from torch import Tensor

from ._autocast import float32_under_autocast
from ._checks import check_choice, check_like, check_tensor
from ._fused_support import _with_zeroth
from .fuse import (_align_all, _check_dense_powers, _check_sparse_powers, _contract_full,
                   _scaled_contract)
from .term_scale import TERM_SCALES, check_scale_batch, scaled_operator


def _check_full(A: Tensor, sizes: list[int]) -> None:
    check_tensor("A", A, floating=True, finite=True)
    if list(A.shape) != sizes:
        raise ValueError(f"A must have one dimension of size P_m+1 per source, {sizes}, "
                         f"got {list(A.shape)}")


@float32_under_autocast
def lego_fuse_full(powers: list[Tensor], A: Tensor, *, zeroth: str = "identity",
                   term_scale: str = "none") -> Tensor:
    r"""Dense M-way fusion with a full operator (ours, beyond the paper):
    ``powers[m]`` ``[..., P_m+1, N, N]``, ``A`` ``[P_1+1, ..., P_M+1]`` ->
    :math:`G = \sum_{p_1..p_M} A_{p_1..p_M} R_1^{p_1} \circ \dots \circ
    R_M^{p_M}` ``[..., N, N]``. With two sources it is
    :func:`~pyg_fusion.functional.lego_fuse`; with :math:`A = e_{1..1}`
    the product of the graphs; with ``zeroth="ones"`` and
    :math:`A = \tfrac1M \sum_m e_{0..1_m..0}` their mean; the CP form
    (:func:`~pyg_fusion.functional.lego_fuse_cp`) is its low-rank case.

    Args:
        powers (List[torch.Tensor]): ``powers[m]`` ``[..., P_m+1, N, N]``.
        A (torch.Tensor): ``[P_1+1, ..., P_M+1]``.
        zeroth (str, optional): :obj:`"identity"` or :obj:`"ones"`.
            (default: :obj:`"identity"`)
        term_scale (str, optional): :obj:`"none"`, :obj:`"mean"` or
            :obj:`"rms"` (see :func:`~pyg_fusion.functional.lego_fuse`).
            (default: :obj:`"none"`)

    Returns:
        torch.Tensor: ``G`` ``[..., N, N]``.
    """
    check_choice("term_scale", term_scale, TERM_SCALES)
    _check_dense_powers(powers)
    _check_full(A, [pw.size(-3) for pw in powers])
    check_like("A", A, "powers[0]", powers[0])
    powers = _with_zeroth(list(powers), zeroth)
    xs = [pw.movedim(-3, -1) for pw in powers]
    return _contract_full(scaled_operator(A, xs, term_scale), xs)


@float32_under_autocast
def lego_fuse_full_sparse(edge_indices: list[Tensor], attrs: list[Tensor], A: Tensor,
                          num_nodes: int, *, support: str = "union",
                          zeroth: str = "identity", term_scale: str = "none",
                          batch: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """Sparse twin of :func:`lego_fuse_full` on the union of the supports
    (or their intersection, see :func:`~pyg_fusion.functional.lego_fuse_sparse`).

    Args:
        edge_indices (List[torch.Tensor]): ``edge_indices[m]`` ``[2, E_m]``.
        attrs (List[torch.Tensor]): ``attrs[m]`` ``[E_m, P_m+1]``.
        A (torch.Tensor): ``[P_1+1, ..., P_M+1]``.
        num_nodes (int): :math:`N`.
        support (str, optional): :obj:`"union"` or :obj:`"intersection"`.
            (default: :obj:`"union"`)
        zeroth (str, optional): :obj:`"identity"` or :obj:`"ones"`.
            (default: :obj:`"identity"`)
        term_scale (str, optional): :obj:`"none"`, :obj:`"mean"` or
            :obj:`"rms"` (see :func:`~pyg_fusion.functional.lego_fuse`).
            (default: :obj:`"none"`)
        batch (torch.Tensor, optional): ``[N]``, the graph of each node: the
            term scales are per graph. (default: :obj:`None`, one graph)

    Returns:
        (torch.Tensor, torch.Tensor): ``(edge_index [2, E], edge_weight [E])``.
    """
    check_choice("term_scale", term_scale, TERM_SCALES)
    edge_indices = _check_sparse_powers(edge_indices, attrs, num_nodes)
    _check_full(A, [at.size(1) for at in attrs])
    check_like("A", A, "attrs[0]", attrs[0])
    check_scale_batch(batch, num_nodes, term_scale, ("attrs[0]", attrs[0]))
    index, xs = _align_all(edge_indices, attrs, num_nodes, support, zeroth)
    if term_scale == "none":
        return index, _contract_full(A, xs)
    return index, _scaled_contract(A, xs, index, term_scale, batch, num_nodes)
