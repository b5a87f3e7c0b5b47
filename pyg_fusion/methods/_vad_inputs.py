"""What the video anomaly detection models read: each source of a batch of
videos as one dense ``[B, N, d]`` tensor (a finer source averaged over each
segment), and the videos' means taken out of it where asked."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter, to_dense_batch

from ..functional._checks import check_batch, check_finite, check_index, check_module_input


def dense_sources(data, sources: list[str], num_segments: int | None = None,
                  model: nn.Module | None = None) -> dict[str, Tensor]:
    """``{source: [B, N, d]}`` from a batch of videos with equal ``N``.

    A source at a finer temporal level (``x_<source>`` with
    ``assign_<source>``, e.g. :class:`~pyg_fusion.datasets.VADFeatures`'
    ``rates``) is averaged over the units of each segment first, as a
    segment averages its snippets (:func:`~pyg_fusion.datasets.resample_segments`):
    the VAD models compare segments.

    Args:
        data (torch_geometric.data.Data or torch_geometric.data.Batch): one video or a
            batch of videos, with ``x_<source>`` per source.
        sources (List[str]): the sources to read.
        num_segments (int, optional): the :math:`N` the reading model was built for,
            which the videos must have. (default: :obj:`None`: any)
        model (torch.nn.Module, optional): the reading model, whose parameters' dtype and
            device every source must have. (default: :obj:`None`)
    """
    batch = getattr(data, "batch", None)
    rows = batch.numel() if batch is not None else data.num_nodes
    shape = _equal_videos(batch) if sources else None
    if shape is None and batch is not None and sources:
        # to_dense_batch reads an unsorted vector without a word on some PyG
        # releases (2.6.0 here): videos' rows mixed silently
        check_batch("batch", batch, batch.numel(), "segment")
    out = {}
    for s in sources:
        key = f"x_{s}"
        if key not in data:
            raise ValueError(f"the data lacks {key}")
        # named here: the feature models' NaN surfaced as 'logits contain NaN'
        # (the loss's check), the graph models' as 'x contains ...'
        x = check_finite(key, data[key])
        if f"assign_{s}" in data:
            x = _segment_means(x, data[f"assign_{s}"], data.num_nodes, s)
        elif rows is not None and x.size(0) != rows:
            # to_dense_batch failed on the batch vector ("The expanded size of the
            # tensor (10) must match ..."), naming no source
            raise ValueError(f"{key} has {x.size(0)} rows, but the data has {rows} "
                             f"segments (num_nodes): a source without assign_{s} has one "
                             f"row per segment")
        if batch is None:
            out[s] = x.unsqueeze(0)
            continue
        if shape is not None and x.dim() == 2:  # (a copy, as to_dense_batch gives)
            # rows of one feature vector each: a [T] or [T, crops, F] source keeps
            # to_dense_batch's shape, which the models refuse naming it
            out[s] = x.reshape(*shape, -1).clone()
            continue
        x, mask = to_dense_batch(x, batch)
        if not bool(mask.all()):
            raise ValueError("the videos of a batch must have the same number of segments "
                             "(resample them, e.g. num_segments=32)")
        out[s] = x
    n = next(iter(out.values())).size(1) if out else None
    if num_segments is not None and n is not None and n != num_segments:
        # the row head's own error named its input graphs, [B, 8, 8], not N
        raise ValueError(f"the videos have {n} segments, but the model was built for "
                         f"num_segments={num_segments}: build it with num_segments={n}, or "
                         f"resample the videos to {num_segments} segments (the datasets' "
                         f"num_segments)")
    if model is not None:  # torch's message for float64 features names a weight matrix
        for s, x in out.items():
            check_module_input(f"x_{s}", x, model)
    return out


def _equal_videos(batch: Tensor | None) -> tuple[int, int] | None:
    """``(B, N)`` where ``batch`` is sorted with ``N`` rows per video, as a
    batch of resampled videos is: each source is then its rows reshaped, the
    values to_dense_batch gives without its scatter and host syncs per
    source, at every step of every VAD model; ``None`` otherwise."""
    if batch is None or batch.numel() == 0:
        return None
    b = int(batch[-1]) + 1
    if b <= 0 or batch.numel() % b:
        return None
    n = batch.numel() // b
    expected = torch.arange(batch.numel(), device=batch.device) // n
    return (b, n) if torch.equal(batch, expected.to(batch.dtype)) else None


def _segment_means(x: Tensor, assign: Tensor, num_segments: int, source: str) -> Tensor:
    """``[num_segments, d]``: the mean of ``x``'s units per segment."""
    check_index(f"assign_{source}", assign, num_segments, "segment indices")
    if assign.numel() != x.size(0):
        raise ValueError(f"assign_{source} must have one entry per row of x_{source} "
                         f"({x.size(0)}), got {assign.numel()}")
    if not bool((torch.bincount(assign, minlength=num_segments) > 0).all()):
        raise ValueError(f"assign_{source} must give every one of the {num_segments} segments "
                         f"at least one unit of x_{source}")
    return scatter(x, assign, dim=0, dim_size=num_segments, reduce="mean")


def center_videos(xs: dict[str, Tensor], center: bool) -> dict[str, Tensor]:
    """Subtracts each video's mean feature vector (``[B, N, d]``): the
    relationship graph then compares how segments deviate from their video
    rather than the scene they share (a **[choice]**, not the paper's).

    Args:
        xs (Dict[str, torch.Tensor]): ``{source: [B, N, d]}``.
        center (bool): subtract the means (else ``xs`` is returned as is).
    """
    if not center:
        return xs
    return {s: x - x.mean(dim=1, keepdim=True) for s, x in xs.items()}
