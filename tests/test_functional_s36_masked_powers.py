"""dense_graph_powers(adj, P, mask=mask) read the padded rows and columns of
adj: an rbf graph of a padded batch built without the mask (to_dense_batch's
zero features weigh exp(-gamma |x|^2) against the real units) gave the real
nodes' degrees and powers those entries (R^1 of a two-node graph off by 0.34,
where graph_powers and the graph alone agree). Padded nodes are now read as
no nodes of the graph; a clean adj gives the same numbers."""
import pytest
import torch
from torch_geometric.utils import to_dense_batch

import pyg_fusion.functional as F
from pyg_fusion.nn import GraphPowerExpansion


@pytest.mark.parametrize("norm", ["sym", "row", None])
@pytest.mark.parametrize("mode,prune_k", [("matrix", None), ("hadamard", None), ("matrix", 1)])
def test_padded_entries_of_adj_are_not_read(norm, mode, prune_k):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(5, 3, generator=g, dtype=torch.float64)
    xp, mask = to_dense_batch(x, torch.tensor([0, 0, 0, 1, 1]))
    adj = F.dense_relation_graph(xp, "rbf")  # padding not masked: its entries are not 0
    assert adj[1, 2:, :2].abs().min() > 0
    got = F.dense_graph_powers(adj, 2, norm, mode, prune_k=prune_k, mask=mask)
    layer = GraphPowerExpansion(2, norm=norm, mode=mode, prune_k=prune_k).dense(adj, mask)
    clean = adj * (mask.unsqueeze(-1) & mask.unsqueeze(-2))
    torch.testing.assert_close(got, F.dense_graph_powers(clean, 2, norm, mode, prune_k=prune_k,
                                                         mask=mask), rtol=0, atol=0)
    torch.testing.assert_close(layer, got, rtol=0, atol=0)
    for b, n in ((0, 3), (1, 2)):
        alone = F.dense_graph_powers(adj[b, :n, :n], 2, norm, mode, prune_k=prune_k)
        torch.testing.assert_close(got[b, :, :n, :n], alone)
        assert not got[b, :, n:].any() and not got[b, :, :, n:].any()
