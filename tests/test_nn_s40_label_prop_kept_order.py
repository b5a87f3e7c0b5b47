"""LabelPropagationHead over fixed edges with learned weights (LEGO's graph
only) sorts the edges once and keeps their order: every step coalesced
(sorted) them again for new weights. Outputs and gradients are those of
PyG's coalesce at every step, bitwise."""
import pytest
import torch

import pyg_fusion.functional.label_prop as LP
import pyg_fusion.functional.normalization as N
from pyg_fusion.functional import label_propagation, seed_prior_logits
from pyg_fusion.nn import LabelPropagationHead


def _graph(n=30, e=160, seed=0):
    g = torch.Generator().manual_seed(seed)
    edge_index = torch.randint(0, n, (2, e), generator=g)
    edge_index = torch.cat([edge_index, edge_index[:, :20]], 1)  # duplicates too
    y = torch.zeros(n, 3, dtype=torch.float64)
    y[torch.arange(6), torch.arange(6) % 3] = 1
    return y, edge_index, torch.randn(edge_index.size(1), generator=g, dtype=torch.float64)


def _reference(head, y, edge_index, w, symmetric):
    # LabelPropagationHead's forward over label_propagation (PyG's coalesce at each call)
    w = w.detach().requires_grad_()
    out = label_propagation(y, edge_index, w, num_layers=head.num_layers, symmetric=symmetric)
    logits = torch.where((out == 0).all(-1, keepdim=True), seed_prior_logits(y),
                         head.log_scale.exp() * out)
    return logits, torch.autograd.grad(logits.square().sum(), w)[0]


@pytest.mark.parametrize("symmetric", [True, False])
def test_the_order_is_sorted_once_and_coalesces_bitwise(symmetric, monkeypatch):
    y, edge_index, w0 = _graph()
    head = LabelPropagationHead(num_layers=5, symmetric=symmetric).double()
    steps = [w0 + s for s in range(3)]  # the weights a training changes at each step
    refs = [_reference(head, y, edge_index, w, symmetric) for w in steps]
    sorts = []
    for module in (LP, N):
        for name in ("coalesce", "index_sort"):
            if hasattr(module, name):
                real = getattr(module, name)
                monkeypatch.setattr(module, name,
                                    lambda *a, _f=real, **k: sorts.append(1) or _f(*a, **k))
    for w, (ref, grad_ref) in zip(steps, refs):
        w = w.clone().requires_grad_()
        out = head(y, edge_index, w)
        (grad, ) = torch.autograd.grad(out.square().sum(), w)
        assert torch.equal(out, ref) and torch.equal(grad, grad_ref)
    assert len(sorts) == 1  # three steps sorted three times before


def test_other_edges_are_sorted_anew():
    y, edge_index, w = _graph()
    head = LabelPropagationHead(num_layers=3).double()
    head(y, edge_index, w.clone().requires_grad_())
    other = edge_index.flip(1)
    out = head(y, other, w.clone().requires_grad_())
    assert torch.equal(out, _reference(head, y, other, w, True)[0])


def test_gradcheck_through_the_kept_order():
    y, edge_index, w = _graph(n=12, e=30)
    head = LabelPropagationHead(num_layers=3).double()
    head(y, edge_index, w.clone().requires_grad_())  # the order kept
    assert torch.autograd.gradcheck(lambda v: head(y, edge_index, v), (w.requires_grad_(), ))
