"""What the image tasks' predict commands (``segment predict``, ``translate
predict``) write under their ``--out``: one PNG per scene in ``predictions/``
and a table of them, ``predictions.csv``, published together once every scene
is done."""
from __future__ import annotations

import os.path as osp
from typing import Iterable

# what a prediction writes under its out_dir
FOLDER, TABLE = "predictions", "predictions.csv"


def check_predictions_out(out_dir: str) -> None:
    """Refuses, before any work, an ``out_dir`` whose entries of the names
    written are of the other kind (:func:`~pyg_fusion.experiments._run_folders.check_own_run`)."""
    from ._run_folders import check_own_run
    check_own_run(out_dir, "predict", (TABLE, ), (FOLDER, ))


def write_predictions(out_dir: str, scenes: Iterable[tuple[str, object, dict]]) -> list[dict]:
    """Writes each scene's image and the table under ``out_dir``: staged in
    ``<out_dir>/predict.partial`` and published once the last scene is done
    (an earlier prediction's ``predictions/`` and table are replaced whole,
    named first in a notice). A
    failed prediction leaves ``out_dir`` as it was and no stage (nothing in it
    would serve a rerun); a killed one's stage is removed by the next.

    Args:
        out_dir (str): the output folder.
        scenes (Iterable[tuple]): per scene ``(file name, pixels, row)``: the PNG's
            name, its pixels (a numpy array that :func:`PIL.Image.fromarray` takes) and
            the table's first columns; ``prediction``, ``height`` and ``width`` follow.

    Returns:
        list[dict]: the table's rows.
    """
    import csv

    from PIL import Image

    from .._files import atomic_write
    from ._run_folders import staged_run
    from .image_run import print_wrote

    rows = []
    # an earlier prediction there is named in a notice, as train and evaluate name theirs
    with staged_run(out_dir, "predict", (TABLE, ), (FOLDER, ), keep_failed=False) as stage:
        for name, pixels, row in scenes:
            with atomic_write(osp.join(stage, FOLDER, name)) as f:
                Image.fromarray(pixels).save(f, format="PNG")
            rows.append({**row, "prediction": osp.join(FOLDER, name),
                         "height": pixels.shape[0], "width": pixels.shape[1]})
        with atomic_write(osp.join(stage, TABLE), "w") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    print_wrote(out_dir, (TABLE, FOLDER))  # the last line of every image command
    return rows
