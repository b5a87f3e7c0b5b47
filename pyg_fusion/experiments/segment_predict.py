"""Predictions of a segmentation checkpoint on new RGB-D scenes, without
labels (``segment predict``): a list of RGB and depth PNGs read as the
training scenes were (:class:`~pyg_fusion.datasets.RGBDSegmentation` with
``masks=False``), one PNG of class ids per scene and a table of them."""
from __future__ import annotations

import os.path as osp


def predict_segment(checkpoint: str, images: str, out_dir: str, *,
                    progress: bool = True) -> list[dict]:
    """Runs a checkpoint of :func:`~pyg_fusion.experiments.segment_run.run_segment`
    on the scenes listed in ``images``, each at its own size, on the CPU, and
    writes under ``out_dir``: ``predictions/<line>_<rgb name>.png``, the class id
    of each pixel (the arg-max of the model's last output: the ensemble of
    AsymFusion's branches; 8-bit, 16-bit beyond 256 classes), and
    ``predictions.csv``, one row per scene (``line``, ``rgb``, ``depth``: the
    absolute paths of the files read, without ``.`` or ``..``; ``prediction``,
    ``height``, ``width``). They are written in
    ``<out_dir>/predict.partial`` and moved into ``out_dir`` once every scene is
    done (an earlier prediction's of those names is replaced); a failed
    prediction leaves ``out_dir`` as it was.

    Args:
        checkpoint (str): a ``.ckpt`` file of ``segment train``.
        images (str): a list file: per line the RGB and the depth PNG of a scene, tab- or
            space-separated, relative to the list's folder (as a NYUDv2 list without its
            mask column); read as the training scenes were (the checkpoint's
            ``preprocessing``: ``depth_scale`` and ``normalize`` of
            :class:`~pyg_fusion.datasets.RGBDSegmentation`; one that records none, as
            ``segment train`` reads: depth PNG values / 5000, normalised RGB).
        out_dir (str): the output folder.
        progress (bool, optional): a progress bar. (default: :obj:`True`)

    Returns:
        list[dict]: the table's rows.
    """
    import numpy as np
    import torch
    from tqdm.auto import tqdm

    from .._loading import load_lightning
    from ..datasets.rgbd import RGBDSegmentation
    from ..training.segmentation import SegmentationModule
    from ._predictions import check_predictions_out, write_predictions

    check_predictions_out(out_dir)
    module = load_lightning(SegmentationModule, checkpoint, what="--checkpoint", task="segment",
                            command="predict")
    images = osp.abspath(osp.expanduser(images))
    # read as the training scenes were (a checkpoint that records nothing: as segment
    # train reads, RGBDSegmentation's defaults)
    scenes = RGBDSegmentation(osp.dirname(images), list_file=images, masks=False,
                              num_classes=module.hparams.num_classes,
                              **(module.hparams.get("preprocessing") or {}))
    scenes.check_files()  # every listed file's header, before the first prediction
    module.eval()
    dtype = np.uint8 if module.hparams.num_classes <= 256 else np.uint16

    def predicted():
        for i in tqdm(range(len(scenes)), disable=not progress, desc="predicting"):
            item = scenes[i]
            with torch.no_grad():
                outs = module({"rgb": item["rgb"][None], "depth": item["depth"][None]})
            (rgb, depth), line = scenes.items[i], scenes._lines[i]  # the list's line
            yield (f"{line:05d}_{osp.splitext(osp.basename(rgb))[0]}.png",
                   outs[-1][0].argmax(0).numpy().astype(dtype),
                   {"line": line, "rgb": _named(rgb), "depth": _named(depth)})
    return write_predictions(out_dir, predicted())


def _named(path: str) -> str:
    """``path`` as the table names it: without ``.`` and ``..`` (a list's
    ``sub/../rgb/a.png`` was written as it is), resolved where a link makes
    ``..`` lead elsewhere than the name says (``normpath`` would name
    another file)."""
    norm = osp.normpath(path)
    return norm if osp.exists(norm) and osp.samefile(norm, path) else osp.realpath(path)
