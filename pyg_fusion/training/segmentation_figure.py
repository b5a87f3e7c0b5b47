"""The prediction figure of RGB-D segmentation
(:func:`save_prediction_figure`): input, depth, ground truth and each
branch's prediction side by side. :mod:`pyg_fusion.training.segmentation`
re-exports it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import torch
from torch import Tensor
from torch.utils.data import Dataset

from .._files import save_figure
from ..functional._checks import check_int
from ._precision import model_precision_batch

if TYPE_CHECKING:
    from .segmentation import SegmentationModule

__all__ = ["save_prediction_figure"]


def _shown_rgb(rgb: Tensor, data: Dataset) -> Tensor:
    """An item's RGB in [0, 1] for the figure: the ImageNet normalisation
    undone where the scenes applied it (``normalize=False`` leaves them in
    [0, 1]; undoing it there washed the picture out)."""
    from ..datasets.rgbd import IMAGENET_MEAN, IMAGENET_STD

    if getattr(data, "normalize", True):
        rgb = rgb * torch.tensor(IMAGENET_STD).view(3, 1, 1) \
            + torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
    return rgb.clamp(0, 1)


@torch.no_grad()
def save_prediction_figure(module: SegmentationModule, data: Dataset,
                           path: str, *, num_images: int = 4,
                           class_names: Sequence[str] | None = None,
                           title: str | None = None) -> str:
    """PNG with one row per image: RGB input, depth input, ground truth, then
    the prediction of each output (branches and ensemble), its column headed
    ``predicted: <output>``. The depth panels share one colour scale, shown
    by a colour bar under their column. Written atomically.

    Args:
        module (SegmentationModule): the trained model.
        data (torch.utils.data.Dataset): the scenes (the first ``num_images`` are shown).
        path (str): the PNG file.
        num_images (int, optional): rows of the figure. (default: :obj:`4`)
        class_names (Sequence[str], optional): the legend's names. (default: :obj:`None`)
        title (str, optional): the figure's title, e.g. the model, data and epochs
            (:func:`~pyg_fusion.experiments.image_run.figure_title`). (default: :obj:`None`)
    """
    # A bare Figure (no pyplot): no backend is chosen or changed for the process.
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    # matplotlib's 'Number of rows must be a positive integer, not 0' named neither
    check_int("num_images", num_images, minimum=1)
    if len(data) == 0:
        raise ValueError("data holds no scenes to draw")
    k = module.hparams.num_classes
    if class_names is not None:
        # the legend pairs names with the classes' colours in order: other counts
        # named other classes' colours, or left classes out, without a word
        from ._segmentation_loaders import _check_class_ids
        _check_class_ids(k, module.hparams.ignore_index, class_names)
    was = module.training
    module.eval()
    try:
        n = min(num_images, len(data))
        cmap = ListedColormap(colormaps["tab20" if k > 10 else "tab10"](
            range(k)) if k <= 20 else colormaps["nipy_spectral"](
            torch.linspace(0, 1, k).tolist()))
        cols = 3 + len(module.output_names)
        # constrained: the panels fill the figure around the title, colour bar
        # and legend (fixed margins left wide white bands)
        fig = Figure(figsize=(2.0 * cols, 2.0 * n + 1.0), layout="constrained")
        axes = fig.subplots(n, cols, squeeze=False)
        items = [data[r] for r in range(n)]
        # one depth scale for the column: each panel scaled to its own range
        # gave one colour different depths in different rows
        depth_lo = min(float(it["depth"][0].min()) for it in items)
        depth_hi = max(float(it["depth"][0].max()) for it in items)
        depth_img = None
        for r, item in enumerate(items):
            batch = model_precision_batch(module, {key: v[None].to(module.device)
                                                   for key, v in item.items()
                                                   if isinstance(v, Tensor)})
            outs = module(batch)
            rgb = _shown_rgb(item["rgb"], data)
            mask = item["mask"].clone().float()
            mask[item["mask"] == module.hparams.ignore_index] = float("nan")
            # inputs and predictions named apart: 'depth' headed both the depth
            # input and the depth branch's prediction
            panels = [("input: RGB", rgb.clamp(0, 1).permute(1, 2, 0), {}),
                      ("input: depth", item["depth"][0],
                       {"cmap": "viridis", "vmin": depth_lo, "vmax": depth_hi}),
                      ("ground truth", mask, {"cmap": cmap, "vmin": 0, "vmax": k - 1})]
            panels += [(f"predicted: {name}", out[0].argmax(0),
                        {"cmap": cmap, "vmin": 0, "vmax": k - 1})
                       for name, out in zip(module.output_names, outs)]
            for c, (head, img, kw) in enumerate(panels):
                ax = axes[r][c]
                shown = ax.imshow(img.cpu().numpy(), interpolation="nearest", **kw)
                if c == 1:
                    depth_img = shown
                ax.set_xticks([])
                ax.set_yticks([])
                if r == 0:
                    ax.set_title(head, fontsize=9)
    finally:
        module.train(was)  # the caller's mode, as translate_batch does
    scale = getattr(data, "depth_scale", None)
    # under the depth column, in space taken from the whole last row: taken from
    # the last depth panel alone, it moved that panel below its row. The bar is 0.9
    # of a panel's width, anchored so that its centre is column 1's, 1.5 / cols
    bar = fig.colorbar(depth_img, ax=axes[-1, :], location="bottom", shrink=0.9 / cols,
                       anchor=(1.05 / (cols - 0.9), 1.0))
    bar.set_label("depth" + (f" (PNG value / {1 / scale:g})" if scale else ""), fontsize=8)
    bar.ax.tick_params(labelsize=7)
    if class_names:
        from matplotlib.patches import Patch
        fig.legend([Patch(color=cmap(i)) for i in range(k)], list(class_names),
                   loc="outside lower center", ncol=min(k, 6), fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    save_figure(fig, path, dpi=100)
    return path
