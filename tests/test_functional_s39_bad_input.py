"""Bad input met by feeding every public functional entry and layer the
guide's list (wrong shape, dtype, device, NaN, empty graphs, bad batch):
the cases that gave a torch error naming no argument, or an answer where
an error was due. "meta" stands in for a second device (a CUDA batch with
CPU edges reads alike)."""
import pytest
import torch

import pyg_fusion.functional as F

g = torch.Generator().manual_seed(0)
X3 = torch.randn(1, 5, 3, generator=g)           # [B, N, d]
EI = torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]])
EW = torch.rand(5, generator=g)
B = torch.tensor([0, 0, 0, 1, 1, 1])
A = torch.rand(3, 3, generator=g)


def powers():
    return F.graph_powers(EI, EW, 6, 2)


@pytest.mark.parametrize("options, exc, match", [
    # a NaN threshold kept the self loops alone, without a word
    (dict(threshold=float("nan")), ValueError, "threshold must be a finite number"),
    (dict(k=0), ValueError, "k must be >= 1"),          # failed inside torch.topk
    (dict(k=True), TypeError, "k must be an int"),
    (dict(k=torch.tensor(2)), TypeError, "k must be an int"),  # was taken
])
def test_dense_shared_support_graphs_checks_its_options_as_the_sparse_twin(options, exc, match):
    with pytest.raises(exc, match=match):
        F.dense_shared_support_graphs({"a": X3, "b": X3[..., :2]}, **options)
    with pytest.raises(exc, match=match):
        F.shared_support_graphs({"a": X3[0], "b": X3[0, :, :2]}, **options)


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0)])
@pytest.mark.parametrize("include_diagonal", [False, True])
def test_dense_topk_of_an_empty_graph_is_empty(shape, include_diagonal):
    # torch.topk / amax of a row of no entries failed ("selected index k out
    # of range"); dense_normalize and dense_graph_degrees give N = 0 back too
    out = F.dense_topk(torch.zeros(shape), 3, include_diagonal=include_diagonal)
    assert out.shape == shape
