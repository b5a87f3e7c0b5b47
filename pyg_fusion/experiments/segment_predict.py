"""Predictions of a segmentation checkpoint on new RGB-D scenes, without
labels (``segment predict``): a list of RGB and depth PNGs read as the
training scenes were (:class:`~pyg_fusion.datasets.RGBDSegmentation` with
``masks=False``), one PNG of class ids per scene and a table of them."""
from __future__ import annotations

import os.path as osp

# what a prediction writes under its out_dir
FOLDER, TABLE = "predictions", "predictions.csv"


def predict_segment(checkpoint: str, images: str, out_dir: str, *,
                    progress: bool = True) -> list[dict]:
    """Runs a checkpoint of :func:`~pyg_fusion.experiments.segment_run.run_segment`
    on the scenes listed in ``images``, each at its own size, on the CPU, and
    writes under ``out_dir``: ``predictions/<line>_<rgb name>.png``, the class id
    of each pixel (the arg-max of the model's last output: the ensemble of
    AsymFusion's branches; 8-bit, 16-bit beyond 256 classes), and
    ``predictions.csv``, one row per scene (``line``, ``rgb``, ``depth``,
    ``prediction``, ``height``, ``width``). They are written in
    ``<out_dir>/predict.partial`` and moved into ``out_dir`` once every scene is
    done (an earlier prediction's of those names is replaced).

    Args:
        checkpoint (str): a ``.ckpt`` file of ``segment train``.
        images (str): a list file: per line the RGB and the depth PNG of a scene, tab- or
            space-separated, relative to the list's folder (as a NYUDv2 list without its
            mask column); depth PNG values are divided by 5000, as in training.
        out_dir (str): the output folder.
        progress (bool, optional): a progress bar. (default: :obj:`True`)

    Returns:
        list[dict]: the table's rows.
    """
    import numpy as np
    import torch
    from PIL import Image
    from tqdm.auto import tqdm

    from .._files import atomic_write
    from .._loading import load_lightning
    from .._publish import staged_folder
    from ..datasets.rgbd import RGBDSegmentation
    from ..training.segmentation import SegmentationModule
    from ._run_folders import check_out_entries
    from .image_run import print_wrote

    check_out_entries(out_dir, (TABLE, ), (FOLDER, ))
    module = load_lightning(SegmentationModule, checkpoint, what="--checkpoint", task="segment")
    images = osp.abspath(osp.expanduser(images))
    scenes = RGBDSegmentation(osp.dirname(images), list_file=images, masks=False,
                              num_classes=module.hparams.num_classes)
    scenes.check_files()  # every listed file's header, before the first prediction
    module.eval()
    dtype = np.uint8 if module.hparams.num_classes <= 256 else np.uint16
    rows = []
    with staged_folder(out_dir, "predict") as stage, torch.no_grad():
        for i in tqdm(range(len(scenes)), disable=not progress, desc="predicting"):
            item = scenes[i]
            outs = module({"rgb": item["rgb"][None], "depth": item["depth"][None]})
            ids = outs[-1][0].argmax(0).numpy().astype(dtype)
            (rgb, depth), line = scenes.items[i], scenes._lines[i]  # the list's line
            name = f"{line:05d}_{osp.splitext(osp.basename(rgb))[0]}.png"
            with atomic_write(osp.join(stage, FOLDER, name)) as f:
                Image.fromarray(ids).save(f, format="PNG")
            rows.append({"line": line, "rgb": rgb, "depth": depth,
                         "prediction": osp.join(FOLDER, name),
                         "height": ids.shape[0], "width": ids.shape[1]})
        _write_table(osp.join(stage, TABLE), rows)
    print_wrote(out_dir, (TABLE, FOLDER))  # the last line of every image command
    return rows


def _write_table(path: str, rows: list[dict]) -> None:
    import csv

    from .._files import atomic_write
    with atomic_write(path, "w") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
