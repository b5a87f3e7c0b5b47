"""edge_weight with a wrong number of entries, refused in one wording by the
functional checks, edge_shift and AsymGraphFusion's unread edges (one check,
functional._checks.check_edge_weight)."""
import pytest
import torch

from pyg_fusion.functional import edge_shift
from pyg_fusion.functional.normalization import normalize
from pyg_fusion.nn.asym.graph import AsymGraphFusion

X = torch.randn(4, 10)
EI = torch.tensor([[0, 1, 2], [1, 2, 3]])
W = torch.ones(2)


@pytest.mark.parametrize("call", [
    lambda: normalize(EI, W, 4),
    lambda: edge_shift(X, EI, edge_weight=W),
    lambda: AsymGraphFusion({"a": 10, "b": 10}, 10, shift="none")({"a": X, "b": X}, EI,
                                                                  edge_weight=W),
])
def test_edge_weight_of_another_length_one_message(call):
    with pytest.raises(ValueError, match=r"^edge_weight must have one entry per edge \(3\), "
                       r"got 2"):
        call()
