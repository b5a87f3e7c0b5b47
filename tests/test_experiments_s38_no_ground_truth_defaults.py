"""checkpoint_data's refusal of label and training-list options beside
vad_gt="none" (which reads neither) took DataConfig's own defaults for
options given: a Python caller's DataConfig(dataset="vad", vad_gt="none",
vad_test_list=...) was refused with '--vad-labels: ... leave --vad-labels
out', an option it never gave (vad_labels defaults to "auto")."""
import pytest

from pyg_fusion.experiments import DataConfig
from pyg_fusion.experiments.checkpoints import _check_vad_given


def _check(**given):
    data = DataConfig(dataset="vad", vad_gt="none", vad_test_list="new.list", **given)
    _check_vad_given(data, {}, {}, "C.ckpt", ["i3d"])


def test_the_defaults_of_a_python_config_are_not_options_given():
    _check()  # was: ValueError '--vad-labels: --vad-gt none scores the test videos alone ...'


@pytest.mark.parametrize("given, flag", [({"vad_labels": "name"}, "--vad-labels"),
                                         ({"vad_num_abnormal": 1}, "--vad-num-abnormal"),
                                         ({"vad_train_list": "t.list"}, "--vad-train-list"),
                                         ({"vad_normal_pattern": "ok"}, "--vad-normal-pattern")])
def test_options_given_are_still_refused(given, flag):
    with pytest.raises(ValueError, match=f"^{flag}: --vad-gt none scores the test videos"):
        _check(**given)
