"""dense_topk of a padded batch of signed graphs kept a padded column (0)
over a real negative entry: with mask it keeps each graph's k largest real
entries, as relation_graph does per graph (an independent reference here)."""
import pytest
import torch
from torch_geometric.utils import to_dense_batch

import pyg_fusion.functional as F


def _reference(adj, mask, k):
    # per real row: the diagonal and the k largest real off-diagonal entries
    out = torch.zeros_like(adj)
    for b in range(adj.size(0)):
        n = int(mask[b].sum())
        for i in range(n):
            others = sorted((j for j in range(n) if j != i), key=lambda j: -adj[b, i, j].item())
            for j in others[:k] + [i]:
                out[b, i, j] = adj[b, i, j]
    return out


@pytest.mark.parametrize("k", [1, 3, 8])
def test_dense_topk_of_a_padded_signed_batch_keeps_real_entries(k):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(12, 4, dtype=torch.float64, generator=g)
    batch = torch.tensor([0] * 6 + [1] * 4 + [2] + [3])  # N = 6, 4, 1, 1
    xd, mask = to_dense_batch(x, batch)
    adj = F.dense_relation_graph(xd, nonneg=None, mask=mask)
    got = F.dense_topk(adj, k, mask=mask)
    torch.testing.assert_close(got, _reference(adj, mask, k), rtol=0, atol=0)
    ei, w = F.relation_graph(x, batch, k=k, nonneg=None, knn="exact")
    torch.testing.assert_close(got, F.edges_to_dense(ei, w, batch), rtol=0, atol=1e-12)


def test_dense_topk_mask_is_checked_and_gradients_flow():
    adj = torch.randn(2, 3, 3, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"mask must have shape \[2, 3\]"):
        F.dense_topk(adj, 1, mask=torch.ones(2, 4, dtype=torch.bool))
    with pytest.raises(TypeError, match="mask must be a bool tensor"):
        F.dense_topk(adj, 1, mask=torch.ones(2, 3))
    mask = torch.tensor([[True, True, False], [True, True, True]])
    adj = adj * (mask[:, :, None] & mask[:, None, :])
    assert torch.autograd.gradcheck(lambda a: F.dense_topk(a, 1, mask=mask),
                                    (adj.clone().requires_grad_(), ))
    # unpadded: the same as without a mask
    full = torch.ones(2, 3, dtype=torch.bool)
    assert torch.equal(F.dense_topk(adj, 2, mask=full), F.dense_topk(adj, 2))
