r"""Scale-normalised terms of the LEGO operator (ours, beyond the paper;
docs/methods.md §1.4).

The terms :math:`T_{p_1..p_M} = R_1^{p_1} \circ \dots \circ R_M^{p_M}` of
the fused graph differ in scale by orders of magnitude: the Hadamard identity
(``zeroth="ones"``) is 1 on the support, a row-normalised power of an
:math:`N`-node graph about :math:`1/N` per entry, the product of :math:`M`
such powers about :math:`N^{-M}`. An optimiser that moves every entry of
:math:`A` by about its learning rate (Adam) then adds, from the first steps,
terms far larger than the one the operator started from. With a term scale,

.. math::
    G = \sum_{p_1..p_M} A_{p_1..p_M}\, T_{p_1..p_M}\,
        \frac{s(T_{1..1})}{s(T_{p_1..p_M})},

:math:`s` a per-graph scale of each term over the entries the fusion
computes (its support): ``"mean"`` the mean absolute entry, ``"rms"`` the
root mean square entry. Every term is brought to the scale of the product
of the sources' first powers :math:`T_{1..1}` (the operator's product
start; the zeroth power for a source with :math:`P = 0`): :math:`A`'s
entries are then relative weights of terms of one scale, while that term,
and so the untrained operator started at it, is unchanged, and so is
anything downstream that is not scale-free (the degree-variance loss of
the VAD task grows with the fourth power of :math:`G`'s scale: scaled to 1,
the terms of SyntheticVAD's operator would make it some :math:`10^{15}` times
heavier). The factor :math:`s(T_{1..1}) / s(T)` is a ratio of two sums over
the same support, so it does not depend on how many entries the support has
(the dense backend's union of the supports and sparse LEGO's intersection
give the same :math:`G`); on a graph where :math:`T_{1..1}` or :math:`T` is
zero the factor is 1.

The scales are moments of the per-entry outer product of the sources'
powers, :math:`\sum_e \prod_m f(x_m[e, p_m])` with :math:`f = |\cdot|` or
:math:`(\cdot)^2`: all :math:`\prod_m (P_m+1)` of them in one pass. They
are not detached: :math:`G` is the function written above of the powers as
well as of :math:`A` (its value is the same either way, and so is its
gradient in :math:`A`; its gradient with respect to learned powers, e.g.
after a learned projection, is then the exact derivative of that
:math:`G`: a term's own overall scale does not change :math:`G`, and the
gradient says so).
"""
from __future__ import annotations

import torch
from torch import Tensor

from .._scatter import scatter_sum
from ._autocast import float32_under_autocast
from .._lego_rules import TERM_SCALES
from ._checks import check_batch, check_batch_shape, check_choice

# the public names (the other functions without a leading _ serve the
# package's modules)
__all__ = ["term_scales"]


@float32_under_autocast
def term_scales(xs: list[Tensor], term_scale: str, graph: Tensor | None = None,
                num_graphs: int | None = None) -> Tensor:
    r"""The scale :math:`s(T)` of every term, per graph.

    Args:
        xs (List[torch.Tensor]): each source's powers on one support, the
            powers along the last dimension: dense ``[..., N, N, P_m+1]`` (one
            graph per leading index), or sparse ``[E, P_m+1]`` with ``graph``.
        term_scale (str): :obj:`"mean"` or :obj:`"rms"` (see the module
            docstring).
        graph (torch.Tensor, optional): sparse only: ``[E]``, the graph of
            each entry; :obj:`None`: dense terms. (default: :obj:`None`)
        num_graphs (int, optional): sparse only: the number of graphs.
            (default: :obj:`None`)

    Returns:
        torch.Tensor: ``[..., P_1+1, ..., P_M+1]`` (dense) or
        ``[num_graphs, P_1+1, ..., P_M+1]`` (sparse); float32 for 16-bit
        powers (their scales fall below float16's range).
    """
    check_choice("term_scale", term_scale, TERM_SCALES[1:])
    total, on = _moments(xs, term_scale, graph, num_graphs)
    count = on.flatten(-2).sum(-1) if graph is None else \
        scatter_sum(on.to(torch.long), graph, num_graphs)
    moment = total / count.clamp(min=1).to(total.dtype).unsqueeze(-1)
    # a term that is 0 on the whole graph keeps scale 1 (and sqrt never sees
    # 0, whose gradient would be infinite)
    moment = torch.where(moment > 0, moment, torch.ones_like(moment))
    scale = moment if term_scale == "mean" else moment.sqrt()
    return scale.unflatten(-1, [x.size(-1) for x in xs])


def _moments(xs: list[Tensor], term_scale: str, graph: Tensor | None,
             num_graphs: int | None) -> tuple[Tensor, Tensor]:
    # per graph: every term's sum of f(entry) (flattened terms, last dim),
    # and which entries are on the support (term_scales counts them; the
    # operator's factors, ratios of sums, need no count)
    f = torch.abs if term_scale == "mean" else torch.square
    on, outer = None, None
    for x in xs:
        nz = (x != 0).any(-1)
        on = nz if on is None else on | nz
        # in float32 for 16-bit powers: the squares of entries ~1/N
        # underflowed float16 and a sum over the support overflowed it, so
        # a term's factor was 0 (the term dropped) or far off
        v = f(x.to(torch.promote_types(x.dtype, torch.float32)))
        outer = v if outer is None else (outer.unsqueeze(-1) * v.unsqueeze(-2)).flatten(-2)
    total = outer.flatten(-3, -2).sum(-2) if graph is None else \
        scatter_sum(outer, graph, num_graphs)
    return total, on


@float32_under_autocast
def scaled_operator(A: Tensor, xs: list[Tensor], term_scale: str,
                    graph: Tensor | None = None, num_graphs: int | None = None) -> Tensor:
    r"""``A`` itself (``term_scale="none"``) or :math:`A\, s(T_{1..1}) / s`
    per graph (``[..., P_1+1, ..., P_M+1]``; arguments as :func:`term_scales`).
    On a graph where :math:`T_{1..1}` is zero every factor is 1 (the terms
    keep their own scales there), and so is that of a term that is zero."""
    check_choice("term_scale", term_scale, TERM_SCALES)
    if term_scale == "none":
        return A
    total = _moments(xs, term_scale, graph, num_graphs)[0].unflatten(
        -1, [x.size(-1) for x in xs])
    m = len(xs)
    ref = total[(..., ) + tuple(min(1, x.size(-1) - 1) for x in xs)]
    ref = ref.reshape(*ref.shape, *([1] * m))
    # A ratio of two sums over one support: no entry count in it, so the dense
    # backend (on the union of the supports) and sparse LEGO (on their
    # intersection) agree. Where either sum is 0 the factor is 1 (a stand-in
    # scale for a zero term would bring the count back; sqrt never sees 0).
    ok = (ref > 0) & (total > 0)
    one = torch.ones_like(total)
    ratio = torch.where(ok, ref, one) / torch.where(ok, total, one)
    # the factors of 16-bit terms in float32, the scaled operator rounded once
    return (A * (ratio if term_scale == "mean" else ratio.sqrt())).to(A.dtype)


def check_scale_batch(batch, num_nodes: int, term_scale: str, ref: tuple[str, Tensor]
                      ) -> None:
    """The ``batch`` of a sparse fusion, checked before its work: on the
    device of ``ref`` (``(name, tensor)``), its values (sorted ids) where
    the term scales read them, else the rest of its shape alone (no pass, no
    host sync): a batch of another device, length or dtype failed in a
    torch op, or went unread without a word."""
    if batch is not None:
        check = check_batch_shape if term_scale == "none" else check_batch
        check("batch", batch, num_nodes, ref=ref)


def entry_graphs(edge_index: Tensor, batch: Tensor | None, num_nodes: int
                 ) -> tuple[Tensor, int]:
    """The graph of each entry of a sparse fused graph (that of its target
    node) and the number of graphs; ``batch=None``: one graph. ``batch`` is
    checked (:func:`check_scale_batch`)."""
    if batch is None:
        return edge_index.new_zeros(edge_index.size(1)), 1
    num_graphs = int(batch.max()) + 1 if batch.numel() else 1
    return batch.index_select(0, edge_index[1]), num_graphs
