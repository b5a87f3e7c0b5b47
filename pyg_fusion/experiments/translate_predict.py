"""Translations of a checkpoint on new scenes, without targets (``translate
predict``): a Taskonomy-style folder of the input modalities read as the
training scenes were (:class:`~pyg_fusion.datasets.TaskonomyFolder` with
``target=None``), one PNG per scene and a table of them."""
from __future__ import annotations


def predict_translate(checkpoint: str, data: str, out_dir: str, *,
                      progress: bool = True) -> list[dict]:
    """Runs a checkpoint of :func:`~pyg_fusion.experiments.translate_run.run_translate`
    on the scenes of the folder ``data`` (one sub-folder per input modality the
    checkpoint was trained on; no target folder needed), resized to the
    checkpoint's ``image_size`` as in training (recorded by ``translate train`` and by
    :func:`~pyg_fusion.training.translation.fit_translation`), its inputs read as depth
    as in training (the module's ``depth_inputs``, recorded by ``fit_translation``; a
    checkpoint that records none: the folders named ``depth...``), on the CPU, and writes under
    ``out_dir``: ``predictions/<scene>.png``, the ensemble's image at that size
    (a 1-channel target, e.g. depth, as a 16-bit grey PNG scaled by 65535 as
    the inputs are read, at most 65534: 65535 is Taskonomy's marker of no depth,
    :data:`~pyg_fusion.datasets.taskonomy.NO_DEPTH`, which a prediction of 1 would
    become when read back; 3 channels as 8-bit RGB), and ``predictions.csv``, one
    row per scene (``scene``, ``prediction``, ``height``, ``width``). They are
    written in ``<out_dir>/predict.partial`` and moved into ``out_dir`` once
    every scene is done; a failed prediction leaves ``out_dir`` as it was.

    Args:
        checkpoint (str): a ``.ckpt`` file of ``translate train``.
        data (str): the folder of the scenes, one sub-folder per input modality.
        out_dir (str): the output folder.
        progress (bool, optional): a progress bar. (default: :obj:`True`)

    Returns:
        list[dict]: the table's rows.
    """
    import numpy as np
    import torch
    from tqdm.auto import tqdm

    from .._loading import load_lightning
    from .._notices import notice
    from ..datasets.taskonomy import NO_DEPTH, TaskonomyFolder
    from ..training.translation import TranslationModule
    from ._predictions import check_predictions_out, write_predictions
    from .image_config import TranslateDataConfig
    from .translate_data import check_folder

    check_predictions_out(out_dir)
    check_folder(data, "--data")
    module = load_lightning(TranslationModule, checkpoint, what="--checkpoint",
                            task="translate", command="predict")
    size = module.hparams.get("image_size") or (module.hparams.get("data_config") or {}).get(
        "image_size")
    if size is None:  # a checkpoint written before the training size was recorded
        size = TranslateDataConfig.image_size
        notice(f"--checkpoint {checkpoint} records no image size: scenes are resized to "
               f"the default {size} x {size}")
    # the input folders read as depth in training (older checkpoints: those named depth...)
    scenes = TaskonomyFolder(data, module.modalities, target=None, image_size=size,
                             depth=module.hparams.get("depth_inputs"))
    scenes.check_files()  # every file's header, before the first scene
    channels = module.hparams.out_channels
    if channels not in (1, 3):
        raise ValueError(f"--checkpoint: its generator gives {channels}-channel images; "
                         f"predict writes 1-channel (grey) or 3-channel (RGB) PNGs")
    module.eval()
    names = scenes.names

    def predicted():
        for i in tqdm(range(len(scenes)), disable=not progress, desc="predicting"):
            with torch.no_grad():
                img = module.translate(scenes[i])[module.output_names[-1]][0]
            if channels == 1:  # as depth is read: 16-bit, by 65535; never "no depth"
                pixels = (img[0] * 65535).round().clamp(0, NO_DEPTH - 1).numpy().astype(
                    np.uint16)
            else:
                pixels = (img.permute(1, 2, 0) * 255).round().numpy().astype(np.uint8)
            yield f"{names[i]}.png", pixels, {"scene": names[i]}
    return write_predictions(out_dir, predicted())
