"""FeatureFusion reads features in the last dimension: a 1-D source (one
value per node) is refused by name, not fused across its nodes."""
import pytest
import torch

from pyg_fusion.nn.baselines import FeatureFusion


@pytest.mark.parametrize("mode", ["concat", "add", "product"])
def test_a_one_dimensional_source_is_refused_not_mixed_across_nodes(mode):
    # [6] sources of a model built for width 6 were taken as one row of 6
    # features: concat gave [12], the nodes of both sources side by side
    fusion = FeatureFusion({"a": 6, "b": 6}, mode=mode)
    with pytest.raises(ValueError, match=r"xs\['a'\] must be \[\.\.\., N, 6\] \(features in "
                                         r"the last dimension\), got shape \(6,\)"):
        fusion({"a": torch.randn(6), "b": torch.randn(6)})
    assert fusion({"a": torch.randn(6, 6), "b": torch.randn(6, 6)}).shape[0] == 6
    assert fusion({"a": torch.randn(2, 6, 6), "b": torch.randn(2, 6, 6)}).shape[:2] == (2, 6)
