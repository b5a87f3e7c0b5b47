"""The GCN baseline as a user composes it: its inputs checked and named
(GCNConv's own errors named a weight matrix or a mask), a sparse ``adj_t``
taken as GCNConv takes it, without touching the caller's tensor."""
import pytest
import torch
from torch_geometric.utils import coalesce, remove_self_loops

from pyg_fusion.nn.baselines import GCN


def _graph(n=6, e=15):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=g)
    ei = torch.randint(0, n, (2, e), generator=g)
    ei, w = coalesce(*remove_self_loops(ei, torch.rand(e, generator=g)), n)
    return x, ei, w


@pytest.mark.parametrize("change, error, words", [
    (lambda x, ei, w: (x.long(), ei, w), TypeError, "x must be a floating-point"),
    (lambda x, ei, w: (x[:, :3], ei, w), ValueError, "x has 3 channels"),
    (lambda x, ei, w: (x.double(), ei, w), TypeError, "x is torch.float64"),
    (lambda x, ei, w: (x, ei, w[:, None]), ValueError, "edge_weight must have 1 dimensions"),
    (lambda x, ei, w: (x, ei, w[:-1]), ValueError, "edge_weight must have one entry per edge"),
    (lambda x, ei, w: (x, ei, w.double()), TypeError, "edge_weight is torch.float64 but x"),
    (lambda x, ei, w: (x, ei + 10, w), ValueError, "edge_index holds node indices outside"),
    (lambda x, ei, w: (x, ei.float(), None), TypeError, "edge_index must be torch.long"),
])
def test_gcn_names_the_bad_input(change, error, words):
    x, ei, w = _graph()
    with pytest.raises(error, match=words):
        GCN(4, 8, 2)(*change(x, ei, w))


def test_gcn_sparse_adj_t_as_edge_index_and_caller_tensor_untouched():
    x, ei, w = _graph()
    model = GCN(4, 8, 2).eval()
    ref = model(x, ei, w)
    # an uncoalesced COO adj_t (edges in source order): PyG flagged it
    # coalesced in place, and its CSR form then gave other numbers
    adj_t = torch.sparse_coo_tensor(ei.flip(0), w, (6, 6))
    assert not adj_t.is_coalesced()
    torch.testing.assert_close(model(x, adj_t), ref)
    assert not adj_t.is_coalesced()
    torch.testing.assert_close(model(x, adj_t.coalesce().to_sparse_csr()), ref)
    with pytest.raises(ValueError, match="adj_t carries its own weights"):
        model(x, adj_t, w)
    with pytest.raises(ValueError, match=r"adj_t must be \[N, N\] with N = 5"):
        model(x[:5], adj_t)


def test_gcn_scripts_and_takes_empty_graphs_and_float64():
    x, ei, w = _graph()
    model = GCN(4, 8, 2).eval()
    torch.testing.assert_close(torch.jit.script(model)(x, ei, w), model(x, ei, w))
    out = model(x[:0], ei[:, :0], w[:0])
    assert out.shape == (0, 2)
    assert model.double()(x.double(), ei, w.double()).dtype == torch.float64
