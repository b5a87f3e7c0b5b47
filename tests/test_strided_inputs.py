"""Strided (non-contiguous) index inputs, as `pairs.t()` or `torch.unique(...,
dim=1)` give them, mean the same as contiguous ones on every sparse entry
point: torch's COO <-> CSR index kernels read their input as contiguous
(torch 2.13: wrong pointers, or a corrupted heap), so the library makes
every input of them contiguous."""
import torch

import pyg_fusion.functional as F
from pyg_fusion.nn import GraphHead, GraphPowerExpansion
from device_checks import bitwise


def _graph(n=12, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    pairs = torch.randint(0, n, (3 * n, 2), generator=g).to(device)
    pairs = torch.unique(torch.cat([pairs, torch.arange(n, device=device).repeat(2, 1).t()]),
                         dim=0)
    strided = pairs.t()  # rows of a transposed [E, 2] tensor: strided views
    assert not strided.is_contiguous() and not strided[0].is_contiguous()
    w = torch.rand(strided.size(1), generator=g, dtype=torch.float64) + 0.1
    return strided, w.to(device)


def test_strided_edge_index_equals_contiguous_everywhere(device):
    n = 12
    ei, w = _graph(n, device=device)
    cont = ei.contiguous()
    with bitwise(device):  # the same sums, in the same order
        for norm in ("sym", "row", None):
            for prune in (None, 3):
                a = F.graph_powers(ei, w, n, 3, norm=norm, prune_k=prune)
                b = F.graph_powers(cont, w, n, 3, norm=norm, prune_k=prune)
                assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
                assert a[0].device == a[1].device == w.device
    pa, pb = F.graph_powers(ei, w, n, 2), F.graph_powers(*_graph(n, seed=1, device=device), n, 2)
    A = torch.randn(3, 3, dtype=torch.float64).to(device)
    strided_a = (pa[0].t().contiguous().t(), pa[1])
    assert not strided_a[0].is_contiguous()
    for support in ("union", "intersection"):
        a = F.lego_fuse_sparse(*strided_a, *pb, A, n, support=support)
        b = F.lego_fuse_sparse(*pa, *pb, A, n, support=support)
        assert torch.equal(a[0], b[0]) and torch.allclose(a[1], b[1], atol=1e-12)
    assign = torch.arange(n, device=device) // 3
    a, b = F.coarsen(ei, w, assign, 4), F.coarsen(cont, w, assign, 4)
    assert torch.equal(a[0], b[0]) and torch.allclose(a[1], b[1])
    y = torch.nn.functional.one_hot(torch.arange(n, device=device) % 3).double()
    assert torch.allclose(F.label_propagation(y, ei, w), F.label_propagation(y, cont, w))
    with bitwise(device):
        assert torch.equal(F.edges_to_dense(ei, w), F.edges_to_dense(cont, w))
        layer = GraphPowerExpansion(2, prune_k=4).to(device)
        a, b = layer(ei, w, n), layer(cont, w, n)
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    head = GraphHead(5, 8, 2).double().to(device).eval()
    x = torch.randn(n, 5, dtype=torch.float64).to(device)
    assert torch.allclose(head(x, ei, w), head(x, cont, w))


def test_strided_batch_and_pointers(device):
    x = torch.randn(10, 4).to(device)
    # a strided batch vector
    batch = torch.tensor([[0, 9]] * 4 + [[1, 9]] * 6, device=device).t()[0]
    assert not batch.is_contiguous()
    a = F.relation_graph(x, batch, k=2)
    b = F.relation_graph(x, batch.contiguous(), k=2)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and a[0].device == x.device
