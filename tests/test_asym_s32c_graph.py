"""AsymGraphFusion given one node in training: torch's bare BatchNorm error
('Expected more than 1 value per channel when training', naming no input)
is a ValueError naming the input and what is needed."""
import pytest
import torch

from pyg_fusion.nn.asym import AsymGraphFusion


def _xs(n):
    return {"rgb": torch.randn(n, 3), "audio": torch.randn(n, 4)}


def test_one_node_in_training_with_batch_norm_is_named():
    model = AsymGraphFusion({"rgb": 3, "audio": 4}, 8)
    with pytest.raises(ValueError, match=r"^xs\['rgb'\] has one row \(node\): norm='batch' in "
                                         r"training needs more than one node.*\.eval\(\)"):
        model(_xs(1))


def test_one_node_is_fine_in_evaluation_or_with_layer_norm():
    model = AsymGraphFusion({"rgb": 3, "audio": 4}, 8)
    assert model.eval()(_xs(1))["rgb"].shape == (1, 8)
    assert AsymGraphFusion({"rgb": 3, "audio": 4}, 8, norm="layer")(_xs(1))["audio"].shape \
        == (1, 8)
    assert model.train()(_xs(2))["rgb"].shape == (2, 8)
