"""GraphHead over fixed edges with learned weights (LEGO's node models:
lego, lego-cp on the digits) sorts the edges once for their degrees and
keeps the order: every step coalesced (sorted) them again for new weights.
Outputs and gradients are those of PyG's coalesce at every step, bitwise."""
import torch
import torch_geometric.utils

import pyg_fusion.functional.normalization as N
from pyg_fusion.nn import GraphHead


def _graph(n=30, e=160, seed=0):
    g = torch.Generator().manual_seed(seed)
    edge_index = torch.randint(0, n, (2, e), generator=g)
    edge_index = torch.cat([edge_index, edge_index[:, :20]], 1)  # duplicates too
    return (torch.randn(n, 5, generator=g, dtype=torch.float64), edge_index,
            torch.randn(edge_index.size(1), generator=g, dtype=torch.float64))


def _reference(head, x, edge_index, w):
    # GraphHead's forward with its weights normalised through PyG's coalesce
    w = w.detach().requires_grad_()
    out = head.run_convs(x, edge_index, head.normalize(edge_index, w, x.size(0)))
    return out, torch.autograd.grad(out.square().sum(), w)[0]


def test_the_order_is_sorted_once_and_coalesces_bitwise(monkeypatch):
    x, edge_index, w0 = _graph()
    head = GraphHead(5, 8, 3, dropout=0.0).double()
    steps = [w0 + s for s in range(3)]
    refs = [_reference(head, x, edge_index, w) for w in steps]
    sorts = []
    real_coalesce = torch_geometric.utils.coalesce
    monkeypatch.setattr(torch_geometric.utils, "coalesce",
                        lambda *a, **k: sorts.append(1) or real_coalesce(*a, **k))
    if hasattr(N, "index_sort"):
        real_sort = N.index_sort
        monkeypatch.setattr(N, "index_sort", lambda *a, **k: sorts.append(1) or real_sort(*a, **k))
    for w, (ref, grad_ref) in zip(steps, refs):
        w = w.clone().requires_grad_()
        out = head(x, edge_index, w)
        (grad, ) = torch.autograd.grad(out.square().sum(), w)
        assert torch.equal(out, ref) and torch.equal(grad, grad_ref)
    assert len(sorts) == 1  # three steps sorted three times before
    other = edge_index.flip(1)  # other edges: sorted anew
    assert torch.equal(head(x, other, w0.clone().requires_grad_()),
                       _reference(head, x, other, w0)[0])


def test_gradcheck_through_the_kept_order():
    x, edge_index, w = _graph(n=10, e=30)
    head = GraphHead(5, 4, 2, dropout=0.0).double()
    head(x, edge_index, w.clone().requires_grad_())  # the order kept
    assert torch.autograd.gradcheck(lambda v: head(x, edge_index, v), (w.requires_grad_(), ))
