"""The experiments API, under the CLI, ``plot``, the benchmarks and the
gallery: typed configs of a method run (defined in :mod:`pyg_fusion.specs`,
re-exported here), the data (:mod:`.data`), training and evaluating runs
(:mod:`.run`) and reading checkpoints back (:mod:`.checkpoints`).

Only the configs and :mod:`.data` are imported here: the rest pulls in PyG
and Lightning, and the CLI's start-up must not (import
``pyg_fusion.experiments.run`` etc. where they are needed)."""
from ..specs import (COMPONENTS, LEGO_CONFIGS, SETTING_DEFAULTS, TASK_DEFAULTS, TASKS,
                     FusionConfig, GraphConfig, HeadConfig, MethodSpec, ObjectiveConfig,
                     PowersConfig, TrainerConfig, check_options, option_fields)
from .data import DATASETS, GRAPH_DATASETS, IMAGE_TASKS, DataConfig, Dataset, TaskData, task_of

__all__ = ["TASKS", "GraphConfig", "PowersConfig", "FusionConfig", "HeadConfig",
           "ObjectiveConfig", "TrainerConfig", "COMPONENTS", "LEGO_CONFIGS", "TASK_DEFAULTS",
           "SETTING_DEFAULTS", "MethodSpec", "check_options", "option_fields", "DATASETS",
           "GRAPH_DATASETS", "IMAGE_TASKS", "Dataset", "task_of", "DataConfig", "TaskData"]
