"""The experiments API: typed configs of a method run (:mod:`.config`)."""
from .config import (COMPONENTS, LEGO_CONFIGS, SETTING_DEFAULTS, TASK_DEFAULTS, TASKS,
                     FusionConfig, GraphConfig, HeadConfig, MethodSpec, ObjectiveConfig,
                     PowersConfig, TrainerConfig, option_fields)

__all__ = ["TASKS", "GraphConfig", "PowersConfig", "FusionConfig", "HeadConfig",
           "ObjectiveConfig", "TrainerConfig", "COMPONENTS", "LEGO_CONFIGS", "TASK_DEFAULTS",
           "SETTING_DEFAULTS", "MethodSpec", "option_fields"]
