"""GraphPowerExpansion called in PyG's conv(x, edge_index) order was told to
pass its features as .long() node indices ("edge_index must be torch.long
... pass edge_index.long()"); it now names expand_features."""
import pytest
import torch

from pyg_fusion.nn import GraphPowerExpansion


def test_features_first_names_expand_features():
    layer = GraphPowerExpansion(2)
    x, edge_index = torch.randn(3, 4), torch.tensor([[0, 1, 2], [1, 2, 0]])
    with pytest.raises(TypeError, match=r"as in PyG's conv\(x, edge_index\): "
                                        r"expand_features\(x, edge_index, edge_weight\)"):
        layer(x, edge_index)
    assert layer.expand_features(x, edge_index).shape == (3, 3, 4)
    ei, attr = layer(edge_index)  # the graph's own order still runs
    assert attr.shape == (ei.size(1), 3)
