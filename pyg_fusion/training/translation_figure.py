"""The figure of AsymFusion image translation
(:func:`save_translation_figure`): the inputs, the target, each branch's
output and the ensemble side by side.
:mod:`pyg_fusion.training.translation_eval` re-exports it."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from .._files import save_figure
from ..functional._checks import check_int
from ._image_configs import TranslateEvalConfig
from ._translation_inputs import _mask, _target_valid

if TYPE_CHECKING:
    from .translation import TranslationModule

__all__ = ["save_translation_figure"]


@torch.no_grad()
def save_translation_figure(module: TranslationModule, batch, path: str,
                            max_rows: int = TranslateEvalConfig.num_figure, *,
                            title: str | None = None) -> str:
    """Saves a PNG with one row per scene: the inputs, the target, each
    branch's output and the ensemble side by side, headed ``input: <m>``,
    ``target: <target>``, ``<target> from <m>`` and ``<target>: ensemble``
    (the target's name from the module's ``data_config``, else ``target``).
    One-channel images (depth, shade) are grey on the scenes' ``[0, 1]``
    scale, shown by a colour bar under their columns. Pixels without a value
    (where a ``valid_<target>`` or ``valid_<input>`` mask is False) are magenta.

    Args:
        module (TranslationModule): the model.
        batch (torch_geometric.data.Batch): the scenes to show.
        path (str): the PNG file.
        max_rows (int, optional): at most this many scenes. (default: :obj:`4`)
        title (str, optional): the figure's title, e.g. the model, data and epochs
            (:func:`~pyg_fusion.experiments.image_run.figure_title`). (default: :obj:`None`)
    """
    # A bare Figure (no pyplot): no backend is chosen or changed for the process.
    from matplotlib.figure import Figure

    # at call time: translation_eval imports this module to re-export the figure
    from .translation_eval import ENSEMBLE, translate_batch

    # matplotlib's 'Number of rows must be a positive integer, not 0' named neither
    check_int("max_rows", max_rows, minimum=1)
    if isinstance(batch.get("y"), Tensor) and batch.y.size(0) == 0:
        raise ValueError("batch holds no scenes to draw")
    imgs = translate_batch(module, batch)
    inputs = {m: batch[f"x_{m}"] for m in module.modalities}
    # the target modality by name, and each branch's output as translated
    # from its input ('output: depth' read as a depth image, not rgb from depth)
    target = (module.hparams.get("data_config") or {}).get("target") or "target"
    cols = [*[(f"input: {m}", x) for m, x in inputs.items()],
            (f"target: {target}" if target != "target" else "target", batch.y),
            *[(f"{target} from {o}" if o != ENSEMBLE else f"{target}: ensemble", imgs[o])
              for o in module.output_names]]
    # pixels without a value (e.g. no depth) are drawn magenta, not as 0: the target's,
    # and an input's (the generator is handed each hole's nearest value)
    masks = [*(_mask(batch, f"valid_{m}", x) for m, x in inputs.items()),
             _target_valid(batch, module.modalities, batch.y)]
    holes = {c: ~v[:, 0].cpu() for c, v in enumerate(masks)
             if v is not None and (c == len(inputs) or not v.all())}
    for c in holes:
        cols[c] = (cols[c][0] + "\n(magenta: no value)", cols[c][1])
    rows = min(max_rows, batch.y.size(0))
    # constrained: room for the title and the colour bar without wide margins
    fig = Figure(figsize=(1.8 * len(cols), 1.8 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, len(cols), squeeze=False)
    grey = None
    for r in range(rows):
        for c, (head, x) in enumerate(cols):
            ax = axes[r, c]
            img = x[r].detach().cpu().float().clamp(0, 1)
            if img.size(0) == 1:
                grey = ax.imshow(img[0].numpy(), cmap="gray", vmin=0, vmax=1)
            else:
                ax.imshow(img[:3].permute(1, 2, 0).numpy())
            if c in holes:
                ax.imshow((torch.tensor([1.0, 0.0, 1.0, 1.0]) * holes[c][r, ..., None]).numpy())
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(head, fontsize=8)
    if grey is not None:
        # black and white read as 0 and 1 of the scaled file (near or far
        # for depth), which grey alone does not say
        one = [axes[-1, c] for c, (_, x) in enumerate(cols) if x.size(1) == 1]
        bar = fig.colorbar(grey, ax=one, location="bottom", shrink=0.9, aspect=30)
        bar.set_label("one-channel images: value scaled to [0, 1]", fontsize=7)
        bar.ax.tick_params(labelsize=6)
    if title:
        fig.suptitle(title, fontsize=9)
    save_figure(fig, path, dpi=120)
    return path
