"""The sparse fusion's backward gives the powers' values their gradient
through the selected rows alone: the rows of graph_powers' [E, P+1]
attributes that lego_fuse_sparse (and LEGOFusion's dropping of all-zero
entries) selects are read by _align.select_rows, whose backward makes no
gradient of the attributes' size; the same gradients, bit for bit, as
index_select's. MAP_FROM_BYTES is 0 here: these attributes are small, and
below it select_rows is index_select."""
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from pyg_fusion.functional import _align, graph_powers, lego_fuse_sparse

from test_functional_s39_fresh_copies import _graph


class _Made(TorchDispatchMode):
    # the size of every floating tensor an op returned
    def __init__(self):
        super().__init__()
        self.sizes = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in (out if isinstance(out, (tuple, list)) else (out, )):
            if isinstance(t, torch.Tensor) and t.is_floating_point():
                self.sizes.append(t.numel())
        return out


def _powers(seed, dtype=torch.float64):
    edge_index, weight = _graph(seed=seed)
    weight = weight.to(dtype).requires_grad_()
    return weight, graph_powers(edge_index, weight, 60, 3, prune_k=4)


@pytest.fixture(autouse=True)
def _map_every_size(monkeypatch):
    monkeypatch.setattr(_align, "MAP_FROM_BYTES", 0)


def test_fusion_backward_makes_no_gradient_of_the_attributes_size():
    wa, (ia, xa) = _powers(0)
    wb, (ib, xb) = _powers(1)
    A = torch.randn(4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    for support in ("union", "intersection"):
        _, weight = lego_fuse_sparse(ia, xa, ib, xb, A, 60, support=support)
        with _Made() as made:
            (weight * torch.linspace(-1, 2, weight.numel(), dtype=weight.dtype)).sum().backward(
                retain_graph=True)
        assert xa.numel() not in made.sizes and xb.numel() not in made.sizes, support


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_select_rows_gives_index_selects_gradients_bit_for_bit(dtype):
    grads = []
    for select in (lambda x, r: x.index_select(0, r), _align.select_rows):
        weight, (_, attr) = _powers(2, dtype)
        rows = torch.randperm(attr.size(0), generator=torch.Generator().manual_seed(1))
        first = select(attr, rows[:attr.size(0) // 3])
        second = select(first, torch.arange(0, first.size(0), 2))  # rows of rows
        up = torch.randn(first.shape, dtype=dtype, generator=torch.Generator().manual_seed(2))
        up[::3] = -0.0  # gradients of -0.0: index_select's backward gave 0.0
        ((first * up).sum() - (second * torch.linspace(-1, 1, 4, dtype=dtype)).sum()).backward()
        grads.append((first.detach(), second.detach(), weight.grad))
    assert all(torch.equal(a, b) and torch.equal(a.signbit(), b.signbit())
               for a, b in zip(*grads))


def test_select_rows_gradcheck():
    edge_index, weight = _graph(20, seed=3)

    def rows_of_powers(w):
        _, attr = graph_powers(edge_index, w, 20, 3, prune_k=4)
        first = _align.select_rows(attr, torch.arange(0, attr.size(0), 3))
        return _align.select_rows(first, torch.tensor([0, 2, 3, 5]))

    w = weight.double().requires_grad_()
    assert torch.autograd.gradcheck(rows_of_powers, (w, ))
    assert torch.autograd.gradgradcheck(rows_of_powers, (w, ))
