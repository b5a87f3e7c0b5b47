"""RowHead(row_order="sorted"): the head scores the distribution of a row's
relations, not where in the video the related segments are."""
import pytest
import torch

from pyg_fusion.methods import build_model
from pyg_fusion.nn import RowHead


def _head(n, device="cpu", **kw):
    torch.manual_seed(0)
    return RowHead(n, 8, row_norm="max", **kw).to(device)


def test_sorted_rows_ignore_the_positions_of_the_related_units(device):
    g = torch.rand(2, 6, 6).to(device)
    perm = torch.randperm(6).to(device)
    sorted_head, position_head = _head(6, device, row_order="sorted"), _head(6, device)
    assert sorted_head(g).device == g.device
    # permuting the columns (the positions a row refers to) changes nothing sorted ...
    torch.testing.assert_close(sorted_head(g[..., perm]), sorted_head(g))
    # ... and is what the paper's head reads
    assert not torch.allclose(position_head(g[..., perm]), position_head(g))
    # sorted = the paper's head on rows sorted in decreasing order (same weights)
    rows = g / g.amax(-1, keepdim=True)
    torch.testing.assert_close(sorted_head(g),
                               position_head(rows.sort(-1, descending=True).values))


def test_sorted_concatenated_rows_are_sorted_per_graph(device):
    a, b = torch.rand(1, 5, 5).to(device), torch.rand(1, 5, 5).to(device)
    head = _head(10, device, row_order="sorted")
    ref = _head(10, device)
    cat = torch.cat([a, b], -1)
    rows = cat / cat.amax(-1, keepdim=True)
    want = torch.cat([rows[..., :5].sort(-1, descending=True).values,
                      rows[..., 5:].sort(-1, descending=True).values], -1)
    torch.testing.assert_close(head(cat), ref(want))
    # each graph's block is sorted on its own: permuting one block's columns is harmless
    torch.testing.assert_close(head(torch.cat([a[..., torch.randperm(5).to(device)], b], -1)),
                               head(cat))


def test_both_reads_the_row_and_its_sorted_copy(device):
    g = torch.rand(2, 6, 6).to(device)
    head = _head(6, device, row_order="both")
    assert head.lin1.in_features == 12
    rows = g / g.amax(-1, keepdim=True)
    x = torch.cat([rows, rows.sort(-1, descending=True).values], -1)
    torch.testing.assert_close(head(g), head.lin2(torch.relu(head.lin1(x))).squeeze(-1))


def test_row_order_gradients_and_errors(device):
    g = torch.rand(1, 4, 4, dtype=torch.float64).to(device).requires_grad_()
    head = _head(4, device, row_order="sorted").double()
    assert torch.autograd.gradcheck(lambda x: head(x), (g,))
    with pytest.raises(ValueError, match="row_order"):
        RowHead(4, row_order="ranked")
    with pytest.raises(ValueError, match="multiple of N"):
        RowHead(6, row_order="sorted").to(device)(torch.rand(1, 4, 6).to(device))


@pytest.mark.parametrize("method", ["graph-mean", "graph-concat", "lego-row", "lego"])
def test_row_order_reaches_the_vad_models(method):
    inch = {"a": 3, "b": 4}
    for order in ("position", "sorted", "both"):
        model = build_model(method, "vad", inch, num_segments=8, row_order=order, num_powers=1)
        assert model.head.row_order == order
