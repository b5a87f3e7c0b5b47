"""The specification of a method run, below the models that read it
(:mod:`pyg_fusion.methods`) and the runs that train them
(:mod:`pyg_fusion.experiments`): how an option is declared and checked
(:mod:`.options`), the typed config of each component and where a task
departs from their defaults (:mod:`.components`), the methods' names
(:mod:`.method_names`), and :class:`MethodSpec` with :func:`check_options`
(:mod:`.method_spec`).

It imports neither of the layers above it (``specs <- methods <-
experiments <- cli``); :mod:`pyg_fusion.experiments` re-exports its public
names."""
from .components import (COMPONENTS, LEGO_CONFIGS, SETTING_DEFAULTS, TASK_DEFAULTS, TASKS,
                         FusionConfig, GraphConfig, HeadConfig, ObjectiveConfig, PowersConfig,
                         TrainerConfig, option_fields)
from .method_spec import MethodSpec, check_options
from .options import check_field, documented, flag, option, unread_option

__all__ = ["TASKS", "GraphConfig", "PowersConfig", "FusionConfig", "HeadConfig",
           "ObjectiveConfig", "TrainerConfig", "COMPONENTS", "LEGO_CONFIGS", "TASK_DEFAULTS",
           "SETTING_DEFAULTS", "MethodSpec", "check_options", "option_fields", "option", "flag",
           "documented", "check_field", "unread_option"]
