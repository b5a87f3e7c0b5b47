"""What a run of an AsymFusion image task returns (:class:`ImageRun`) and
what the runs of both tasks share. The runs themselves are in
:mod:`.segment_run` (RGB-D segmentation) and :mod:`.translate_run`
(multi-modal translation), as :mod:`.run` is for the graph tasks."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

# the --data value of the generated scenes, in both image tasks
SYNTHETIC = "synthetic"

@dataclass
class ImageRun:
    """What a run of an image task returns.

    Args:
        module (lightning.LightningModule): the trained (or loaded) model.
        scores (dict): ``{output: {metric: value}}`` of every output (each
            branch and the ensemble) on the scored split.
        split (str): the scored split (``"test"`` or ``"validation"``).
        data (torch.utils.data.Dataset): the scored split's data.
    """
    module: Any
    scores: dict[str, dict[str, float]]
    split: str
    data: Any

    @property
    def parameters(self) -> int:
        """Parameters of the scored network (the generator for translation)."""
        net = self.module.generator if hasattr(self.module, "generator") else self.module.model
        return sum(p.numel() for p in net.parameters())


# the settings of the image commands that name a file or folder of the user's
# (the evaluated checkpoint, --pretrained, --inception, --val-data)
PATHS = ("checkpoint", "pretrained", "inception", "val_data")


def as_recorded(data, field: str):
    """``data`` as the checkpoint and ``metrics.json`` record it: the folder of
    a user's scenes (its ``field``: segment's ``root``, translate's ``data``)
    by its absolute path, which evaluate finds from any working folder (a
    relative one was resolved in evaluate's own, another folder or none). The
    synthetic scenes' root is kept as given: the seed makes the same scenes
    anywhere.

    Args:
        data (dataclass): a data config of an image task.
        field (str): its field that names the user's folder.
    """
    import os.path as osp
    if data.data == SYNTHETIC or getattr(data, field) is None:
        return data
    return dataclasses.replace(data, **{field: osp.abspath(getattr(data, field))})


def config_with_data(config: dict | None, data, **sections) -> dict:
    """``config`` with the data actually scored (the checkpoint's settings
    filled in) as its ``data`` section, and the files it names
    (:data:`PATHS`) by absolute path: the record names the same files read
    from any folder, as it names the data's folder.

    Without ``config`` (a Python call given no ``config=``) the record is
    made of ``sections``, the typed configs the run was called with, as the
    CLI records them: as the graph tasks' records, it names what the run
    scored and what reruns it.

    The record is plain Python (:func:`~pyg_fusion.specs.options.plain`:
    numpy's scalars as Python's), as ``metrics.json`` writes it.

    Args:
        config (dict or None): the run's config (the CLI's), or :obj:`None`.
        data (dataclass): the data config scored.
        **sections (optional): the run's other configs by section name
            (``model=``, ``trainer=``, ``eval=``...), read without ``config``.
    """
    import os.path as osp

    from ..specs.options import plain
    if config is None:
        config = {name: dataclasses.asdict(cfg) for name, cfg in sections.items()
                  if cfg is not None}

    def absolute(section: dict) -> dict:
        return {k: osp.abspath(v) if k in PATHS and isinstance(v, str) else v
                for k, v in section.items()}
    out = {k: absolute(v) if isinstance(v, dict) else v for k, v in absolute(config).items()}
    # written as JSON once the run has trained: a numpy scalar of the caller's config
    # ({"epochs": np.int64(1)}) failed there, 'Object of type int64 is not JSON serializable'
    return plain({**out, "data": dataclasses.asdict(data)})


def print_wrote(out_dir: str, names) -> None:
    """The last line of every image run: ``wrote`` and the paths of the files
    (and folders) of ``names`` that it published into ``out_dir``, as the
    other commands end. Segment and translate ended differently (``wrote
    ...`` / ``figure: ...``), each naming some of its files.

    Args:
        out_dir (str): the run's output folder.
        names (Sequence[str]): the files and folders a run of its kind writes
            there; those that it did not write are left out.
    """
    import os.path as osp
    written = [osp.join(out_dir, n) for n in names if osp.exists(osp.join(out_dir, n))]
    if written:
        print(f"wrote {', '.join(written)}")


def check_report_replaceable(out_dir: str) -> None:
    """Refuses an evaluation's ``out_dir`` whose ``metrics.json`` is a
    training run's report (one that names no evaluated checkpoint), e.g. the
    training run's own folder given as ``--out``: the evaluation would replace
    it. An evaluation's report, or a file that is not a report, is replaced.

    Args:
        out_dir (str): the evaluation's output folder.
    """
    from ._run_folders import report_command
    if report_command(out_dir) != "train":
        return
    raise ValueError(f"--out {out_dir!r} holds the report of a training run (metrics.json), "
                     f"which evaluate would replace: give another --out")


def checkpoint_epochs(path: str) -> int | None:
    """The training epochs behind a Lightning checkpoint's weights (its fit
    loop's processed epochs: ``best.ckpt`` of epoch 3 counts 4), or
    :obj:`None` where the file does not record them. Its ``epoch`` field is
    no count: a checkpoint written at validation end holds the epoch's index,
    one written at the epoch's end the next one's.

    Args:
        path (str): a ``.ckpt`` file of a Lightning trainer.
    """
    from .._loading import load_checkpoint

    ckpt = load_checkpoint(path, what="--checkpoint")
    try:
        return int(ckpt["loops"]["fit_loop"]["epoch_progress"]["total"]["processed"])
    except (KeyError, TypeError, ValueError):
        return None


def figure_title(model: str, data: str, *, epochs: int | None = None,
                 checkpoint: str | None = None) -> str:
    """The title of an image run's figure, as the graph tasks' figures carry
    one: ``"<model> on <data>: <E> epochs (<run>/<file>)"``, so that a short
    run's predictions do not pass for a trained model's.

    Args:
        model (str): the model (variant, modalities).
        data (str): the scenes it sees.
        epochs (int, optional): the epochs its weights were trained for. (default: :obj:`None`)
        checkpoint (str, optional): the checkpoint file evaluated (its run folder and name
            are shown). (default: :obj:`None`)
    """
    import os.path as osp

    title = f"{model} on {data}"
    if epochs is not None:
        title += f": {epochs} epoch{'' if epochs == 1 else 's'}"
    if checkpoint is not None:
        run = osp.basename(osp.dirname(osp.dirname(osp.abspath(checkpoint))))
        title += f" ({run}/{osp.basename(checkpoint)})"
    return title




# The runs lived here until they were split by task: the names this module
# exported stay importable from it (lazily, since both modules import this one).
_MOVED = {"segment_run": ("segment_datasets", "run_segment", "evaluate_segment"),
          "translate_run": ("translate_modalities", "translate_dataset", "run_translate",
                            "evaluate_translate")}


def __getattr__(name: str):
    import importlib
    for module, names in _MOVED.items():
        if name in names:
            return getattr(importlib.import_module(f"{__package__}.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
