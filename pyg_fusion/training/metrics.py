"""Evaluation metrics of the training tasks, and DDP-safe gathering.

The ranking metrics are scikit-learn's (``roc_auc_score``,
``average_precision_score``, ``precision_recall_curve`` + ``auc``), computed
here in numpy by the same steps, so to the last bit: importing scikit-learn
sets ``KMP_DUPLICATE_LIB_OK`` and ``KMP_INIT_AT_FORK`` in ``os.environ`` (and
scipy's warnings filters), process-wide state that a library must not change.
The VAD literature reports "AP" as either of two different numbers, so both are
offered under their own names:

* ``ap``: scikit-learn's average precision, sum_n (R_n - R_{n-1}) P_n (a step
  function, no interpolation);
* ``pr_auc_trapz``: the trapezoid area under the precision-recall curve (what
  several VAD code bases call AP).

Gathering: under DDP each rank scores its shard of the evaluation set, and a
:class:`torch.utils.data.DistributedSampler` pads the shards by repeating
items. :func:`gather_by_index` gathers (index, value) pairs of every rank and
keeps one value per index, in index order, so that metrics computed from the
gathered values equal those of a single-process run.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.distributed as dist
from torch import Tensor

__all__ = ["roc_auc", "average_precision", "pr_auc_trapz", "accuracy",
           "frame_level_metrics", "gather_by_index",
           "all_gather_variable"]


def _as_numpy(name: str, x) -> np.ndarray:
    if isinstance(x, Tensor):
        x = x.detach().cpu().double().numpy()
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains {int((~np.isfinite(x)).sum())} NaN or Inf value(s)")
    return x


def _scores_labels(scores, labels) -> tuple[np.ndarray, np.ndarray]:
    s = _as_numpy("scores", scores)
    y = _as_numpy("labels", labels)
    if s.shape != y.shape:
        raise ValueError(f"scores and labels must have the same length, got "
                         f"{s.size} and {y.size}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("labels must be binary (0 or 1)")
    if y.min() == y.max():
        raise ValueError("labels hold a single class; ROC-AUC and AP need both "
                         "normal (0) and anomalous (1) entries")
    return s, y


def _counts_at_thresholds(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # scikit-learn's confusion_matrix_at_thresholds: false and true positives
    # at each distinct score, descending. Counts at the end of a run of tied
    # scores are exact integers, whatever the order within the run.
    order = np.argsort(s, kind="stable")[::-1]
    s, y = s[order], y[order]
    ends = np.concatenate([np.flatnonzero(np.diff(s)), [s.size - 1]])
    tps = np.cumsum(y, dtype=np.float64)[ends]
    return 1 + ends.astype(np.float64) - tps, tps


def _precision_recall(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # scikit-learn's precision_recall_curve: recall decreasing, ending at (0, 1)
    fps, tps = _counts_at_thresholds(s, y)
    precision = tps / (tps + fps)  # tps + fps >= 1: no division by zero
    recall = tps / tps[-1]
    return (np.concatenate([precision[::-1], [1.0]]),
            np.concatenate([recall[::-1], [0.0]]))


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    # scipy.integrate.trapezoid's sum, term for term (the same bits)
    return np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0)


def roc_auc(scores, labels) -> float:
    """Area under the ROC curve of ``scores`` against binary ``labels``.

    Args:
        scores (array-like): the scores.
        labels (array-like): binary labels, both classes present.
    """
    s, y = _scores_labels(scores, labels)
    fps, tps = _counts_at_thresholds(s, y)
    # roc_curve's drop_intermediate (points on a straight line): the area's
    # last bit depends on which points the trapezoids sum over
    if fps.size > 2:
        keep = np.concatenate([[True], np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), [True]])
        fps, tps = fps[keep], tps[keep]
    fps, tps = np.concatenate([[0.0], fps]), np.concatenate([[0.0], tps])
    return float(_trapezoid(tps / tps[-1], fps / fps[-1]))


def average_precision(scores, labels) -> float:
    """scikit-learn's average precision (named ``ap`` in results).

    Args:
        scores (array-like): the scores.
        labels (array-like): binary labels, both classes present.
    """
    s, y = _scores_labels(scores, labels)
    precision, recall = _precision_recall(s, y)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def pr_auc_trapz(scores, labels) -> float:
    """Trapezoid area under the precision-recall curve (``pr_auc_trapz``).

    Args:
        scores (array-like): the scores.
        labels (array-like): binary labels, both classes present.
    """
    s, y = _scores_labels(scores, labels)
    precision, recall = _precision_recall(s, y)
    return float(-1 * _trapezoid(precision, recall))  # sklearn's auc: recall decreasing


def accuracy(logits_or_pred: Tensor, y: Tensor) -> float:
    """Fraction of correct predictions; accepts logits ``[N, C]`` or labels ``[N]``.

    Args:
        logits_or_pred (torch.Tensor): logits ``[N, C]`` or predicted labels ``[N]``.
        y (torch.Tensor): the labels ``[N]``.
    """
    pred = logits_or_pred.argmax(-1) if logits_or_pred.dim() == 2 else logits_or_pred
    if pred.shape != y.shape:
        raise ValueError(f"predictions {tuple(pred.shape)} and y {tuple(y.shape)} differ in shape")
    if y.numel() == 0:
        raise ValueError("y is empty")
    return float((pred == y).double().mean())


def frame_level_metrics(frame_scores: Sequence[Tensor] | Tensor,
                        frame_gt: Sequence[Tensor] | Tensor) -> dict[str, float]:
    """``auc``, ``ap`` and ``pr_auc_trapz`` of frame scores against the frame
    level ground truth, both given per video (concatenated in list order) or
    already concatenated.

    Args:
        frame_scores (torch.Tensor or Sequence[torch.Tensor]): the frames' scores.
        frame_gt (torch.Tensor or Sequence[torch.Tensor]): the frames' binary ground truth.
    """
    if not isinstance(frame_scores, Tensor) and not isinstance(frame_gt, Tensor):
        frame_scores, frame_gt = list(frame_scores), list(frame_gt)
        # both per video: equal totals alone would pair one video's scores with
        # another's frames, silently
        if len(frame_scores) != len(frame_gt):
            raise ValueError(f"frame_scores and frame_gt must give the same videos, got "
                             f"{len(frame_scores)} and {len(frame_gt)}")
        for i, (s, g) in enumerate(zip(frame_scores, frame_gt)):
            if torch.as_tensor(s).numel() != torch.as_tensor(g).numel():
                raise ValueError(f"video {i}: frame_scores has {torch.as_tensor(s).numel()} "
                                 f"frames, frame_gt {torch.as_tensor(g).numel()}")
    if not isinstance(frame_scores, Tensor):
        frame_scores = list(frame_scores)
    if not isinstance(frame_gt, Tensor):
        frame_gt = list(frame_gt)
    for name, value in (("frame_scores", frame_scores), ("frame_gt", frame_gt)):
        if isinstance(value, list) and not value:  # torch.cat's error named neither
            raise ValueError(f"{name} holds no video: give each video's frames (or one tensor)")
    if not isinstance(frame_scores, Tensor):
        frame_scores = torch.cat([torch.as_tensor(s).reshape(-1) for s in frame_scores])
    if not isinstance(frame_gt, Tensor):
        frame_gt = torch.cat([torch.as_tensor(g).reshape(-1) for g in frame_gt])
    return {"auc": roc_auc(frame_scores, frame_gt),
            "ap": average_precision(frame_scores, frame_gt),
            "pr_auc_trapz": pr_auc_trapz(frame_scores, frame_gt)}


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def all_gather_variable(x: Tensor) -> list[Tensor]:
    """Gathers a tensor whose first dimension may differ between ranks; returns
    one tensor per rank (just ``[x]`` outside DDP).

    Args:
        x (torch.Tensor): this rank's tensor.
    """
    if not _distributed():
        return [x]
    n = torch.tensor([x.size(0)], dtype=torch.long, device=x.device)
    sizes = [torch.zeros_like(n) for _ in range(dist.get_world_size())]
    dist.all_gather(sizes, n)
    sizes = [int(s) for s in sizes]
    # all_gather needs equal shapes: pad to the longest shard, then cut.
    pad = x.new_zeros((max(sizes) - x.size(0), ) + tuple(x.shape[1:]))
    padded = torch.cat([x, pad])
    out = [torch.empty_like(padded) for _ in sizes]
    dist.all_gather(out, padded.contiguous())
    return [o[:s] for o, s in zip(out, sizes)]


def gather_by_index(index: Tensor, values: Tensor) -> tuple[Tensor, Tensor]:
    """Gathers ``(index [n], values [n, ...])`` over all ranks and returns them
    sorted by index, with one entry per distinct index (duplicates that a
    ``DistributedSampler`` adds to even out the shards are dropped).

    Args:
        index (torch.Tensor): positions ``[n]`` of this rank's values.
        values (torch.Tensor): the values ``[n, ...]``.
    """
    if index.dim() != 1 or index.size(0) != values.size(0):
        raise ValueError(f"index must be [n] matching values' first dimension, got "
                         f"{tuple(index.shape)} and {tuple(values.shape)}")
    index = torch.cat(all_gather_variable(index.long()))
    values = torch.cat(all_gather_variable(values))
    order = torch.argsort(index, stable=True)
    index, values = index[order], values[order]
    keep = torch.ones_like(index, dtype=torch.bool)
    keep[1:] = index[1:] != index[:-1]
    return index[keep], values[keep]
