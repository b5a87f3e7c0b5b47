"""Each graph's features centred on the mean of its (real) units, for the
rbf metric of :mod:`.similarity`: one segment sum per graph in every layout
(padded ``[B, N, d]`` or concatenated ``[N, d]`` with ``batch``), so that
both backends centre, rank and threshold a batch to the same bits."""
from __future__ import annotations

import torch
from torch import Tensor


def centred(x: Tensor, batch: Tensor | None = None, mask: Tensor | None = None) -> Tensor:
    """``x`` minus the mean of its graph's (real) units: ``[N, d]`` with an
    optional sorted ``batch`` (not checked here: its callers have run
    ``check_batch``; an unsorted one would mix graphs' means), or
    ``[B, N, d]`` with an optional ``mask``.
    Squared distances do not change; computed as ``|x_i|^2 + |x_j|^2 - 2
    x_i . x_j`` (a matrix product), their float32 rounding then scales with
    the spread of the features, not with a common offset: at an offset of
    100 (raw intensities) it exceeded the gaps between neighbours, so rbf
    kNN graphs kept neighbours by index.

    Every layout takes each graph's mean by one segment sum over its real
    rows in order, so that the padded (dense) and the concatenated (sparse)
    form of a batch are centred to the same bits, and both backends rank and
    threshold alike. A segment reduction, not a scatter: on CUDA a scatter
    adds by atomics in no fixed order, so the two forms (and two runs) could
    differ in the last bit and rank near-ties differently."""
    if x.dim() == 3:
        b, n = x.shape[:2]
        real = (mask if mask is not None
                else torch.ones(b, n, dtype=torch.bool, device=x.device))
        count = real.sum(1)
        return x - _graph_means(x[real], count).unsqueeze(1)
    if x.size(0) == 0:
        return x
    if batch is None:
        return x - _graph_means(x, x.new_full((1,), x.size(0), dtype=torch.long))
    count = torch.bincount(batch)  # batch is sorted (the callers' check_batch)
    return x - _graph_means(x, count).index_select(0, batch)


class _SegmentSum(torch.autograd.Function):
    """PyG's ``segment`` sum, whose backward (a copy of each run's gradient
    to its rows) is written with differentiable ops: without torch_scatter,
    ``segment`` is ``torch.segment_reduce``, whose backward has no
    derivative, so second derivatives of rbf graphs failed."""

    # forward and setup_context apart, as _UnitRows: torch.func (grad over
    # functional_call in meta-learning) refuses a Function whose forward
    # takes ctx, and both are on the dense backend's path; a sum is linear:
    # forward mode (torch.func.jvp) sums the tangent
    @staticmethod
    def forward(rows: Tensor, count: Tensor) -> Tensor:
        from torch_geometric.utils import cumsum, segment
        return segment(rows, cumsum(count), reduce="sum")

    @staticmethod
    def setup_context(ctx, inputs, output):
        rows, count = inputs
        ctx.save_for_backward(count)
        ctx.save_for_forward(count)
        ctx.num_rows = rows.size(0)

    @staticmethod
    def jvp(ctx, rows_t: Tensor, _count_t) -> Tensor:
        count, = ctx.saved_tensors
        return _SegmentSum.apply(rows_t, count)

    @staticmethod
    def backward(ctx, grad: Tensor):
        count, = ctx.saved_tensors
        return grad.repeat_interleave(count, dim=0, output_size=ctx.num_rows), None

    @staticmethod
    def vmap(info, in_dims, rows: Tensor, count: Tensor):
        # torch.func.jacfwd / hessian map the tangents: the mapped dimension
        # moved behind the features, one segment sum for all (torch's
        # fallback for the segment op loops over them, with a warning)
        rows_dim, count_dim = in_dims
        if count_dim is not None:  # one graph layout per mapped entry
            rows = (rows.movedim(rows_dim, 0) if rows_dim is not None
                    else rows.expand(info.batch_size, *rows.shape))
            return torch.stack([_SegmentSum.apply(r, c)
                                for r, c in zip(rows, count.movedim(count_dim, 0))]), 0
        x = rows.movedim(rows_dim, -1)
        out = _SegmentSum.apply(x.reshape(x.size(0), -1), count)
        out = out.view(out.size(0), *x.shape[1:])
        return out, out.dim() - 1


def _graph_means(rows: Tensor, count: Tensor) -> Tensor:
    """``[B, d]`` means of consecutive runs of ``count`` rows (0 for an
    empty run, as a scatter mean gives), by PyG's ``segment``."""
    total = _SegmentSum.apply(rows, count)
    return total / count.clamp(min=1).unsqueeze(1).to(rows.dtype)
