"""Pseudo-anomalies with known positions, made from normal videos only: a
choice signal for weakly supervised VAD that sees how segments are ranked.

The held-out MIL loss (:mod:`pyg_fusion.training.vad`) scores videos, not
segments: once a model separates the held-out videos by their labels it is
blind to which segments carry the score. On MotionVAD it does not predict the
test AUC at all (docs/results/vad_studies.md, "How well the held-out loss
chooses"). Weak labels still say which videos are normal, and an anomaly in a
video is a stretch of segments unlike the rest of it. So a stretch of one held-out normal video
spliced into another held-out normal video is an anomaly whose segments are
known, and the segment ROC-AUC on such videos estimates how well a model
ranks anomalous segments, without any frame label.

This assumes that normal videos differ from each other (different scenes,
activities or subjects): between two normal videos of the same content the
spliced stretch is no anomaly, and its segments only add ties.
"""
from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.data import Batch, Data

from ..functional._checks import check_batch, check_index
from .seeding import _checked_seed
from .vad_split import video_keys

__all__ = ["splice_pseudo_anomalies"]

# Attributes of the VAD layout (pyg_fusion.datasets.VADFeatures) per snippet
# or per frame of the host video, not per segment.
_PER_SNIPPET = ("snippet_segment", "frame_gt")


def splice_pseudo_anomalies(videos: list[Data], *, per_pair: int = 1,
                            length: tuple[float, float] = (0.125, 0.25),
                            seed: int = 0) -> tuple[Batch, Tensor]:
    r"""Videos with a stretch of another video's segments spliced in, and
    the segment labels of the stretches.

    For every ordered pair (host, donor) of ``videos`` of two different
    videos and ``per_pair`` times (the crops of one video, items with its
    ``video`` name and ``domain``, are one video: spliced into each other
    they would make no anomaly): a stretch of :math:`L` segments, :math:`L` uniform in
    ``[round(length[0] N), round(length[1] N)]`` (at least 1), starts at a
    uniform position of the host and takes the donor's segments from a
    uniform position of the donor; every segment-level attribute (the
    sources' features ``x_<source>`` and anything else with one row per
    segment in every video) is taken from the donor on the stretch. The
    pseudo-videos are labelled abnormal (``y = 1``) and carry no ``frame_gt``
    or ``snippet_segment`` (the host's frames and snippets). A source at a
    finer level (``x_<source>`` with ``assign_<source>``, sorted) is spliced
    alike: the host's units of the stretch's segments are replaced by the
    donor's units of its segments, whatever their number.

    Args:
        videos (list[torch_geometric.data.Data]): normal videos, all of the
            same number of segments :math:`N` (at least two videos; the crops of one
            count once).
        per_pair (int, optional): pseudo-videos per ordered pair. (default: :obj:`1`)
        length (tuple[float, float], optional): the range of the stretch's
            length as fractions of :math:`N`. (default: :obj:`(0.125, 0.25)`)
        seed (int, optional): seeds the lengths and positions. (default: :obj:`0`)

    Returns:
        (torch_geometric.data.Batch, torch.Tensor): the pseudo-videos and
        their segment labels ``[B, N]`` (float, 1 on the stretch).
    """
    video_of = video_keys(videos)
    if len(set(video_of)) < 2:
        crops = (f" ({len(videos)} items: the crops of one video, which share its name, "
                 f"are one video)" if len(videos) > 1 else "")
        raise ValueError(f"videos must hold at least two normal videos to splice one into "
                         f"another, got {len(set(video_of))}{crops}")
    if not isinstance(per_pair, int) or isinstance(per_pair, bool) or per_pair < 1:
        raise ValueError(f"per_pair must be an int >= 1, got {per_pair!r}")
    seed = _checked_seed(seed)  # torch's 'manual_seed expected a long' named no argument
    lo, hi = length
    if not 0 < lo <= hi < 1:
        raise ValueError(f"length must be fractions 0 < low <= high < 1, got {length!r}")
    # an abnormal host keeps its anomalies under label 0, an abnormal donor's
    # stretch may hold none: the segment AUC would score the labels' errors
    abnormal = [i for i, v in enumerate(videos)
                if "y" in v and bool((torch.as_tensor(v.y) != 0).any())]
    if abnormal:
        raise ValueError(f"videos must be normal videos (y = 0), but videos{abnormal[:3]} "
                         f"{'is' if len(abnormal) == 1 else 'are'} labelled abnormal")
    n = videos[0].num_nodes
    sizes = {v.num_nodes for v in videos}
    if len(sizes) != 1:
        raise ValueError(f"videos must have the same number of segments (resample them), got "
                         f"{sorted(sizes)}")
    # Segment-level attributes are those with one row per segment in every
    # video. A per-snippet or per-frame one (the VAD layout's
    # ``snippet_segment``, ``frame_gt``) passes PyG's node-attribute test in a
    # video of exactly N snippets (or frames) and fails it in the others; it
    # describes the host's own snippets, which a splice does not move, so the
    # pseudo-videos, scored per segment, drop it.
    keys = [k for k in videos[0].keys() if k not in _PER_SNIPPET
            and all(k in v and v.is_node_attr(k) for v in videos)]
    finer = _finer_sources(videos, n)
    keys = [k for k in keys if k not in {f"{p}_{s}" for s in finer for p in ("x", "assign")}]
    g = torch.Generator().manual_seed(seed)
    short, long = max(1, round(lo * n)), max(1, round(hi * n))
    out, labels = [], []
    for host, a in enumerate(videos):
        for donor, b in enumerate(videos):
            if video_of[host] == video_of[donor]:
                continue
            for _ in range(per_pair):
                size = int(torch.randint(short, long + 1, (1, ), generator=g))
                at = int(torch.randint(0, n - size + 1, (1, ), generator=g))
                take = int(torch.randint(0, n - size + 1, (1, ), generator=g))
                v = a.clone()
                for k in keys:
                    v[k][at:at + size] = b[k][take:take + size]
                for src in finer:
                    _splice_finer(v, a, b, src, at, take, size)
                for k in _PER_SNIPPET:
                    if k in v:
                        del v[k]
                # (a host's label as it has it: a tensor, or a plain int 0)
                v.y = (torch.ones_like(torch.as_tensor(a.y)) if "y" in a
                       else torch.ones(1, dtype=torch.long))
                label = torch.zeros(n)
                label[at:at + size] = 1
                out.append(v)
                labels.append(label)
    return Batch.from_data_list(out), torch.stack(labels)


def _finer_sources(videos: list[Data], n: int) -> list[str]:
    """The sources with ``assign_<source>`` in every video, checked: long,
    one entry per unit, sorted (as a PyG ``batch``), within ``[0, n)``."""
    names = [k[len("assign_"):] for k in videos[0].keys() if k.startswith("assign_")]
    for i, v in enumerate(videos):
        for s in names:
            x, assign = v.get(f"x_{s}"), v.get(f"assign_{s}")
            if x is None or assign is None:
                raise ValueError(f"videos[{i}] lacks x_{s} or assign_{s}, which videos[0] has")
            name = f"videos[{i}].assign_{s}"
            check_index(name, assign, n, "segment indices")
            check_batch(name, assign, x.size(0), f"unit of x_{s}")  # sorted: stretches slice
    return names


def _splice_finer(v: Data, host: Data, donor: Data, source: str, at: int, take: int,
                  size: int) -> None:
    """``v``'s units of ``source`` on segments ``[at, at + size)``: the donor's
    units of its segments ``[take, take + size)``, renumbered to the host's.
    Sorted ``assign`` keeps each piece contiguous, so the result is sorted too."""
    xk, ak = f"x_{source}", f"assign_{source}"
    ha, da = host[ak], donor[ak]
    lo, hi = torch.searchsorted(ha, torch.tensor([at, at + size], device=ha.device)).tolist()
    dlo, dhi = torch.searchsorted(da, torch.tensor([take, take + size],
                                                   device=da.device)).tolist()
    v[xk] = torch.cat([host[xk][:lo], donor[xk][dlo:dhi], host[xk][hi:]])
    v[ak] = torch.cat([ha[:lo], da[dlo:dhi] - take + at, ha[hi:]])
