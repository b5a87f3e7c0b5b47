"""Segments of a video's snippets: RTFM's resampling of ``T`` snippets to
``N`` segments, and the expansion of segment scores back to frames."""
from __future__ import annotations

import numpy as np
from torch import Tensor

from ..functional._checks import check_int

__all__ = ["resample_segments", "segment_scores_to_frames"]


def resample_segments(feat: np.ndarray, num_segments: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Average ``T`` snippets into ``num_segments`` segments, as RTFM's
    ``process_feat``: boundaries ``r = int(linspace(0, T, N + 1))``, segment
    ``i`` is the mean of snippets ``r[i] .. r[i+1]-1``, or a copy of snippet
    ``r[i]`` when that range is empty (``T < N`` repeats snippets).

    Args:
        feat (np.ndarray): ``[T, ...]`` snippet features.
        num_segments (int): ``N``.

    Returns:
        ``([N, ...]`` float32 segments, ``[T]`` int64 ``snippet_segment``: the
        segment whose mean snippet ``j`` entered). The ranges partition
        ``0..T-1``, so every snippet has exactly one segment.
    """
    # a list failed on 'list' object has no attribute 'shape', naming no argument
    if not isinstance(feat, (np.ndarray, Tensor)) or feat.ndim == 0:
        got = f"shape {tuple(feat.shape)}" if hasattr(feat, "shape") else type(feat).__name__
        raise TypeError(f"feat must be a numpy array [T, ...] of snippet features, got {got}"
                        + " (pass np.asarray(feat))" * isinstance(feat, (list, tuple)))
    T = feat.shape[0]
    if T == 0:
        raise ValueError("feat has no snippets (T = 0)")
    # a float was numpy's 'cannot be interpreted as an integer', True one segment
    check_int("num_segments", num_segments, minimum=1)
    r = np.linspace(0, T, num_segments + 1).astype(np.int64)
    out = np.empty((num_segments, *feat.shape[1:]), dtype=np.float32)
    for i in range(num_segments):
        if r[i] != r[i + 1]:
            out[i] = np.asarray(feat[r[i]:r[i + 1]], dtype=np.float64).mean(0)
        else:
            out[i] = feat[min(r[i], T - 1)]
    seg = np.searchsorted(r, np.arange(T), side="right") - 1
    return out, seg.astype(np.int64)


def segment_scores_to_frames(scores: Tensor, data) -> Tensor:
    """Expand the node (segment) scores ``[N]`` of one video to its frames
    ``[num_frames]``: each snippet takes its segment's score
    (``snippet_segment``), each frame its snippet's (``snippet_len``
    frames per snippet), the length of ``data.frame_gt``.

    Args:
        scores (torch.Tensor): the segments' scores ``[N]``.
        data (torch_geometric.data.Data): the video (``snippet_segment``, ``snippet_len``,
            ``frame_gt``).
    """
    missing = [k for k in ("snippet_segment", "snippet_len") if k not in data]
    if missing:
        # PyG's own error here: "'GlobalStorage' object has no attribute ..."
        raise ValueError(f"data lacks {', '.join(missing)}: segment_scores_to_frames reads "
                         f"a VAD video's snippet_segment [T] and snippet_len [1], as "
                         f"VADFeatures' and SyntheticVAD's graphs hold them")
    if "batch" in data or data.snippet_len.numel() != 1:
        raise ValueError("data must be one video (dataset[i]), not a batch: expand each "
                         "video's scores with its own data")
    if not isinstance(scores, Tensor) or scores.dim() != 1 or scores.numel() != data.num_nodes:
        # too many scores were cut silently to the first N, too few failed on an index
        shape = tuple(scores.shape) if isinstance(scores, Tensor) else type(scores).__name__
        raise ValueError(f"scores must be a tensor [N] with one score per segment of video "
                         f"{getattr(data, 'video', '')!r} (N = {data.num_nodes}), got {shape}")
    snippet = scores[data.snippet_segment]
    return snippet.repeat_interleave(int(data.snippet_len))
