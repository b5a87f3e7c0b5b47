"""The datasets a run can name (:data:`DATASETS`) and the one rule from a
dataset's name to its task (:func:`task_of`): graph tasks (node
classification, VAD), loaded by :mod:`.data`, and image tasks, by
:mod:`.segment_run` and :mod:`.translate_run`."""
from __future__ import annotations

from typing import NamedTuple

from ..specs.components import TASKS


class Dataset(NamedTuple):
    """A dataset's entry in :data:`DATASETS`.

    Args:
        task (str): the task it serves: ``"node"`` or ``"vad"`` (graph tasks,
            :func:`load_data`), ``"segment"`` or ``"translate"`` (image tasks,
            :mod:`~pyg_fusion.experiments.segment_run`,
            :mod:`~pyg_fusion.experiments.translate_run`).
        data (str, optional): for an image task, the value of its config's
            ``data`` field. (default: :obj:`None`)
    """
    task: str
    data: str | None = None


# Every dataset a run can name, and its task: the CLI routes `train --dataset
# synthetic-rgbd` to the segmentation task from here, and every other place
# that needs a dataset's task asks task_of().
DATASETS: dict[str, Dataset] = {
    "digits": Dataset("node"),
    "synthetic-vad": Dataset("vad"),
    "motion-vad": Dataset("vad"),
    "vad": Dataset("vad"),
    "tables": Dataset("node"),
    "synthetic-rgbd": Dataset("segment", "synthetic"),
    "nyud": Dataset("segment", "nyud"),
    "synthetic-translation": Dataset("translate", "synthetic"),
}
IMAGE_TASKS = ("segment", "translate")
GRAPH_DATASETS = tuple(k for k, v in DATASETS.items() if v.task in TASKS)


def task_of(dataset: str) -> str:
    """The task of the dataset named ``dataset`` (:data:`DATASETS`).

    Args:
        dataset (str): a key of :data:`DATASETS`.
    """
    if dataset not in DATASETS:
        raise ValueError(f"--dataset must be one of {list(DATASETS)}, got {dataset!r}")
    return DATASETS[dataset].task
