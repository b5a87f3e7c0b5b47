"""rbf similarities of float16 features whose squared distances pass 65504
(features of magnitude ~100, d = 16): the dense graph was NaN (inf - inf,
the diagonal too) and the sparse weights 0 at any gamma. Both compute the
distances in float32 for 16-bit features, as feature_limit allows them."""
import math

import pytest
import torch

import pyg_fusion.functional as F


def _reference(x, gamma):
    # exp(-gamma |x_i - x_j|^2), float64, an explicit loop
    n = x.size(0)
    out = torch.empty(n, n, dtype=torch.float64)
    for i in range(n):
        for j in range(n):
            out[i, j] = math.exp(-gamma * float(((x[i] - x[j]) ** 2).sum()))
    return out


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_rbf_of_wide_16_bit_features_is_close_to_float64(dtype):
    g = torch.Generator().manual_seed(0)
    x = (torch.randn(6, 16, dtype=torch.float64, generator=g) * 100).to(dtype)
    ref = _reference(x.double(), 1e-6)  # similarities 0.5-0.8
    dense = F.dense_relation_graph(x, "rbf", gamma=1e-6)
    assert dense.dtype == dtype
    torch.testing.assert_close(dense.double(), ref, rtol=0, atol=1e-2)
    ei, w = F.relation_graph(x, k=5, metric="rbf", gamma=1e-6)
    assert w.dtype == dtype
    torch.testing.assert_close(w.double(), ref[ei[1], ei[0]], rtol=0, atol=1e-2)
    w = F.pair_similarity(x, ei[1], ei[0], "rbf", gamma=1e-6)
    torch.testing.assert_close(w.double(), ref[ei[1], ei[0]], rtol=0, atol=1e-2)
    # far units (the default gamma) weigh 0 off the diagonal, 1 on it
    dense = F.dense_relation_graph(x * 4, "rbf")
    torch.testing.assert_close(dense.double(), torch.eye(6, dtype=torch.float64))


def test_rbf_of_16_bit_features_keeps_gradients():
    x = (torch.randn(5, 16, generator=torch.Generator().manual_seed(1)) * 100).half()
    x.requires_grad_()
    F.dense_relation_graph(x, "rbf", gamma=1e-6).sum().backward()
    assert x.grad.dtype == torch.float16 and torch.isfinite(x.grad).all()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_dense_rbf_of_many_offset_16_bit_units_is_finite_and_close(dtype):
    # 2000 units at 60 + noise: their sum (the graph's mean, for centring)
    # passed float16's range, every centred feature was -inf and G NaN
    g = torch.Generator().manual_seed(0)
    x = (60 + torch.randn(2000, 4, dtype=torch.float64, generator=g)).to(dtype)
    got = F.dense_relation_graph(x, "rbf")
    want = F.dense_relation_graph(x.double(), "rbf")  # the same (rounded) features
    assert got.dtype == dtype and torch.isfinite(got).all()
    torch.testing.assert_close(got.double(), want, rtol=0, atol=1e-2)
