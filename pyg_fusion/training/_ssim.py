"""SSIM of translated images, one definition on every supported torchmetrics."""
from __future__ import annotations

import torch
from torch import Tensor
from torchmetrics import Metric
from torchmetrics.functional.image import structural_similarity_index_measure


class ImageSSIM(Metric):
    """The mean SSIM of the images scored: each image's SSIM the mean of its
    SSIM map over every pixel (torchmetrics' Gaussian window, sigma 1.5 and
    11 x 11, the images reflect-padded by 5 pixels), as torchmetrics 1.9's
    :class:`~torchmetrics.image.StructuralSimilarityIndexMeasure` gives it, to
    the bit. The class of torchmetrics 1.3 (the oldest supported) averaged
    only the pixels whose window lies inside the image: another number for
    every image, and NaN for images under 11 pixels a side (no such pixel).
    Both versions give the same map: its mean is taken here. Images need at
    least 6 pixels a side (reflect padding by 5).

    Args:
        data_range (float, optional): the images' range of values. (default: :obj:`1.0`)
        **kwargs (optional): :class:`torchmetrics.Metric`'s arguments.
    """

    higher_is_better = True
    is_differentiable = True
    full_state_update = False

    def __init__(self, data_range: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.data_range = data_range
        self.add_state("similarity", default=torch.tensor(0.0), dist_reduce_fx="sum")
        self.add_state("total", default=torch.tensor(0.0), dist_reduce_fx="sum")

    def update(self, preds: Tensor, target: Tensor) -> None:
        _, full = structural_similarity_index_measure(
            preds, target, data_range=self.data_range, reduction="none",
            return_full_image=True)
        self.similarity += full.reshape(full.shape[0], -1).mean(-1).sum()
        self.total += preds.shape[0]

    def compute(self) -> Tensor:
        return self.similarity / self.total
