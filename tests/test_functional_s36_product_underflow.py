"""graph_powers on the CPU (scipy's product) dropped an entry of a power
whose positive products all underflow to 0 (weights of 1e-170 in float64,
1e-25 in float32): scipy keeps no exact 0, so the entry, which a path of
edges reaches and which prune_k's contract keeps, was missing, and its
gradient (1e-170, the true derivative, which dense_graph_powers and torch's
product give) was 0."""
import pytest
import torch

from pyg_fusion.functional import dense_graph_powers, graph_powers


@pytest.mark.parametrize("dtype,scale", [(torch.float64, 1e-170), (torch.float32, 1e-25)])
@pytest.mark.parametrize("prune_k", [None, 4])
def test_products_that_underflow_keep_their_entries_and_gradients(dtype, scale, prune_k):
    ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    w0 = (torch.rand(6, generator=torch.Generator().manual_seed(0), dtype=dtype) + 1) * scale
    weights = torch.randn(2, 4, 4, generator=torch.Generator().manual_seed(1), dtype=dtype)
    w = w0.clone().requires_grad_()
    index, attr = graph_powers(ei, w, 4, 2, norm=None, prune_k=prune_k)
    # the path graph's square reaches every entry within 2 hops: 4 + 6 + 4
    assert index.size(1) == 14
    got = torch.autograd.grad((attr[:, 1:] * weights[:, index[1], index[0]].t()).sum(), w)[0]
    w = w0.clone().requires_grad_()
    adj = torch.zeros(4, 4, dtype=dtype).index_put((ei[1], ei[0]), w)
    want = torch.autograd.grad((dense_graph_powers(adj, 2, None)[1:] * weights).sum(), w)[0]
    assert bool(want.ne(0).all())
    torch.testing.assert_close(got, want)
