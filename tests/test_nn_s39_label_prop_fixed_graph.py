"""LabelPropagationHead over a fixed graph (graph-only node models:
graph-pix, graph-mean with features=labels) prepares the graph once: each
training step symmetrised, coalesced (sorted) and normalised all its edges
again, for new seed labels only. The kept graph gives label_propagation's
numbers bit for bit, and a changed graph is prepared again."""
from unittest import mock

import torch

import pyg_fusion.functional.label_prop as F
from pyg_fusion.functional import label_propagation
from pyg_fusion.nn import LabelPropagationHead


def _graph(n=30, e=120, seed=0):
    g = torch.Generator().manual_seed(seed)
    ei = torch.randint(0, n, (2, e), generator=g)
    return ei, torch.rand(e, generator=g)


def _seeds(n=30, c=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.zeros(n, c)
    idx = torch.randperm(n, generator=g)[:8]
    y[idx, torch.randint(0, c, (8,), generator=g)] = 1
    return y


def _coalesce_calls(fn):
    calls = []
    real = F.coalesce

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    with mock.patch.object(F, "coalesce", spy):
        out = fn()
    return len(calls), out


def test_fixed_graph_prepared_once_same_numbers():
    ei, w = _graph()
    for weight in (w, None):
        head = LabelPropagationHead(num_layers=5)
        outs = []
        n, _ = _coalesce_calls(lambda: [outs.append(head(_seeds(seed=s), ei, weight))
                                        for s in range(4)])
        assert n == 1  # was 4: one per call
        for s, out in enumerate(outs):
            ref = head.log_scale.exp() * label_propagation(_seeds(seed=s), ei, weight,
                                                           num_layers=5)
            assert torch.equal(out, ref)


def test_changed_or_learned_graph_prepared_again():
    head = LabelPropagationHead(num_layers=5)
    ei, w = _graph()
    y = _seeds()
    head(y, ei, w)
    w.mul_(2.0)  # the same tensor, new values: prepared again
    ei2 = ei.clone()
    ei2[0, 0] = (ei2[0, 0] + 1) % 30
    for args in ((ei, w), (ei2, w)):
        n, out = _coalesce_calls(lambda: head(y, *args))
        assert n == 1
        ref = head.log_scale.exp() * label_propagation(y, *args, num_layers=5)
        assert torch.equal(out, ref)
    # learned weights: prepared at every call (their edges' order is kept, not
    # sorted by coalesce: test_nn_s40_label_prop_kept_order.py), their gradient as before
    learned = w.clone().requires_grad_()
    n, out = _coalesce_calls(lambda: [head(y, ei, learned) for _ in range(2)][-1])
    assert n == 0
    assert torch.equal(out, head.log_scale.exp() * label_propagation(y, ei, w, num_layers=5))
    out.sum().backward()
    assert learned.grad is not None and bool(learned.grad.abs().sum() > 0)
    # a copy of the head keeps no graph
    import copy
    assert "_fixed_graph" in head.__dict__
    assert "_fixed_graph" not in copy.deepcopy(head).__dict__
