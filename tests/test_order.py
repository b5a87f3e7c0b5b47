"""The locality order of the sparse products (pyg_fusion.functional.order)
and LEGO with it: the same fused graph, in the caller's numbering."""
import pytest
import torch
from torch_geometric.utils.sparse import index2ptr

import pyg_fusion.functional as F
import pyg_fusion.nn.lego as lego_module
from pyg_fusion.functional import _csr
from pyg_fusion.functional.order import locality_order, permute_rows, relabel, restore_rows
from pyg_fusion.nn import LEGO


def _bandwidth(edge_index, perm):
    pos = torch.empty_like(perm)
    pos[perm] = torch.arange(perm.numel())
    return int((pos[edge_index[0]] - pos[edge_index[1]]).abs().max())


def test_order_of_a_shuffled_path_is_a_path():
    n = 50
    labels = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    path = torch.stack([labels[:-1], labels[1:]])  # i -> i+1, nodes shuffled
    perm = locality_order(path, n)
    assert sorted(perm.tolist()) == list(range(n))
    assert _bandwidth(path, torch.arange(n)) > 10
    assert _bandwidth(path, perm) == 1


def test_order_keeps_the_graphs_of_a_batch_grouped():
    sizes = [7, 12, 9]
    batch = torch.arange(3).repeat_interleave(torch.tensor(sizes))
    x = torch.randn(sum(sizes), 4, generator=torch.Generator().manual_seed(1))
    ei, _ = F.relation_graph(x, batch, k=3)
    perm = locality_order(ei, batch.numel(), batch)
    assert sorted(perm.tolist()) == list(range(batch.numel()))
    assert torch.equal(batch[perm], batch)  # PyG's batch stays sorted


@pytest.mark.parametrize("backend", ["auto", "torch"])
@pytest.mark.parametrize("shape", [(0, 4), (9, ), (9, 4), (9, 2, 3)])
@pytest.mark.parametrize("index_dtype", [torch.int32, torch.int64])
def test_permute_rows_is_index_select_forward_and_backward(backend, shape, index_dtype,
                                                           monkeypatch):
    monkeypatch.setattr(_csr, "BACKEND", backend)
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(shape, dtype=torch.float64, generator=gen).requires_grad_()
    order = torch.randperm(shape[0], generator=gen).to(index_dtype)
    out = permute_rows(x, order)
    ref = x.index_select(0, order.long())
    assert torch.equal(out, ref) and out.dtype == x.dtype
    up = torch.randn(shape, dtype=torch.float64, generator=gen)
    (grad, ) = torch.autograd.grad((out * up).sum(), x)
    (ref_grad, ) = torch.autograd.grad((ref * up).sum(), x)
    assert torch.equal(grad, ref_grad)
    for dtype in (torch.float32, torch.bfloat16, torch.int64, torch.bool):
        assert torch.equal(permute_rows(x.detach().to(dtype), order), ref.detach().to(dtype))
    if shape[0]:
        assert torch.autograd.gradcheck(lambda t: permute_rows(t, order), (x, ))
        assert torch.autograd.gradgradcheck(lambda t: permute_rows(t, order), (x, ))


def test_permute_rows_of_a_non_contiguous_input():
    x = torch.arange(24.).reshape(4, 6)[:, ::2]
    order = torch.tensor([2, 0, 3, 1])
    assert torch.equal(permute_rows(x, order), x[order])


def _lego_outputs(min_nodes, monkeypatch, assign=False):
    monkeypatch.setattr(lego_module, "LOCALITY_MIN_NODES", min_nodes)
    gen = torch.Generator().manual_seed(3)
    sizes = [40, 25, 33]
    n = sum(sizes)
    batch = torch.arange(3).repeat_interleave(torch.tensor(sizes))
    xs = {"a": torch.randn(n, 5, dtype=torch.float64, generator=gen),
          "b": torch.randn(n, 3, dtype=torch.float64, generator=gen)}
    kw = {}
    if assign:  # source b at a finer level: two units per node
        xs["b"] = torch.randn(2 * n, 3, dtype=torch.float64, generator=gen)
        kw["assign"] = {"b": torch.arange(n).repeat_interleave(2)}
    xs = {s: v.requires_grad_() for s, v in xs.items()}
    torch.manual_seed(0)
    model = LEGO({"a": 5, "b": 3}, 3, k=4, prune_k=6, backend="sparse").double()
    g = model(xs, batch, **kw)
    up = torch.randn(g.edge_weight.shape, dtype=torch.float64, generator=gen)
    grads = torch.autograd.grad((g.edge_weight * up).sum(), [xs["a"], xs["b"]])
    return g.edge_index, g.edge_weight.detach(), grads


@pytest.mark.parametrize("assign", [False, True])
def test_lego_in_the_locality_order_gives_the_same_fused_graph(assign, monkeypatch):
    ref = _lego_outputs(1 << 40, monkeypatch, assign)
    out = _lego_outputs(0, monkeypatch, assign)
    assert torch.equal(out[0], ref[0])
    assert torch.allclose(out[1], ref[1], rtol=0, atol=1e-12)
    for got, want in zip(out[2], ref[2]):
        assert torch.allclose(got, want, rtol=0, atol=1e-12)
    again = _lego_outputs(0, monkeypatch, assign)
    assert torch.equal(again[0], out[0]) and torch.equal(again[1], out[1])


@pytest.mark.parametrize("backend", ["auto", "torch"])
@pytest.mark.parametrize("n,d,prune_k,seed", [(60, 6, 5, 2), (70, 5, 6, 8)])
def test_graph_powers_in_an_order_is_the_restored_graph(backend, n, d, prune_k, seed,
                                                        monkeypatch):
    # order= restores the union's pattern before placing the values: the
    # same result, bit for bit, as computing in the order and restoring
    # after; and the same graph as computed without the order
    monkeypatch.setattr(_csr, "BACKEND", backend)
    x = torch.randn(n, d, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    ei, w = F.relation_graph(x, k=4)
    w = w.clone().requires_grad_()
    perm = locality_order(ei, n)
    index, attr = F.graph_powers(ei, w, n, 3, prune_k=prune_k, order=perm)
    ordered_index, ordered_attr = F.graph_powers(relabel(ei, perm), w, n, 3, prune_k=prune_k)
    ref_index, moved = restore_rows(index2ptr(ordered_index[1], n), ordered_index[0], perm)
    ref_attr = permute_rows(ordered_attr, moved)
    assert torch.equal(index, ref_index) and torch.equal(attr, ref_attr)
    up = torch.randn(attr.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(9))
    (grad, ) = torch.autograd.grad((attr * up).sum(), w)
    (ref_grad, ) = torch.autograd.grad((ref_attr * up).sum(), w)
    assert torch.equal(grad, ref_grad)
    plain_index, plain_attr = F.graph_powers(ei, w, n, 3, prune_k=prune_k)
    assert torch.equal(index, plain_index)
    assert torch.allclose(attr, plain_attr, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="order must be a permutation"):
        F.graph_powers(ei, w, n, 3, order=perm[:-1])
    with pytest.raises(ValueError, match="order holds node ids outside"):
        F.graph_powers(ei, w, n, 3, order=perm + 1)


@pytest.mark.parametrize("backend", ["auto", "torch"])
def test_graph_powers_in_an_order_of_edges_in_any_order(backend, monkeypatch):
    # Edges sorted by target are moved as CSR rows into the order (scipy on
    # CPU), others relabelled and sorted: the same powers, bit for bit, and
    # the same gradient of each edge's weight.
    monkeypatch.setattr(_csr, "BACKEND", backend)
    n = 50
    x = torch.randn(n, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    ei, w = F.relation_graph(x, k=4)
    perm = locality_order(ei, n)
    shuffle = torch.randperm(ei.size(1), generator=torch.Generator().manual_seed(4))
    up = torch.randn(1, 4, dtype=torch.float64)
    out, grads = [], []
    for e, v in ((ei, w.detach()), (ei[:, shuffle], w.detach()[shuffle])):
        v = v.clone().requires_grad_()
        index, attr = F.graph_powers(e, v, n, 3, prune_k=5, order=perm)
        (attr * up).sum().backward()
        out.append((index, attr.detach()))
        grads.append(v.grad)
    assert torch.equal(out[0][0], out[1][0]) and torch.equal(out[0][1], out[1][1])
    assert torch.equal(grads[0][shuffle], grads[1])
