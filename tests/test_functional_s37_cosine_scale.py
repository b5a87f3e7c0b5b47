"""Cosine is scale-free: features whose squared norms overflow (float32 from
about 1e19, float64 from about 1e154) are taken, rescaled before their rows
are normalised, with the graph of the same features at an ordinary scale;
rbf and dot keep their limit."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.functional._unit_rows import unit_rows

torch.manual_seed(0)
X = torch.randn(7, 5, dtype=torch.float64)
# rows 0-2 huge, the others ordinary
SCALE = torch.tensor([1e200, 1e180, 1e160, 1, 1, 1, 1], dtype=torch.float64).unsqueeze(1)
ROW = torch.tensor([0, 0, 1, 2, 3, 4, 5, 6, 6])
COL = torch.tensor([0, 3, 2, 5, 0, 1, 6, 2, 4])


@pytest.mark.parametrize("dtype, scale", [(torch.float32, 1e30), (torch.float64, 1e200)])
def test_huge_cosine_features_give_the_graph_of_their_directions(dtype, scale):
    x = X.to(dtype)
    big = x.clone()
    big[:3] *= scale  # was: "x holds values up to 1e+30 ... the squared norms ... overflow"
    tol = dict(rtol=0, atol=1e-6 if dtype == torch.float32 else 1e-14)
    torch.testing.assert_close(F.dense_relation_graph(big), F.dense_relation_graph(x), **tol)
    torch.testing.assert_close(F.pair_similarity(big, ROW, COL),
                               F.pair_similarity(x, ROW, COL), **tol)
    ei, w = F.relation_graph(big, k=2)
    assert torch.equal(ei, F.relation_graph(x, k=2)[0])
    # dense == sparse on the kept entries
    dense = F.dense_relation_graph(big)
    torch.testing.assert_close(w, dense[ei[1], ei[0]], **tol)
    assert F.knn_recall(big, ei, 2) == F.knn_recall(x, ei, 2)


def test_a_unit_row_of_a_huge_row_is_a_unit_row():
    big = torch.tensor([[3e30, 4e30], [-1e38, 0.0]])
    torch.testing.assert_close(unit_rows(big), torch.tensor([[0.6, 0.8], [-1.0, 0.0]]))


def test_ordinary_rows_keep_f_normalize_bitwise():
    x = torch.randn(64, 16) * 1e18  # below the overflow
    assert torch.equal(unit_rows(x), torch.nn.functional.normalize(x, dim=-1))


def test_gradcheck_through_huge_rows():
    # y * SCALE puts rows at 1e160-1e200; the chain rule brings the gradient
    # back to y's scale, where finite differences measure it
    y = X.clone().requires_grad_()
    torch.autograd.gradcheck(lambda v: F.dense_relation_graph(v * SCALE, nonneg=None), (y, ))
    torch.autograd.gradcheck(lambda v: F.pair_similarity(v * SCALE, ROW, COL, nonneg=None),
                             (y, ))
    torch.autograd.gradgradcheck(lambda v: F.pair_similarity(v * SCALE, ROW, COL,
                                                             nonneg=None), (y, ))


@pytest.mark.parametrize("metric", ["rbf", "dot"])
def test_rbf_and_dot_keep_the_limit(metric):
    with pytest.raises(ValueError, match="squared norms of its rows overflow"):
        F.dense_relation_graph(X.float() * 1e30, metric=metric)


def test_lego_takes_huge_cosine_features():
    from pyg_fusion.nn import LEGO
    xs = {"a": X.float()[:, :3] * 1e25, "b": X.float()[:, 3:]}
    small = {"a": X.float()[:, :3], "b": X.float()[:, 3:]}
    torch.manual_seed(1)
    lego = LEGO({"a": 3, "b": 2}, 1, k=2, backend="sparse")
    g, g0 = lego(xs), lego(small)
    assert torch.equal(g.edge_index, g0.edge_index)
    torch.testing.assert_close(g.edge_weight, g0.edge_weight, rtol=0, atol=1e-6)
