"""The scores of RGB-D semantic segmentation: :func:`segmentation_scores`
(pixel accuracy, mean class accuracy and mIoU of a confusion matrix, which
:class:`~pyg_fusion.training.segmentation.SegmentationModule` scores every
output with) and :func:`scores_table` (their Markdown table, as
``metrics.md`` writes it)."""
from __future__ import annotations

import torch
from torch import Tensor

from .._option_rules import is_int

__all__ = ["segmentation_scores", "scores_table"]


def segmentation_scores(confmat: Tensor, ignore_index: int | None = None) -> dict[str, float]:
    r"""Pixel accuracy, mean class accuracy and mIoU from a ``[K, K]``
    confusion matrix (rows: truth, columns: prediction).

    Mean class accuracy averages :math:`C_{kk} / \sum_j C_{kj}` over classes
    present in the ground truth; mIoU averages
    :math:`C_{kk} / (\sum_j C_{kj} + \sum_i C_{ik} - C_{kk})` over classes
    present in the ground truth or the prediction.

    Args:
        confmat (torch.Tensor): the ``[K, K]`` confusion matrix.
        ignore_index (int, optional): the label of unlabelled pixels when it is one of the
            ``K`` classes (e.g. 0 for void): no class to score, it is left out of both
            means (its pixels are out of the matrix, a row of counts is an error; predicting
            it on a labelled pixel is an error of the pixel accuracy). One outside ``[0, K)``
            (255) changes nothing.
            (default: :obj:`None`)
    """
    if not isinstance(confmat, Tensor) or confmat.dim() != 2 \
            or confmat.size(0) != confmat.size(1):
        raise ValueError(f"confmat must be a square [K, K] tensor, got "
                         f"{tuple(confmat.shape) if isinstance(confmat, Tensor) else confmat!r}")
    c = confmat.double()
    if not bool(torch.isfinite(c).all()) or bool((c < 0).any()):
        # a negative count gave a pixel accuracy above 1, without a word
        raise ValueError("confmat must hold pixel counts (finite, >= 0)")
    tp = c.diag()
    rows, cols = c.sum(1), c.sum(0)
    union = rows + cols - tp
    total = c.sum()
    if total == 0:
        raise ValueError("the confusion matrix is empty (no labelled pixels)")
    if ignore_index is not None and not is_int(ignore_index):
        raise TypeError(f"ignore_index must be an integer label id or None, got {ignore_index!r}")
    void = -1 if ignore_index is None else int(ignore_index)
    if 0 <= void < c.size(0) and bool(rows[void] > 0):
        # its pixels counted in the pixel accuracy as labelled (and, with only them,
        # both means were NaN), against the docstring's 'out of the matrix'
        raise ValueError(f"confmat holds {int(rows[void])} pixels labelled ignore_index="
                         f"{void} (row {void}): unlabelled pixels are out of the matrix; "
                         f"build it without them (torchmetrics' MulticlassConfusionMatrix("
                         f"..., ignore_index={void}) does)")
    # a void class among the K was counted in the mIoU, at 0, wherever it was predicted
    scored = torch.arange(c.size(0), device=c.device) != void
    present, seen = (rows > 0) & scored, (union > 0) & scored
    return {
        "pixel_acc": float(tp.sum() / total),
        "mean_acc": float((tp[present] / rows[present]).mean()),
        "miou": float((tp[seen] / union[seen]).mean()),
    }


def scores_table(scores: dict[str, dict[str, float]]) -> str:
    """A Markdown table of :func:`evaluate_segmentation`'s result.

    Args:
        scores (dict[str, dict[str, float]]): :func:`evaluate_segmentation`'s result.
    """
    lines = ["| output | pixel acc | mean acc | mIoU |", "|---|---|---|---|"]
    for name, s in scores.items():
        lines.append(f"| {name} | {100 * s['pixel_acc']:.1f} | "
                     f"{100 * s['mean_acc']:.1f} | {100 * s['miou']:.1f} |")
    return "\n".join(lines)
