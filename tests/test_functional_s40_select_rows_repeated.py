"""_align.select_rows is index_select, differentiated in the placed vectors;
rows given twice lost all but one row's gradient (the map of the slots kept
one row per slot), a silent wrong gradient where index_select sums them."""
import pytest
import torch

from pyg_fusion.functional import _align, graph_powers

from test_functional_s39_fresh_copies import _graph


@pytest.fixture(autouse=True)
def _map_every_size(monkeypatch):
    monkeypatch.setattr(_align, "MAP_FROM_BYTES", 0)


def test_rows_given_twice_sum_their_gradients_as_index_select():
    edge_index, w = _graph(seed=0)
    grads = []
    for select in (lambda x, r: x.index_select(0, r), _align.select_rows):
        weight = w.double().requires_grad_()
        _, attr = graph_powers(edge_index, weight, 60, 3, prune_k=4)
        first = select(attr, torch.tensor([0, 5, 5, 7, 0, 5]))
        second = select(first, torch.tensor([1, 2, 2]))  # rows of rows, again twice
        up = torch.linspace(-1, 2, first.numel(), dtype=first.dtype).view_as(first)
        ((first * up).sum() + second.sum()).backward()
        grads.append(weight.grad)
    assert torch.equal(*grads)
