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


@pytest.mark.parametrize("channels,ratio", [(8, 0.1), (6, 0.125)])
def test_a_ratio_that_leaves_no_group_is_refused(channels, ratio):
    """channels >= 5 is there for g >= 1; a smaller ratio gave g = 0 and blocks
    that exchanged nothing, without a word."""
    with pytest.raises(ValueError, match=rf"^channels={channels} with ratio={ratio} gives groups "
                                         r"of g = floor\(.*\) = 0 channels: the blocks would "
                                         r"exchange nothing; give channels >= \d+"):
        AsymGraphFusion({"rgb": 3, "audio": 4}, channels, ratio=ratio)


def test_ratios_with_a_group_and_ratio_0_build():
    for channels, ratio in ((10, 0.1), (7, 0.15), (8, 0.0)):
        AsymGraphFusion({"rgb": 3, "audio": 4}, channels, ratio=ratio)
