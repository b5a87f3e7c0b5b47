"""pair_similarity of features without columns is refused as
dense_relation_graph refuses them: it raised the ZeroDivisionError of its
edge blocks' size (dot, rbf) or amax's IndexError (cosine)."""
import pytest
import torch

import pyg_fusion.functional as F


@pytest.mark.parametrize("metric", ["dot", "cosine", "rbf"])
def test_pairs_of_features_without_columns_are_refused_as_the_dense_graph(metric):
    x = torch.randn(4, 0, dtype=torch.float64)
    row, col = torch.tensor([0, 1, 2, 3]), torch.tensor([1, 2, 3, 3])
    for call in (lambda: F.pair_similarity(x, row, col, metric=metric),
                 lambda: F.dense_relation_graph(x, metric=metric)):
        with pytest.raises(ValueError, match="x has feature width 0"):
            call()
