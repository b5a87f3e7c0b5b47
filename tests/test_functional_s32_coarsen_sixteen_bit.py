"""coarsen / dense_coarsen with reduce="mean" on float16 weights: with 300
units per parent, |a| |b| = 90000 passed float16's range and every pooled
mean came out 0. The means are taken in float32 and rounded once; the
reference (S^T R S / |a||b|, float64) is written here."""
import pytest
import torch

import pyg_fusion.functional as F


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_mean_pooling_of_many_16_bit_units_is_close_to_float64(dtype):
    nf = 600
    x = torch.randn(nf, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assign = torch.arange(nf) // 300
    adj = F.dense_relation_graph(x)
    ref = torch.stack([torch.stack([adj[assign == a][:, assign == b].mean() for b in range(2)])
                       for a in range(2)])
    ei, w = F.relation_graph(x, k=nf)
    index, got = F.coarsen(ei, w.to(dtype), assign, 2, "mean")
    assert got.dtype == dtype
    torch.testing.assert_close(got.double(), ref[index[1], index[0]], rtol=1e-2, atol=0)
    dense = F.dense_coarsen(adj.to(dtype), assign, 2, "mean")
    assert dense.dtype == dtype
    torch.testing.assert_close(dense.double(), ref, rtol=1e-2, atol=0)
    w16 = w.to(dtype).requires_grad_()
    F.coarsen(ei, w16, assign, 2, "mean")[1].sum().backward()
    assert w16.grad.dtype == dtype and torch.isfinite(w16.grad).all()
