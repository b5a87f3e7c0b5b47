"""A switch of a segment config read from JSON or YAML in Python (light:
"false") is a string, truthy: it was refused only by the network, once the
scenes had been generated. run_segment refuses it before any data is made."""
import json

import numpy as np
import pytest

from pyg_fusion.experiments.image_config import (SegmentDataConfig, SegmentModelConfig,
                                                 SegmentTrainConfig, check_segment)
from pyg_fusion.experiments.segment_run import run_segment


@pytest.mark.parametrize("key", ["light", "frozen_stats"])
@pytest.mark.parametrize("value", ["false", "true", 0, None])
def test_a_switch_is_refused_when_the_config_is_read(tmp_path, key, value):
    model = SegmentModelConfig(**json.loads(json.dumps({key: value})))
    root = tmp_path / "scenes"
    with pytest.raises(TypeError, match=f"{key} must be True or False, got {value!r}"):
        run_segment(SegmentDataConfig(root=str(root), size=32, num_train=2, num_test=1),
                    model, SegmentTrainConfig(epochs=1), str(tmp_path / "out"),
                    progress=False)
    assert not root.exists()  # no scenes were generated first


@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_bool_switches_pass(value):
    check_segment(SegmentDataConfig(), SegmentModelConfig(light=value, frozen_stats=value))
