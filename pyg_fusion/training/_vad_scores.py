"""The scores of weakly supervised VAD (:mod:`pyg_fusion.training.vad`): the
snippet scores that the test ranks, the MIL video score and top-k loss that
train and choose, the dataset wrapper whose positions order the gathered
scores, and each tested video's scores as a user reads them (``scores.json``)."""
from __future__ import annotations

import copy
import os
from typing import Any

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from ..functional._autocast import float32_under_autocast
from ..functional._checks import check_int, check_tensor
from .vad_split import _domain_id, _label


class IndexedDataset(Dataset):
    """Wraps a dataset so that each item carries its position (``idx``), which
    the evaluation uses to put gathered scores back in list order.

    Args:
        dataset (torch.utils.data.Dataset): the videos.
    """

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        # a shallow copy: a list of the caller's own Data objects would keep idx
        data = copy.copy(self.dataset[i])
        data.idx = torch.tensor([i])
        return data


@float32_under_autocast
def segment_scores(logits: torch.Tensor) -> torch.Tensor:
    """The snippet scores that the test metrics rank, ``sigmoid(logits)``, in
    float32 under :class:`torch.autocast` (:mod:`pyg_fusion.functional._autocast`):
    a bfloat16 sigmoid has steps of 2^-9 near 0.5, so scores tied by the hundred.

    Args:
        logits (torch.Tensor): snippet logits.
    """
    return torch.sigmoid(logits)


@float32_under_autocast
def video_scores(logits: torch.Tensor, k: int = 3) -> torch.Tensor:
    """The MIL video score: the mean of the ``k`` largest sigmoid snippet
    scores of each video (``logits`` ``[B, N]`` -> ``[B]``); in float32 under
    :class:`torch.autocast`, as :func:`segment_scores` (the held-out loss that
    chooses the epoch is taken from them).

    Args:
        logits (torch.Tensor): snippet logits ``[B, N]``.
        k (int, optional): snippets averaged per video. (default: :obj:`3`)
    """
    # k = 0 would average no snippet (NaN scores), and a NaN logit would reach
    # BCE as an input "not between 0 and 1", naming neither
    check_int("k", k, minimum=1)
    check_tensor("logits", logits, dims=(2, ), floating=True)
    # (an infinite logit is a score of 0 or 1, as sigmoid gives it)
    if bool(torch.isnan(logits.detach()).any()):
        bad = (torch.isnan(logits.detach()).any(1)).nonzero().view(-1).tolist()
        raise ValueError(f"logits contain NaN (in the videos at rows {bad} of the batch)")
    scores = segment_scores(logits)  # the snippet scores the test ranks
    return scores.topk(min(k, scores.size(1)), dim=1).values.mean(1)


def mil_topk_loss(logits: torch.Tensor, y: torch.Tensor, k: int = 3) -> torch.Tensor:
    """BCE between the mean of the ``k`` largest snippet scores of each video
    (``logits`` ``[B, N]``) and the video labels ``y`` ``[B]``.

    Args:
        logits (torch.Tensor): snippet logits ``[B, N]``.
        y (torch.Tensor): video labels ``[B]`` (0 normal, 1 abnormal).
        k (int, optional): snippets averaged per video. (default: :obj:`3`)
    """
    if logits.dim() != 2 or logits.size(0) != y.numel():
        raise ValueError(f"logits must be [B, N] with B = len(y) = {y.numel()}, got "
                         f"{tuple(logits.shape)}")
    check_tensor("y", y)
    # soft labels (0.5) would train silently, and 2 fails inside BCE without naming y
    if y.numel() and not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"y must hold video labels 0 (normal) or 1 (abnormal), got "
                         f"{sorted(set(y.view(-1).tolist()))}")
    video = video_scores(logits, k)
    return F.binary_cross_entropy(video.clamp(1e-6, 1 - 1e-6), y.to(video.dtype).view(-1))


def tested_video(data, i: int, segments: torch.Tensor, frames: torch.Tensor) -> dict[str, Any]:
    """One tested video's scores, as the test ranked them: ``name`` (its
    ``video``, else ``"video <i>"``), ``label`` (its video label, where it has
    one), ``domain`` (where it has one), ``frames_per_snippet``, ``scores``
    (its snippet scores ``[T]``, each snippet at its segment's score),
    ``frame_scores`` (``[F]``, each frame at its snippet's score, the frames of
    its ground truth) and ``gt`` (``frame_gt`` ``[F]``, where it has one).

    Args:
        data (torch_geometric.data.Data): the video (one crop of it, with crops).
        i (int): its position among the tested videos.
        segments (torch.Tensor): its segment scores ``[N]`` (the mean over its crops).
        frames (torch.Tensor): its frame scores ``[F]``.
    """
    video = {"name": str(data.video) if "video" in data else f"video {i}"}
    if "y" in data:
        video["label"] = int(_label(data))
    if "domain" in data:
        video["domain"] = _domain_id(data)
    video.update({"frames_per_snippet": int(data.snippet_len),
                  "scores": segments[data.snippet_segment], "frame_scores": frames})
    if "frame_gt" in data:  # (new videos are scored without)
        video["gt"] = data.frame_gt.view(-1)
    return video


def is_test_scores(obj) -> bool:
    """Whether ``obj``, a JSON file's content, is a file of
    :func:`write_test_scores` (its ``videos``, each with ``frame_scores``).

    Args:
        obj (Any): the file's content.
    """
    return isinstance(obj, dict) and isinstance(obj.get("videos"), list) and all(
        isinstance(v, dict) and "frame_scores" in v for v in obj["videos"])


def write_test_scores(path: str | os.PathLike, videos: list[dict[str, Any]],
                      head: dict[str, Any] | None = None) -> None:
    """Writes the tested videos' scores (``task.last_videos`` of
    :class:`~pyg_fusion.training.vad.WeaklySupervisedVAD`, :func:`tested_video`)
    to ``path`` as JSON, atomically: ``{"frames_per_snippet": f, "videos":
    [{"name", "label", "domain", "frames_per_snippet", "scores", "frame_scores",
    "gt"}, ...]}``, the videos in test order (the order in which the frames are
    concatenated for ``auc`` / ``ap``: ``frame_scores`` and ``gt`` concatenated
    over the videos are RTFM's ``pred`` and ground-truth arrays), every score
    as the test ranked it (the recorded ``auc`` recomputes from them), a name
    that repeats among domains followed by `` (domain <k>)``.
    ``pyg-fusion plot anomaly-scores --input`` draws it.

    Args:
        path (str or os.PathLike): the file (``scores.json``).
        videos (list[dict]): the tested videos.
        head (dict, optional): fields written before ``videos``, e.g. what was
            scored (the ``checkpoint``, ``data``, ``notices`` of
            :func:`~pyg_fusion.experiments.checkpoints.evaluate_checkpoint`).
            (default: :obj:`None`)
    """
    from .._files import write_json
    rows = _rows(videos)
    rates = {v["frames_per_snippet"] for v in videos}
    rate = {"frames_per_snippet": rates.pop()} if len(rates) == 1 else {}
    # one line: a million frames' scores at one per line would be most of the file
    write_json(path, {**rate, **(head or {}), "videos": rows}, indent=None)


def _rows(videos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tested videos as plain Python, a name that repeats among domains
    followed by `` (domain <k>)``."""
    names = [v["name"] for v in videos]
    rows = []
    for v in videos:
        row = {k: (v[k].tolist() if isinstance(v[k], torch.Tensor) else v[k]) for k in v}
        if names.count(v["name"]) > 1 and "domain" in v:
            row["name"] = f"{v['name']} (domain {v['domain']})"
        rows.append(row)
    return rows


def write_scores_table(path: str | os.PathLike, videos: list[dict[str, Any]]) -> None:
    """Writes the tested videos' snippet scores (as :func:`write_test_scores`
    takes them) to ``path`` as CSV, atomically: one row per snippet, in test
    order, ``video,snippet,first_frame,last_frame,score`` (its frames
    ``first_frame..last_frame``, counted from 0 in its video, each take its
    score: the video's ``frame_scores``).

    Args:
        path (str or os.PathLike): the file (``scores.csv``).
        videos (list[dict]): the tested videos.
    """
    import csv

    from .._files import atomic_write
    with atomic_write(path, "w") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["video", "snippet", "first_frame", "last_frame", "score"])
        for v in _rows(videos):
            rate = v["frames_per_snippet"]
            out.writerows([v["name"], k, k * rate, (k + 1) * rate - 1, float(score)]
                          for k, score in enumerate(v["scores"]))
