from __future__ import annotations

import itertools

import torch
from torch import Tensor
from torch.nn import Parameter

from .._scatter import scatter_sum
from ..functional._autocast import float32_under_autocast
from ..functional._csr import nonzero_rows
from ..functional._align import select_rows, union_edges
from ..functional.fuse import align_pair, check_source_powers, lego_fuse, lego_fuse_sparse
from ..functional.fuse_cp import lego_fuse_cp, lego_fuse_cp_sparse
from ..functional.fuse_full import lego_fuse_full, lego_fuse_full_sparse
from ._lego_inputs import refuse_torchscript
from ._lego_operators import OperatorDict, pair_key, start_name, start_value
from ._reset import assign
# the options' checks live in their own module; its names stay importable from here
from ._lego_fusion_options import (MODES, SUPPORTS, check_fusion_options,  # noqa: F401
                                   check_plan, check_powers, plan_options, powers_by_source)


def _some_power_nonzero(edge_index: Tensor, edge_attr: Tensor,
                        keep: Tensor | None = None) -> tuple[Tensor, Tensor]:
    # the entries where some power is non-zero, or those of keep (one host
    # sync; a copy only where some entry is dropped)
    if keep is None:
        keep = nonzero_rows(edge_attr)
    if bool(keep.all()):
        return edge_index, edge_attr
    rows = keep.nonzero().view(-1)  # select_rows: no gradient of edge_attr's size
    return edge_index.index_select(1, rows), select_rows(edge_attr, rows)


class LEGOFusion(torch.nn.Module):
    r"""The learnable graph fusion operator of LEGO (docs/methods.md §1.4;
    `paper <https://arxiv.org/abs/2410.01506>`_).

    ``mode="pairwise"`` (the paper): one signed :math:`A \in
    \mathbb{R}^{(P_a+1) \times (P_b+1)}` per unordered source pair (or one
    shared :math:`A` with ``shared=True``, a **[choice]**),

    .. math::
        G = \sum_{p,q} A_{pq}\, R_a^p \circ R_b^q .

    With :math:`M > 2` sources a random pair is fused at each training step
    (the paper's "random pairwise sample", ``pairs="sample"``) and the mean
    over all pairs in eval mode. With one source the pair is the source with
    itself. ``pairs="all"`` (a **[choice]**, beyond the paper) trains on the
    mean over all pairs too, the form that is evaluated: a head that
    normalises G (label propagation, GCN-style degree normalisation) is blind
    to the scale of one pair's :math:`A`, so training one pair at a time
    cannot learn how much each pair weighs in the mean.

    ``mode="cp"`` (ours): the M-way CP-factorised operator with ``rank``
    components, fusing all sources at once,
    :math:`G = \sum_r \prod_m \sum_p a_{m,r,p} R_m^p`.

    ``mode="full"`` (ours): one operator over all M sources,
    :math:`A \in \mathbb{R}^{(P_1+1) \times \dots \times (P_M+1)}`,
    :math:`G = \sum A_{p_1..p_M} R_1^{p_1} \circ \dots \circ R_M^{p_M}`
    (:func:`~pyg_fusion.functional.lego_fuse_full`): the pairwise operator
    for two sources; for more it contains the M-way product of the graphs
    (which no pairwise operator does), their mean and every pair's terms,
    with :math:`\prod_m (P_m+1)` parameters (64 for three sources and
    :math:`P = 3`).

    Initialisation (a **[choice]**): ``init="product"`` (default)
    :math:`A_{11} = 1`, all else 0, so the untrained operator is the plain
    graph product :math:`\hat R_a \circ \hat R_b` (``mode="full"``:
    :math:`A_{1..1} = 1`, the product of all M graphs); CP factors start at
    :math:`a_{m,r,1} = 1`, all else 0, plus Gaussian noise of standard deviation
    0.1 (:math:`\mathcal{N}(0, 0.1^2)`) on every entry when ``rank > 1``, to
    break symmetry. ``init="mean"`` (pairwise, with
    ``zeroth="ones"``): :math:`A_{10} = A_{01} = 1/2`, so the untrained
    operator is the mean of the graphs (over all pairs, the mean of all
    sources' graphs; ``mode="full"``: :math:`1/M` on each single-source
    entry :math:`A_{0..1_m..0}`).

    ``zeroth="ones"`` (ours): the zeroth power is the Hadamard identity (1 on
    the support) instead of :math:`R^0 = I`, so that :math:`A_{p0} R_a^p`
    and :math:`A_{0q} R_b^q` are single-source terms (see
    :mod:`pyg_fusion.functional.fuse`), which live on one source's support:
    ``support="intersection"`` would drop them, so it needs
    ``zeroth="identity"`` (with which G is 0 off the intersection).

    ``term_scale`` (ours, default :obj:`"none"`): each term
    :math:`T = R_a^p \circ R_b^q` (or :math:`R_1^{p_1} \circ \dots`) is
    brought, on each graph, to the scale of the product term
    :math:`T_{1..1}`: divided by its own scale and multiplied by the
    product's, the mean absolute entry (``"mean"``) or the root mean square
    entry (``"rms"``) over the support
    (:mod:`pyg_fusion.functional.term_scale`), so that :math:`A`'s entries
    weigh terms of one scale: with row-normalised powers of :math:`N`-node
    graphs the Hadamard identity is 1 per entry, a power about :math:`1/N`,
    an M-way product about :math:`N^{-M}`, and an optimiser that moves every
    entry of :math:`A` by about its learning rate would otherwise bury the
    term the operator starts from. The product term, and so the product
    start, is unchanged. Pairwise and full modes.

    ``lambda_anchor`` (a **[choice]**, default 0: off) weighs the penalty
    :math:`\lambda \sum \|A - A_0\|_F^2` returned by :meth:`penalty`,
    which pulls every operator (or CP factor) toward its initial value
    :math:`A_0`; the training tasks add it to the loss. :math:`A_0` is kept
    in the state dict (``start_*`` buffers): a reloaded model keeps its
    anchor, also the random start of a CP operator of rank > 1.

    Args:
        sources (List[str]): source names, non-empty strings without ``.`` or
            ``|`` (processed in sorted order).
        num_powers (int or Dict[str, int], optional): :math:`P` for every source,
            or a dict per source. (default: :obj:`3`)
        mode (str, optional): :obj:`"pairwise"`, :obj:`"cp"` or :obj:`"full"`.
            (default: :obj:`"pairwise"`)
        rank (int, optional): CP rank (``mode="cp"`` only). (default: :obj:`1`)
        shared (bool, optional): one :math:`A` for all pairs (pairwise mode, equal
            :math:`P`). (default: :obj:`False`)
        pairs (str, optional): :obj:`"sample"` (the paper) or :obj:`"all"`: the
            pairs fused in training (see above). (default: :obj:`"sample"`)
        support (str, optional): sparse inputs only: :obj:`"union"` or
            :obj:`"intersection"` of the sources' supports (see
            :func:`~pyg_fusion.functional.lego_fuse_sparse`; G is exactly 0
            outside the intersection, which may be far smaller), or
            :obj:`"shared"`: the sources' graphs were built on one support
            (:class:`~pyg_fusion.nn.LEGO` with ``support="shared"``), fused on the
            union of their powers' supports. (default: :obj:`"union"`)
        zeroth (str, optional): :obj:`"identity"` (the paper) or :obj:`"ones"`
            (see above). (default: :obj:`"identity"`)
        init (str, optional): :obj:`"product"` or :obj:`"mean"` (see above).
            (default: :obj:`"product"`)
        lambda_anchor (float, optional): weight of :meth:`penalty` (>= 0).
            (default: :obj:`0.0`)
        term_scale (str, optional): :obj:`"none"`, :obj:`"mean"` or
            :obj:`"rms"` (see above). (default: :obj:`"none"`)

    Shapes:
        - **input**: dict source -> dense powers ``[B, P+1, N, N]``, or dict
          source -> ``(edge_index [2, E], edge_attr [E, P+1])`` with ``num_nodes``
          (and ``batch`` ``[N]``, the graph of each node: the term scales are per graph)
        - **output**: ``G`` ``[B, N, N]`` or ``(edge_index, edge_weight)``
    """

    __prepare_scriptable__ = refuse_torchscript  # torch.jit.script: an error naming it

    def __init__(self, sources: list[str], num_powers: int | dict[str, int] = 3,
                 mode: str = "pairwise", rank: int = 1, shared: bool = False,
                 pairs: str = "sample", support: str = "union", *,
                 zeroth: str = "identity", init: str = "product",
                 lambda_anchor: float = 0.0, term_scale: str = "none"):
        super().__init__()
        check_fusion_options(sources, mode, rank, pairs, support, zeroth, init,
                             lambda_anchor, term_scale, shared=shared)
        self.pair_mode, self.support = pairs, support
        self.zeroth, self.init, self.lambda_anchor = zeroth, init, float(lambda_anchor)
        self.term_scale = term_scale
        self.sources = sorted(sources)
        self.num_powers = powers_by_source(self.sources, num_powers)
        self.mode, self.rank, self.shared = mode, rank, shared
        m = len(self.sources)
        self.pairs = (list(itertools.combinations(self.sources, 2)) if m > 1
                      else [(self.sources[0], self.sources[0])])
        if mode == "pairwise":
            if shared:
                if len(set(self.num_powers.values())) != 1:
                    raise ValueError("shared=True needs the same num_powers for all sources")
                p1 = next(iter(self.num_powers.values())) + 1
                self.A = Parameter(torch.empty(p1, p1))
            else:
                self.A = OperatorDict({
                    pair_key(a, b): Parameter(torch.empty(self.num_powers[a] + 1,
                                                          self.num_powers[b] + 1))
                    for a, b in self.pairs})
        elif mode == "full":
            self.A = Parameter(torch.empty(*(p + 1 for p in self.num_powers.values())))
        else:
            self.factors = OperatorDict({
                s: Parameter(torch.empty(rank, self.num_powers[s] + 1))
                for s in self.sources})
        self.reset_parameters()

    def _operator_names(self) -> list[str]:
        # "A", "A.<pair>" or "factors.<source>", in the order of
        # named_parameters() (the starts' order), whether or not a
        # parametrization (torch.nn.utils.parametrize) is registered on them:
        # named_parameters() then names its ".parametrizations.A.original"
        if self.mode == "cp":
            return [f"factors.{s}" for s in self.sources]
        if self.mode == "pairwise" and not self.shared:
            return [f"A.{pair_key(a, b)}" for a, b in self.pairs]
        return ["A"]

    def _operator_tensor(self, name: str) -> Tensor:
        owner, _, leaf = name.rpartition(".")
        return getattr(self.get_submodule(owner), leaf)  # a parametrization's value

    def reset_parameters(self):
        for name in self._operator_names():
            owner, _, leaf = name.rpartition(".")
            assign(self.get_submodule(owner), leaf,
                   start_value(self._operator_tensor(name).detach(), self.mode,
                               self.rank, self.init))
            # the start of every operator, for penalty(); saved with the model, as
            # the CP start with rank > 1 is random: a reloaded model keeps its anchor
            self.register_buffer(start_name(name), self._operator_tensor(name).detach().clone())

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # state saved before the start was kept: the start built here stays
        for name in self._operator_names():
            key = prefix + start_name(name)
            owner, _, leaf = name.rpartition(".")
            original = f"{prefix}{owner}{'.' if owner else ''}parametrizations.{leaf}.original"
            if key not in state_dict and (prefix + name in state_dict or any(
                    k.startswith(original) for k in state_dict)):
                state_dict[key] = getattr(self, start_name(name))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def penalty(self) -> Tensor:
        r""":math:`\lambda \sum \|A - A_0\|_F^2` over the operators (or CP
        factors), :math:`A_0` their values at :meth:`reset_parameters`
        (through a parametrization registered on them, its value)."""
        total = None
        for name in self._operator_names():
            d = ((self._operator_tensor(name) - getattr(self, start_name(name))) ** 2).sum()
            total = d if total is None else total + d
        return self.lambda_anchor * total

    @property
    def _align_support(self) -> str:
        # graphs built on one shared support: fuse on the union of the powers
        return "union" if self.support == "shared" else self.support

    def operator(self, a: str, b: str) -> Tensor:
        r"""The :math:`A` of the pair ``(a, b)``: :math:`G = \sum_{pq} A_{pq}
        R_a^p \circ R_b^q` (the transpose of the pair ``(b, a)``'s)."""
        if self.mode != "pairwise":
            raise ValueError("operator() is defined for mode='pairwise'")
        if self.shared:
            # shared: one A, which every pair applies in sorted order (a < b)
            if a in self.sources and b in self.sources:
                return self.A if a <= b else self.A.t()
        elif pair_key(a, b) in self.A.keys():
            return self.A[pair_key(a, b)]
        elif pair_key(b, a) in self.A.keys():
            return self.A[pair_key(b, a)].t()
        raise KeyError(f"no operator for the pair ({a!r}, {b!r})")

    def active_pairs(self) -> list[tuple[str, str]]:
        """The pairs fused by the next call: one random pair in training when
        there are more than two sources (``pairs="sample"``), all pairs
        otherwise."""
        if self.training and len(self.pairs) > 1 and self.pair_mode == "sample":
            return [self.pairs[int(torch.randint(len(self.pairs), (1, )))]]
        return self.pairs

    @float32_under_autocast
    def forward(self, powers: dict, num_nodes: int | None = None,
                batch: Tensor | None = None, *, keep_zeros: bool | dict = True):
        """Fuses the powers of every source (see the class docstring).
        ``batch`` (sparse inputs): the graph of each node, for per-graph term
        scales. ``keep_zeros=False`` (sparse inputs): the entries where every
        power of a source is 0 (a kNN edge whose similarity was clamped to 0,
        the paths through it) are dropped first, and with ``zeroth="identity"``
        the fusion runs on the intersection of the supports, so that the
        output holds the entries where G can be non-zero for some operator,
        those the dense backend reads from the values (:class:`~pyg_fusion.nn.LEGO`:
        an edge list, such as GAT's or SAGE's neighbourhoods, is the same on
        both backends). Values and term scales are unchanged by it: every term
        of that source is 0 there, and a scale enters only as a ratio of two
        terms' moments over the same entries. ``keep_zeros`` may also be a
        dict source -> ``[E]`` bool, the entries of that source's powers kept
        (the others dropped as with :obj:`False`): :class:`~pyg_fusion.nn.LEGO`
        keeps there the entries that are 0 in every power but whose gradient
        is not (:mod:`pyg_fusion.functional._live`)."""
        sparse = check_powers(self, powers, num_nodes)
        if sparse and keep_zeros is not True:
            keep = keep_zeros if isinstance(keep_zeros, dict) else {}
            powers = {s: _some_power_nonzero(*powers[s], keep.get(s)) for s in self.sources}
        support = self._align_support
        if keep_zeros is not True and self.zeroth == "identity":
            support = "intersection"
        if self.mode == "full":
            if sparse:
                return lego_fuse_full_sparse([powers[s][0] for s in self.sources],
                                             [powers[s][1] for s in self.sources], self.A,
                                             num_nodes, support=support,
                                             zeroth=self.zeroth, term_scale=self.term_scale,
                                             batch=batch)
            return lego_fuse_full([powers[s] for s in self.sources], self.A,
                                  zeroth=self.zeroth, term_scale=self.term_scale)
        if self.mode == "cp":
            if sparse:
                return lego_fuse_cp_sparse([powers[s][0] for s in self.sources],
                                           [powers[s][1] for s in self.sources],
                                           [self.factors[s] for s in self.sources],
                                           num_nodes, support=support,
                                           zeroth=self.zeroth)
            return lego_fuse_cp([powers[s] for s in self.sources],
                                [self.factors[s] for s in self.sources], zeroth=self.zeroth)
        pairs = self.active_pairs()
        if not sparse:
            out = sum(lego_fuse(powers[a], powers[b], self.operator(a, b), zeroth=self.zeroth,
                                term_scale=self.term_scale)
                      for a, b in pairs)
            return out / len(pairs)
        graphs = [lego_fuse_sparse(*powers[a], *powers[b], self.operator(a, b), num_nodes,
                                   support=support, zeroth=self.zeroth,
                                   term_scale=self.term_scale, batch=batch)
                  for a, b in pairs]
        if len(graphs) == 1:
            return graphs[0]
        with torch.no_grad():
            index, positions = union_edges([g[0] for g in graphs], num_nodes)
        weight = scatter_sum(torch.cat([g[1] for g in graphs]), torch.cat(positions),
                             index.size(1))
        return index, weight / len(graphs)

    def plan(self, powers: dict, num_nodes: int) -> dict:
        """Precomputes the fusion of sparse powers that stay fixed (one
        transductive graph, no learned projection): each pair's entries on the
        intersection of its supports with their aligned hop scores, and their
        slots in the union over all pairs. :meth:`fuse_planned` then costs two
        small products and one scatter per pair, where :meth:`forward` would
        align the supports (sorts) again at every step. Pairwise mode only;
        the plan holds no parameter, so a trained operator still applies."""
        if self.mode != "pairwise" or self.term_scale != "none":
            raise ValueError("plan() is defined for mode='pairwise' with term_scale='none'")
        if not check_source_powers(powers, self.sources, num_nodes, edges=True,
                                   num_powers=self.num_powers):
            raise ValueError("plan() takes sparse powers: (edge_index, edge_attr) per source")
        with torch.no_grad():
            # with R^0 = I, G is 0 off the intersection whatever A: plan there
            support = "intersection" if self.zeroth == "identity" else self._align_support
            parts = {(a, b): align_pair(*powers[a], *powers[b], num_nodes,
                                        support=support, zeroth=self.zeroth)
                     for a, b in self.pairs}
            index, slots = union_edges([i for i, _, _ in parts.values()], num_nodes)
        return {"num_nodes": num_nodes, "options": plan_options(self),
                "edge_index": index,
                "pairs": {pair: (xa, yb, slot)
                          for (pair, (_, xa, yb)), slot in zip(parts.items(), slots)}}

    @float32_under_autocast
    def fuse_planned(self, plan: dict) -> tuple[Tensor, Tensor]:
        """The fused graph of the planned powers (see :meth:`plan`): the same
        values as :meth:`forward` on the union of every pair's support (a pair
        left out by the training-time sampling contributes zeros)."""
        check_plan(self, plan)
        pairs = self.active_pairs()
        size = plan["edge_index"].size(1)
        weight = None
        for a, b in pairs:
            xa, yb, slot = plan["pairs"][(a, b)]
            g = scatter_sum(((xa @ self.operator(a, b)) * yb).sum(-1), slot, size)
            weight = g if weight is None else weight + g
        return plan["edge_index"], weight / len(pairs)

    def __repr__(self) -> str:
        extra = f", rank={self.rank}" if self.mode == "cp" else (
            ", shared=True" if self.shared else "")
        if self.mode == "pairwise" and self.pair_mode != "sample":
            extra += f", pairs={self.pair_mode!r}"
        if self.support != "union":
            extra += f", support={self.support!r}"
        if self.zeroth != "identity":
            extra += f", zeroth={self.zeroth!r}"
        if self.init != "product":
            extra += f", init={self.init!r}"
        if self.lambda_anchor:
            extra += f", lambda_anchor={self.lambda_anchor:g}"
        if self.term_scale != "none":
            extra += f", term_scale={self.term_scale!r}"
        return (f"{self.__class__.__name__}(sources={self.sources}, "
                f"num_powers={self.num_powers}, mode={self.mode!r}{extra})")
