"""Parameter-free asymmetric exchange operators of AsymFusion.

"Learning Deep Multimodal Feature Representation with Asymmetric Multi-layer
Fusion", Wang, Sun, Lu, Yao, ACM MM 2020 (https://arxiv.org/abs/2108.05009).

* :func:`channel_shuffle`: each modality keeps its first ``4g`` channels and
  takes the remaining ones from another modality (docs/methods.md §2.3).
* :func:`pixel_shift`: four groups of ``g`` channels translated down, right,
  left and up by one pixel with zero fill (section 2.4).

Both are asymmetric: ``F(a, b) != F(b, a)``, so each direction of the exchange
hands a different tensor to its receiver.

The four exchanges check shapes, dtypes, devices and their integer and
graph arguments, but not the features' values: NaN or Inf pass through as in
torch's layers (to the channels that receive them), with no pass over the
features nor host synchronisation per block. The models built on them
(:class:`~pyg_fusion.nn.asym.AsymFusionSegmenter`,
:class:`~pyg_fusion.nn.asym.AsymFusionTranslator`,
:class:`~pyg_fusion.nn.asym.AsymGraphFusion`) check their inputs once, by name.

Beyond the paper, the same exchange on node features of aligned sources
``[N, C]``: :func:`channel_shuffle` works unchanged on them (channels are
dimension 1); :func:`temporal_shift` moves channel groups along the temporal
order of snippet sequences and :func:`edge_shift` along the edges of a graph.
"""
from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import Tensor

from .._scatter import scatter_sum
from ._autocast import float32_under_autocast
from .._option_rules import is_real
from ._checks import (check_batch, check_edge_index, check_edge_weight, check_int, check_like,
                      check_tensor)

__all__ = ["shift_groups", "channel_shuffle", "pixel_shift", "temporal_shift",
           "edge_shift"]


def shift_groups(channels: int, ratio: float = 0.2) -> int:
    """The group size ``g = floor(channels * ratio)`` of AsymFusion (``C // 5``
    with the default ``ratio=0.2``); ``4 g`` channels are the kept / shifted
    part, the other ``channels - 4 g`` the exchanged part.

    Args:
        channels (int): :math:`C`.
        ratio (float, optional): ``g / C``. (default: :obj:`0.2`)

    Returns:
        int: ``g``.
    """
    if not is_real(ratio):
        raise TypeError(f"ratio must be a float, got {ratio!r}")
    if not 0.0 <= ratio <= 0.25:
        raise ValueError(f"ratio must lie in [0, 0.25] so that 4 groups fit in "
                         f"the channels, got {ratio}")
    # The epsilon protects exact multiples from float round-off (C * 0.2 for
    # C = 5k can land a hair below k for other ratios such as 0.15).
    return int(math.floor(channels * ratio + 1e-9))


def _check_list(name: str, xs) -> list[Tensor]:
    if isinstance(xs, Tensor) or not isinstance(xs, (list, tuple)):
        raise TypeError(f"{name} must be a list of per-modality tensors, got "
                        f"{type(xs).__name__}")
    if len(xs) == 0:
        raise ValueError(f"{name} must hold at least one tensor, got an empty list")
    for i, x in enumerate(xs):
        check_tensor(f"{name}[{i}]", x)  # values unchecked: see the module docstring
        check_like(f"{name}[{i}]", x, f"{name}[0]", xs[0])
        if x.dim() < 2:
            raise ValueError(f"{name}[{i}] must have shape [B, C, ...], got "
                             f"{tuple(x.shape)}")
        if x.shape != xs[0].shape:
            raise ValueError(f"all tensors of {name} must have the same shape: "
                             f"{name}[0] is {tuple(xs[0].shape)}, {name}[{i}] is "
                             f"{tuple(x.shape)}")
    return list(xs)


def channel_shuffle(xs: Sequence[Tensor], ratio: float = 0.2) -> list[Tensor]:
    r"""Asymmetric channel shuffle of AsymFusion (docs/methods.md §2.3).

    With :math:`g = \lfloor C \cdot \mathrm{ratio} \rfloor` and :math:`k = 4g`,
    modality :math:`i` keeps its own channels :math:`[0, k)` and takes the
    channels :math:`[k, C)` of modality :math:`(i + 1) \bmod M` at the same
    indices:

    .. math::
        \mathrm{out}_i = \big[\, x_i[:, :k] \;\|\; x_{(i+1) \bmod M}[:, k:] \,\big]

    For two modalities this is the paper's exchange (RGB takes depth's tail and
    depth takes RGB's tail). The cyclic rule for :math:`M > 2` is this
    library's extension (the released code handles two modalities only). With
    one modality the input is returned unchanged. Parameter-free and
    differentiable.

    With :math:`g = 0` (fewer than 5 channels at the default ratio, or
    ``ratio=0``) the rule above would replace each modality whole by the next
    one and lose its own features; instead nothing is exchanged and every
    modality is returned unchanged (a **[choice]**, the defined behaviour of
    this library). :func:`pixel_shift`, :func:`temporal_shift` and
    :func:`edge_shift` move nothing with :math:`g = 0` either, so a block
    whose width is too small for a group simply does not fuse.

    The exchanged part is the :math:`C - 4g` channels past :math:`k`: at
    ``ratio=0.25`` with :math:`C` a multiple of 4, :math:`k = C` and nothing
    is exchanged either (every modality is returned unchanged), as the
    formula gives; at ``ratio=0.25`` only the :math:`C \bmod 4` last
    channels are. The paper's ``C // 5`` (``ratio=0.2``) exchanges at least
    one fifth of them.

    Args:
        xs (Sequence[torch.Tensor]): ``M`` tensors of the same shape
            ``[B, C, ...]`` (images ``[B, C, H, W]`` or node features
            ``[N, C]``).
        ratio (float, optional): ``g / C``, at most ``0.25`` (the paper's
            ``C // 5``). (default: :obj:`0.2`)

    Returns:
        list of ``M`` tensors, shapes as the input.
    """
    xs = _check_list("xs", xs)
    g = shift_groups(xs[0].size(1), ratio)
    m = len(xs)
    if m == 1:
        return [xs[0]]
    if g == 0:  # see the docstring: nothing is exchanged
        return list(xs)
    k = 4 * g
    return [torch.cat([xs[i][:, :k], xs[(i + 1) % m][:, k:]], dim=1)
            for i in range(m)]


def pixel_shift(x: Tensor, shift: int = 1, ratio: float = 0.2) -> Tensor:
    r"""Asymmetric pixel shift of AsymFusion (docs/methods.md §2.4).

    With :math:`g = \lfloor C \cdot \mathrm{ratio} \rfloor`, channels
    :math:`[0, 4g)` form four groups of :math:`g` channels translated by
    :math:`s` = ``shift`` pixels with zero fill, and channels :math:`[4g, C)`
    are zero:

    * group 0 moves down: :math:`\mathrm{out}[i, j] = x[i - s, j]`
    * group 1 moves right: :math:`\mathrm{out}[i, j] = x[i, j - s]`
    * group 2 moves left: :math:`\mathrm{out}[i, j] = x[i, j + s]`
    * group 3 moves up: :math:`\mathrm{out}[i, j] = x[i + s, j]`

    In AsymFusion the shifted features of one modality are added to the other
    modality's features (see :class:`pyg_fusion.nn.asym.AsymFusionBottleneck`).

    Args:
        x (torch.Tensor): ``[B, C, H, W]``.
        shift (int, optional): translation in pixels (>= 0; ``1`` in the
            paper). (default: :obj:`1`)
        ratio (float, optional): ``g / C``. (default: :obj:`0.2`)

    Returns:
        ``[B, C, H, W]``.
    """
    check_tensor("x", x, dims=(4, ))
    check_int("shift", shift, minimum=0)
    g = shift_groups(x.size(1), ratio)
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    s = shift
    if g == 0:
        return out
    grp = [slice(q * g, (q + 1) * g) for q in range(4)]
    if s == 0:
        out[:, :4 * g] = x[:, :4 * g]
        return out
    if s < h:
        out[:, grp[0], s:, :] = x[:, grp[0], :h - s, :]   # down
        out[:, grp[3], :h - s, :] = x[:, grp[3], s:, :]   # up
    if s < w:
        out[:, grp[1], :, s:] = x[:, grp[1], :, :w - s]   # right
        out[:, grp[2], :, :w - s] = x[:, grp[2], :, s:]   # left
    return out


def _check_nodes(x: Tensor, batch: Tensor | None) -> Tensor | None:
    check_tensor("x", x, dims=(2, ))
    if batch is not None:
        check_batch("batch", batch, x.size(0), "row of x", ref=("x", x))
    return batch


def temporal_shift(x: Tensor, shift: int = 1, ratio: float = 0.2,
                   batch: Tensor | None = None) -> Tensor:
    r"""Pixel shift along time for node features of snippet sequences (this
    library's extension of :func:`pixel_shift` to 1-D order; not in the paper).

    With :math:`g = \lfloor C \cdot \mathrm{ratio} \rfloor`, channels
    :math:`[0, 2g)` move forward in time (:math:`\mathrm{out}[t] = x[t - s]`),
    channels :math:`[2g, 4g)` move backward (:math:`\mathrm{out}[t] = x[t + s]`)
    and channels :math:`[4g, C)` are zero. A line has two directions where an
    image has four, so the four groups of the image case pair up. Nothing
    crosses the border of a sequence: positions with no source are zero.

    Args:
        x (torch.Tensor): ``[N, C]`` rows in temporal order within each
            sequence.
        shift (int, optional): steps (>= 0). (default: :obj:`1`)
        ratio (float, optional): ``g / C``. (default: :obj:`0.2`)
        batch (torch.Tensor, optional): ``[N]`` sequence id of each row, sorted
            (rows of one sequence contiguous, as in a PyG ``Batch``; an unsorted
            vector is an error). (default: :obj:`None`, one sequence)

    Returns:
        ``[N, C]``.
    """
    batch = _check_nodes(x, batch)
    check_int("shift", shift, minimum=0)
    g = shift_groups(x.size(1), ratio)
    n = x.size(0)
    out = torch.zeros_like(x)
    # a shift of n or more moves every row past its sequence; one past int64
    # (10**30) failed in torch's arithmetic ("can't convert negative int to unsigned")
    if g == 0 or n == 0 or shift >= n:
        return out
    t = torch.arange(n, device=x.device)
    for cols, step in ((slice(0, 2 * g), -shift), (slice(2 * g, 4 * g), shift)):
        src = t + step
        ok = (src >= 0) & (src < n)
        if batch is not None:
            ok &= batch[src.clamp(0, n - 1)] == batch
        dst = t[ok]
        out[dst, cols] = x[src[ok], cols]
    return out


@float32_under_autocast
def edge_shift(x: Tensor, edge_index: Tensor, ratio: float = 0.2,
               edge_weight: Tensor | None = None) -> Tensor:
    r"""Shift along graph edges (this library's extension of :func:`pixel_shift`
    to graphs; not in the paper).

    A graph has no "down" or "left", so the :math:`4g` shifted channels move
    one hop along the edges: each node receives the (weighted) mean of its
    in-neighbours' channels :math:`[0, 4g)`; channels :math:`[4g, C)` are zero,
    as are nodes without in-neighbours:

    .. math::
        \mathrm{out}_i[:4g] = \frac{\sum_{j \to i} w_{ji}\, x_j[:4g]}
        {\sum_{j \to i} w_{ji}}

    Args:
        x (torch.Tensor): ``[N, C]``.
        edge_index (torch.Tensor): ``[2, E]`` (source, target).
        ratio (float, optional): ``g / C``. (default: :obj:`0.2`)
        edge_weight (torch.Tensor, optional): ``[E]`` non-negative weights
            (of any size: the mean's own scale is theirs). (default: :obj:`None`, ones)

    Returns:
        ``[N, C]``.
    """
    check_tensor("x", x, dims=(2, ), floating=True)  # values unchecked: module docstring
    n = x.size(0)
    edge_index = check_edge_index("edge_index", edge_index, n)  # torch.long
    check_like("edge_index", edge_index, "x", x)
    k = 4 * shift_groups(x.size(1), ratio)
    if edge_weight is None:
        edge_weight = x.new_ones(edge_index.size(1))
    else:
        check_edge_weight(edge_weight, edge_index, finite=True)  # any dtype: cast below
        if bool((edge_weight < 0).any()):
            raise ValueError("edge_weight must be non-negative")
        # A weighted mean does not change with the weights' scale: weights past
        # the square root of x's largest value (256 in float16, 1.8e19 in
        # float32) are divided by their largest, else they (or their sums,
        # products) overflowed in x's dtype and the output was NaN / Inf without
        # a word. Smaller weights are used as given (same numbers).
        top = edge_weight.detach().max() if edge_weight.numel() else None
        if top is not None and float(top) > math.sqrt(torch.finfo(x.dtype).max):
            edge_weight = edge_weight / top
        edge_weight = edge_weight.to(x.dtype)
    src, dst = edge_index
    num = scatter_sum(x[src, :k] * edge_weight.unsqueeze(-1), dst, n)
    den = scatter_sum(edge_weight, dst, n)
    # a node without in-neighbours (den 0, num 0) gets 0; a clamp at the
    # dtype's tiny made the mean of weights below it (1e-39 in float32) a
    # fraction of itself
    moved = num / torch.where(den > 0, den, torch.ones_like(den)).unsqueeze(-1)
    return torch.cat([moved, x.new_zeros(n, x.size(1) - k)], dim=1)
