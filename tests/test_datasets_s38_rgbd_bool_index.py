"""RGBDSegmentation[True] (a bool, or the 0-d bool tensor a comparison
gives) is an int to operator.index: it returned the scene 1 (False the
scene 0) without a word."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets import SyntheticRGBD


@pytest.mark.parametrize("index, shown", [(True, "bool True"), (np.bool_(False), "bool"),
                                          (torch.tensor(True), "Tensor tensor\\(True\\)")])
def test_a_bool_is_no_scene(tmp_path, index, shown):
    scenes = SyntheticRGBD(str(tmp_path), size=16, num_train=2, num_test=2, split="test",
                           progress=False)
    with pytest.raises(TypeError, match=rf"indexed by one integer \(a scene\), got {shown}"):
        scenes[index]
    assert scenes[1]["index"] == scenes[torch.tensor(1)]["index"] == 1
