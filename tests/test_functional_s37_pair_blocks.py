"""pair_similarity of pairs not in kNN row order (a shared support, a
threshold graph) runs in blocks of edges (_pair_dot._PairDot): the numbers
of the unblocked gathers (x[row] * x[col]).sum(-1), bitwise, forward and
backward, and their gradcheck."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.functional import _pair_dot


def _pairs(n, e, seed, sort=True):
    g = torch.Generator().manual_seed(seed)
    row = torch.randint(0, n, (e, ), generator=g)
    col = torch.randint(0, n, (e, ), generator=g)
    row[:3], col[:3] = 1, 1  # a self loop, given three times
    return (row.sort()[0] if sort else row), col


def _run(x, row, col, metric, block, monkeypatch):
    monkeypatch.setattr(_pair_dot, "_PAIRDOT_BLOCK", block)
    x = x.detach().clone().requires_grad_()
    w = F.pair_similarity(x, row, col, metric, None)
    g = torch.linspace(-1, 1, w.numel(), dtype=w.dtype)
    w.backward(g)
    return w.detach(), x.grad


@pytest.mark.parametrize("metric", ["cosine", "dot"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("threads", [1, 2])
def test_edge_blocks_give_the_unblocked_numbers(metric, dtype, sort, threads, monkeypatch):
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(0)
        x = torch.randn(50, 16).to(dtype)
        x[7] = 0  # an all-zero unit
        row, col = _pairs(50, 8 * 61 + 1, 1, sort)  # the last block of one edge
        plain = _run(x, row, col, metric, 0, monkeypatch)  # 0: the unblocked form
        blocked = _run(x, row, col, metric, 8 * 16, monkeypatch)  # blocks of 8 edges
    finally:
        torch.set_num_threads(old)
    assert torch.equal(plain[0], blocked[0])
    assert torch.equal(plain[1], blocked[1])


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_edge_blocks_gradcheck(metric, monkeypatch):
    monkeypatch.setattr(_pair_dot, "_PAIRDOT_BLOCK", 3 * 4)  # blocks of 3 edges
    torch.manual_seed(2)
    x = torch.randn(9, 4, dtype=torch.float64, requires_grad=True)
    row, col = _pairs(9, 20, 3, sort=False)
    torch.autograd.gradcheck(lambda v: F.pair_similarity(v, row, col, metric, None), (x, ))
    torch.autograd.gradgradcheck(lambda v: F.pair_similarity(v, row, col, metric, None),
                                 (x, ))


def test_no_pairs_and_one_unit(monkeypatch):
    x = torch.randn(1, 3, dtype=torch.float64, requires_grad=True)
    empty = torch.zeros(0, dtype=torch.long)
    w = F.pair_similarity(x, empty, empty, "dot", None)
    assert w.shape == (0, )
    w.sum().backward()
    assert torch.equal(x.grad, torch.zeros_like(x))


def _func_cases():
    torch.manual_seed(4)
    x = torch.randn(6, 3, dtype=torch.float64)
    knn = (torch.arange(6).repeat_interleave(2),  # kNN rows: the row-block path
           torch.tensor([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0]))
    other = (torch.tensor([0, 3, 2, 5, 1]), torch.tensor([1, 3, 0, 2, 4]))  # edge blocks
    return x, (knn, other)


@pytest.mark.parametrize("metric", ["cosine", "dot"])
def test_torch_func_and_forward_mode_through_the_blocked_paths(metric):
    # the blocked Functions have no setup_context nor jvp: torch.func.grad
    # of pair_similarity raised ("must override the setup_context
    # staticmethod"); under a transform autograd's own ops run
    x, cases = _func_cases()
    for row, col in cases:
        def f(v):
            return F.pair_similarity(v, row, col, metric, None)
        jac = torch.autograd.functional.jacobian(f, x)
        torch.testing.assert_close(torch.func.jacrev(f)(x), jac)
        torch.testing.assert_close(torch.func.jacfwd(f)(x), jac)
        torch.testing.assert_close(torch.func.grad(lambda v: f(v).sum())(x), jac.sum(0))
        t = torch.ones_like(x)
        with torch.autograd.forward_ad.dual_level():
            dual = torch.autograd.forward_ad.make_dual(x, t)
            tangent = torch.autograd.forward_ad.unpack_dual(f(dual)).tangent
        torch.testing.assert_close(tangent, (jac * t).sum((1, 2)))
