r"""Similarities of units from their features: the dense relationship graph and
the similarity of given pairs (LEGO, docs/methods.md §1.2;
`paper <https://arxiv.org/abs/2410.01506>`_).

For the features :math:`F \in \mathbb{R}^{N \times d}` of one source, the
relationship graph is :math:`R_{ij} = \mathrm{sim}(f_i, f_j)` with

* ``"cosine"``: :math:`f_i^\top f_j / (\|f_i\| \|f_j\|)`, diagonal exactly 1;
* ``"rbf"``: :math:`\exp(-\gamma \|f_i - f_j\|^2)`, :math:`\gamma = 1/d` by default;
* ``"dot"``: :math:`f_i^\top f_j`.

``nonneg`` (a **[choice]** of ours, the paper is silent) handles negative
similarities so that degrees stay positive: ``"clamp"`` (default) sets them to 0,
``"shift"`` maps cosine :math:`s \mapsto (s + 1) / 2`, ``None`` keeps them.

Defined edge cases: a graph of one node is the single self loop of weight 1
(cosine, rbf) or :math:`\|f\|^2` (dot); an all-zero feature row has cosine
similarity 0 with every other unit and 1 with itself, and passes no
gradient to its features (the cosine is not continuous at 0). Cosine depends on
directions only, at any scale: rows of tiny norm (below the ``1e-12`` of
``F.normalize``) or of a squared norm beyond the dtype's range are rescaled
before they are normalised, so cosine features have no magnitude limit; rbf
and dot features are refused beyond :func:`feature_limit`.
"""
from __future__ import annotations

import torch
import torch.autograd.forward_ad as fwAD
from torch import Tensor

from ._autocast import float32_under_autocast
# centred (rbf) and unit_rows (cosine) live in modules of their own; importable from here
from ._centring import centred
from .._option_rules import is_real
from ._checks import check_choice, check_index, check_like, check_mask, check_tensor
from ._docs import SIMILARITY_ARGS, fill_doc
# the blocked products of pairs of rows live in a module of their own (its
# block sizes read there, where tests set them)
from . import _pair_dot
from ._pair_dot import _PairDot, _RowDot, _rows_per_unit
from ._unit_rows import unit_rows

__all__ = ["dense_relation_graph", "pair_similarity"]  # the others serve the package
METRICS = ("cosine", "rbf", "dot")
NONNEG = ("clamp", "shift", None)


def check_metric_options(metric: str, nonneg, gamma) -> None:
    """The checks of ``metric``, ``nonneg`` and ``gamma``, which do not read
    the features (modules run them when they are built)."""
    check_choice("metric", metric, METRICS)
    check_choice("nonneg", nonneg, NONNEG)
    if nonneg == "shift" and metric != "cosine":
        raise ValueError("nonneg='shift' maps cosine similarities in [-1, 1] to "
                         f"[0, 1]; it is undefined for metric={metric!r}")
    if gamma is not None and (not is_real(gamma) or not 0 < gamma < float("inf")):  # NaN too
        # inf: a unit's weight to itself, exp(-inf * 0), was NaN in the dense graph
        raise ValueError(f"gamma must be a positive number, got {gamma!r}; expected finite > 0")


def feature_limit(x: Tensor, metric: str) -> float | None:
    """The largest feature magnitude whose rows' squared norms stay finite in
    the dtype the similarity is computed in (float32 for 16-bit rbf
    features, as the searches compute them); :obj:`None` (no limit) for
    cosine, whose :func:`unit_rows` rescale a row whose norm overflows."""
    if metric == "cosine":
        return None
    dtype = x.dtype
    if dtype in (torch.float16, torch.bfloat16) and metric != "dot":
        dtype = torch.float32
    return (torch.finfo(dtype).max / max(x.size(-1), 1)) ** 0.5 / 2


def _check_common(x: Tensor, metric: str, nonneg, gamma, name: str = "x") -> None:
    check_metric_options(metric, nonneg, gamma)
    if metric == "rbf" and gamma is not None and gamma > torch.finfo(_rbf_dtype(x.dtype)).max:
        raise ValueError(f"gamma={gamma!r} overflows {_rbf_dtype(x.dtype)}, the dtype of rbf's "
                         f"distances for {x.dtype} {name} (NaN at distance 0, as gamma = inf)")
    if x.size(-2) == 0:
        raise ValueError(f"{name} holds no units (N = 0): a relationship graph needs "
                         "at least one node")
    _check_width(x, name)


def _check_width(x: Tensor, name: str = "x") -> None:
    if x.size(-1) == 0:
        raise ValueError(f"{name} has feature width 0: expected [..., N, d] with d >= 1")


def _apply_nonneg(s: Tensor, nonneg) -> Tensor:
    if nonneg == "clamp":
        return s.clamp(min=0)
    if nonneg == "shift":
        return (s + 1) / 2
    return s


def _rbf_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype of rbf's squared distances: at least float32."""
    return torch.promote_types(dtype, torch.float32)


def _gamma(gamma, d: int) -> float:
    return 1.0 / d if gamma is None else float(gamma)


@float32_under_autocast
def dense_relation_graph(x: Tensor, metric: str = "cosine", nonneg="clamp", *,
                         gamma: float | None = None,
                         mask: Tensor | None = None) -> Tensor:
    r"""Dense relationship graph of the units in ``x``.

    Args:
        x (torch.Tensor): features ``[N, d]`` or a batch ``[B, N, d]``.
        metric (str, optional): :obj:`"cosine"`, :obj:`"rbf"` or :obj:`"dot"`.
            (default: :obj:`"cosine"`)
        nonneg (str, optional): :obj:`"clamp"`, :obj:`"shift"` or :obj:`None`
            (see the module docstring). (default: :obj:`"clamp"`)
        gamma (float, optional): RBF width. (default: :obj:`None`, :obj:`1 / d`)
        mask (torch.Tensor, optional): ``[B, N]`` bool, :obj:`False` for padded
            units (with ``x`` of ``[B, N, d]``): their rows and columns are 0.
            (default: :obj:`None`, all units real)

    Returns:
        ``[N, N]`` or ``[B, N, N]``.
    """
    check_tensor("x", x, dims=(2, 3), floating=True)
    _check_common(x, metric, nonneg, gamma)
    check_tensor("x", x, finite=True, max_abs=feature_limit(x, metric))
    if mask is not None:
        if x.dim() != 3:
            raise ValueError(f"mask needs x of shape [B, N, d], got {tuple(x.shape)}")
        check_mask("mask", mask, tuple(x.shape[:2]), "x", x)
    n = x.size(-2)
    eye = torch.eye(n, dtype=x.dtype, device=x.device)
    if metric == "cosine":
        xn = unit_rows(x)
        s = xn @ xn.transpose(-1, -2)
        # Exactly 1 on the diagonal, also for all-zero rows (their self loop).
        s = s * (1 - eye) + eye
    elif metric == "rbf":
        # |x_i|^2 + |x_j|^2 - 2 x_i . x_j (one matrix product) loses the
        # squared distance of close units to cancellation: its rounding is
        # eps (|x_i|^2 + |x_j|^2), not eps |x_i - x_j|^2 as pair_similarity's
        # differences. In float32, units 0.1 apart among features of spread
        # 1000 would weigh 0.88 instead of 0.99 (sparse: 0.99), so float32
        # features are compared in float64 (its rounding 1e-9 times
        # smaller), the distances then rounded to float32.
        # 16-bit features in float32, as feature_limit allows them and as
        # ranking_features centres them: their graph's sum (the mean), their
        # squared norms overflowed float16 (NaN, the diagonal too) and a
        # distance beyond 65504 weighed 0 at any gamma
        wide = _rbf_dtype(x.dtype)
        # centred in float64 too: a float32 centring rounds each feature by
        # eps |x|, a difference of 1e-5 between features of 10 by 10%
        xc = centred(x.to(torch.float64 if x.dtype == torch.float32 else wide), mask=mask)
        sq = (xc * xc).sum(-1)
        d2 = sq.unsqueeze(-1) + sq.unsqueeze(-2) - 2 * xc @ xc.transpose(-1, -2)
        # the values from the differences (torch.cdist without its matrix
        # product), which do not cancel: with gamma far above the features'
        # scale the product's rounding, times gamma, moved a weight by 1e-4
        # even in float64; the gradient stays the product's (cdist has no
        # double backward), its rounding eps |x| per entry of the gradient
        with torch.no_grad():
            xd = xc.detach()  # (forward mode too: cdist has no forward derivative)
            exact = torch.cdist(xd, xd, compute_mode="donot_use_mm_for_euclid_dist") ** 2
        d2 = (d2 + (exact - d2).detach()).to(wide)
        s = torch.exp(-_gamma(gamma, x.size(-1)) * d2.clamp(min=0))
        s = (s * (1 - eye) + eye).to(x.dtype)
    else:
        s = x @ x.transpose(-1, -2)
    s = _apply_nonneg(s, nonneg)
    if mask is not None:
        m = mask.to(s.dtype)
        s = s * m.unsqueeze(-1) * m.unsqueeze(-2)
    return s


@fill_doc(similarity=SIMILARITY_ARGS)
@float32_under_autocast
def pair_similarity(x: Tensor, row: Tensor, col: Tensor, metric: str = "cosine",
                    nonneg="clamp", gamma: float | None = None) -> Tensor:
    """Similarity of the unit pairs ``(row[e], col[e])``, differentiable in
    ``x``; the same numbers as :func:`dense_relation_graph` at those entries.

    Args:
        x (torch.Tensor): features ``[N, d]``.
        row (torch.Tensor): ``[E]`` first unit of each pair.
        col (torch.Tensor): ``[E]`` second unit of each pair.
        {similarity}

    Returns:
        torch.Tensor: ``[E]``.
    """
    check_tensor("x", x, dims=(2, ), floating=True)
    check_metric_options(metric, nonneg, gamma)
    _check_width(x)  # as dense_relation_graph (an edge block's size divides by it)
    check_tensor("x", x, finite=True, max_abs=feature_limit(x, metric))
    check_index("row", row, x.size(0), "unit indices")
    check_index("col", col, x.size(0), "unit indices")
    check_like("row", row, "x", x, dtype=False)
    check_like("col", col, "x", x, dtype=False)
    if row.numel() != col.numel():
        raise ValueError(f"row and col must have one entry per pair, got {row.numel()} and "
                         f"{col.numel()}")
    return _pair_similarity(x, row, col, metric, nonneg, gamma)


def _pair_similarity(x: Tensor, row: Tensor, col: Tensor, metric: str, nonneg,
                     gamma: float | None) -> Tensor:
    # pair_similarity without its checks, for pairs a search of x produced
    per_row = _rows_per_unit(row, x.size(0))
    if metric == "rbf":
        # 16-bit features in float32 (see dense_relation_graph), the weights
        # rounded to their dtype once
        out_dtype, x = x.dtype, x.to(_rbf_dtype(x.dtype))
        if per_row is not None:
            # kNN rows (the same count per unit, in row order): x[row] as a
            # broadcast view saves one [E, d] gather and its scatter-add
            # backward; the numbers are the same.
            xi = x.unsqueeze(1)
            xj = x.index_select(0, col).view(x.size(0), per_row, x.size(1))
        else:
            xi, xj = x[row], x[col]
        diff = xi - xj
        s = torch.exp(-_gamma(gamma, x.size(-1)) * (diff * diff).sum(-1)).view(-1)
        s = torch.where(row == col, torch.ones_like(s), s).to(out_dtype)
        return _apply_nonneg(s, nonneg)
    xs = unit_rows(x) if metric == "cosine" else x
    if not torch.compiler.is_compiling() and _transformed(xs):
        # the blocked Functions below have neither torch.func's
        # setup_context nor a forward derivative: autograd's own ops
        s = (xs[row] * xs[col]).sum(-1)
    elif per_row is not None and not torch.compiler.is_compiling():
        # kNN rows: row blocks, the same numbers as below (torch 2.5's dynamo refused its out=)
        s = _RowDot.apply(xs, col, per_row)
    elif _pair_dot._PAIRDOT_BLOCK // x.size(1) >= 2 and xs.dtype in (torch.float32, torch.float64) \
            and xs.device.type == "cpu" and not torch.compiler.is_compiling():
        # other pairs (a shared support, a threshold graph): in edge blocks
        # on the CPU, whose caches they are for (16-bit: autograd's
        # index_put sums otherwise than index_add_; CUDA: index_add_ adds
        # by atomics, autograd's index_put in a sorted order)
        s = _PairDot.apply(xs, row, col)
    else:
        s = (xs[row] * xs[col]).sum(-1)
    if metric == "cosine":
        s = torch.where(row == col, torch.ones_like(s), s)
    return _apply_nonneg(s, nonneg)


def _transformed(x: Tensor) -> bool:
    """Whether ``x`` is under a torch.func transform (grad, jacrev, vmap,
    ...) or carries a forward-mode tangent (torch.autograd.forward_ad)."""
    # torch.func has no public test of a transform being active (as
    # _checks._under_vmap); without torch's private one, every call is
    # taken as transformed: slower, never wrong
    peek = getattr(torch._C._functorch, "peek_interpreter_stack", None)
    if peek is None or peek() is not None:
        return True
    return fwAD.unpack_dual(x).tangent is not None


def ranking_features(x: Tensor, metric: str, batch: Tensor | None = None,
                     mask: Tensor | None = None) -> Tensor:
    """The features by which the kNN searches rank neighbours (no
    gradient): unit rows for cosine, in float32 for 16-bit ``x``, as faiss
    ranks them, so that every search of the library ranks alike; for rbf,
    each graph's features :func:`centred` (``batch`` / ``mask``: the graphs
    of ``x``)."""
    if x.dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    if metric == "rbf":
        return centred(x, batch, mask)
    return unit_rows(x) if metric == "cosine" else x
