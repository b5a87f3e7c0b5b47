"""The locality order of the sparse products (pyg_fusion.functional.order)
and LEGO with it: the same fused graph, in the caller's numbering."""
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

import pyg_fusion.functional as F
import pyg_fusion.nn.lego as lego_module
import pyg_fusion.nn.power_expansion as power_expansion
from pyg_fusion.functional import _csr
from pyg_fusion.functional.order import locality_order, permute_rows, relabel
from pyg_fusion.nn import LEGO

from device_checks import bitwise


def _bandwidth(edge_index, perm):
    pos = torch.empty_like(perm)
    pos[perm] = torch.arange(perm.numel(), device=perm.device)
    return int((pos[edge_index[0]] - pos[edge_index[1]]).abs().max())


def test_order_of_a_shuffled_path_is_a_path(device):
    # the order is scipy's (host copies): it comes back on the edges' device
    n = 50
    labels = torch.randperm(n, generator=torch.Generator().manual_seed(0)).to(device)
    path = torch.stack([labels[:-1], labels[1:]])  # i -> i+1, nodes shuffled
    perm = locality_order(path, n)
    assert perm.device == path.device and perm.dtype == torch.long
    assert sorted(perm.tolist()) == list(range(n))
    assert _bandwidth(path, torch.arange(n, device=device)) > 10
    assert _bandwidth(path, perm) == 1


def test_order_keeps_the_graphs_of_a_batch_grouped(device):
    sizes = [7, 12, 9]
    batch = torch.arange(3).repeat_interleave(torch.tensor(sizes)).to(device)
    x = torch.randn(sum(sizes), 4, generator=torch.Generator().manual_seed(1)).to(device)
    ei, _ = F.relation_graph(x, batch, k=3)
    perm = locality_order(ei, batch.numel(), batch)
    assert perm.device == batch.device
    assert sorted(perm.tolist()) == list(range(batch.numel()))
    assert torch.equal(batch[perm], batch)  # PyG's batch stays sorted


@pytest.mark.parametrize("backend", ["auto", "torch"])
@pytest.mark.parametrize("shape", [(0, 4), (9, ), (9, 4), (9, 2, 3)])
@pytest.mark.parametrize("index_dtype", [torch.int32, torch.int64])
def test_permute_rows_is_index_select_forward_and_backward(backend, shape, index_dtype,
                                                           monkeypatch, device):
    monkeypatch.setattr(_csr, "BACKEND", backend)
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(shape, dtype=torch.float64, generator=gen).to(device).requires_grad_()
    order = torch.randperm(shape[0], generator=gen).to(device, index_dtype)
    out = permute_rows(x, order)
    ref = x.index_select(0, order.long())
    assert torch.equal(out, ref) and out.dtype == x.dtype and out.device == x.device
    up = torch.randn(shape, dtype=torch.float64, generator=gen).to(device)
    (grad, ) = torch.autograd.grad((out * up).sum(), x)
    (ref_grad, ) = torch.autograd.grad((ref * up).sum(), x)
    assert torch.equal(grad, ref_grad)
    for dtype in (torch.float32, torch.bfloat16, torch.int64, torch.bool):
        assert torch.equal(permute_rows(x.detach().to(dtype), order), ref.detach().to(dtype))
    if shape[0]:
        assert torch.autograd.gradcheck(lambda t: permute_rows(t, order), (x, ))
        assert torch.autograd.gradgradcheck(lambda t: permute_rows(t, order), (x, ))


def test_permute_rows_of_a_non_contiguous_input(device):
    x = torch.arange(24., device=device).reshape(4, 6)[:, ::2]
    order = torch.tensor([2, 0, 3, 1], device=device)
    assert torch.equal(permute_rows(x, order), x[order])


CASES = {  # LEGO options, three sources (c at a finer level where "assign")
    "pairwise": dict(),
    "one graph": dict(one_graph=True),
    "assign": dict(assign=True),
    "shared support": dict(support="shared"),
    "three sources, term scales": dict(three=True, term_scale="mean"),
    "three sources, cp, ones": dict(three=True, fusion="cp", rank=2, zeroth="ones"),
}


def _lego_outputs(min_nodes, monkeypatch, dtype=torch.float64, *, device="cpu",
                  one_graph=False, assign=False, three=False, **options):
    monkeypatch.setattr(lego_module, "LOCALITY_MIN_NODES", min_nodes)
    gen = torch.Generator().manual_seed(3)
    sizes = [70] if one_graph else [40, 25, 33]
    n = sum(sizes)
    batch = (None if one_graph else
             torch.arange(3).repeat_interleave(torch.tensor(sizes)).to(device))
    widths = {"a": 5, "b": 3, "c": 4} if three or assign else {"a": 5, "b": 3}
    xs = {s: torch.randn(n, d, dtype=dtype, generator=gen) for s, d in widths.items()}
    kw = {}
    if assign:  # source c at a finer level: two units per node
        xs["c"] = torch.randn(2 * n, 4, dtype=dtype, generator=gen)
        kw["assign"] = {"c": torch.arange(n, device=device).repeat_interleave(2)}
    xs = {s: v.to(device).requires_grad_() for s, v in xs.items()}
    torch.manual_seed(0)
    options.setdefault("pairs", "all")  # every source reaches the output
    model = LEGO(widths, 3, k=4, prune_k=6, backend="sparse", **options).to(device, dtype)
    with torch.no_grad():  # every power reaches the output (and its gradient)
        for p in model.fusion.parameters():
            p.copy_(torch.randn(p.shape, dtype=dtype, generator=gen))
    g = model(xs, batch, **kw)
    assert g.edge_weight.device == xs["a"].device
    up = torch.randn(g.edge_weight.shape, dtype=dtype, generator=gen).to(device)
    inputs = list(xs.values()) + list(model.fusion.parameters())
    grads = torch.autograd.grad((g.edge_weight * up).sum(), inputs)
    return g.edge_index, g.edge_weight.detach(), grads


@pytest.mark.parametrize("case", list(CASES))
def test_lego_in_the_locality_order_gives_the_same_fused_graph(case, monkeypatch, device):
    # the similarities, powers and fusion in the orders, the fused graph
    # restored: the same edges in the same order, the same values and
    # gradients (features and operator) up to the order of float sums
    with bitwise(device):
        ref = _lego_outputs(1 << 40, monkeypatch, device=device, **CASES[case])
        out = _lego_outputs(0, monkeypatch, device=device, **CASES[case])
        again = _lego_outputs(0, monkeypatch, device=device, **CASES[case])
    assert torch.equal(out[0], ref[0])
    assert torch.allclose(out[1], ref[1], rtol=0, atol=1e-12)
    for got, want in zip(out[2], ref[2]):
        assert torch.allclose(got, want, rtol=0, atol=1e-12)
    assert torch.equal(again[0], out[0]) and torch.equal(again[1], out[1])
    for got, want in zip(again[2], out[2]):
        assert torch.equal(got, want)


def test_lego_in_the_locality_order_in_float32(monkeypatch, device):
    ref = _lego_outputs(1 << 40, monkeypatch, torch.float32, device=device)
    out = _lego_outputs(0, monkeypatch, torch.float32, device=device)
    assert torch.equal(out[0], ref[0])
    assert torch.allclose(out[1], ref[1], rtol=0, atol=1e-5)
    for got, want in zip(out[2], ref[2]):
        assert torch.allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("backend", ["auto", "torch"])
@pytest.mark.parametrize("n,d,prune_k,seed", [(60, 6, 5, 2), (70, 5, 6, 8)])
def test_graph_powers_restored_is_the_same_graph(backend, n, d, prune_k, seed, monkeypatch,
                                                 device):
    # restore= moves the union's pattern before placing the values: the
    # same result, bit for bit, as relabelling the powers after; and the
    # same graph as computed in the caller's numbering
    monkeypatch.setattr(_csr, "BACKEND", backend)
    x = torch.randn(n, d, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(seed)).to(device)
    ei, w = F.relation_graph(x, k=4)
    perm = locality_order(ei, n)
    ordered, moved = relabel(ei, perm, n)
    w = w.clone().requires_grad_()
    w_ordered = permute_rows(w, moved)
    with bitwise(device):  # restore= and relabelling after: the same sums
        index, attr = F.graph_powers(ordered, w_ordered, n, 3, prune_k=prune_k, restore=perm)
        ordered_index, ordered_attr = F.graph_powers(ordered, w_ordered, n, 3, prune_k=prune_k)
        ref_index, back = relabel(ordered_index, _csr.inverse_permutation(perm), n)
        ref_attr = permute_rows(ordered_attr, back)
        assert torch.equal(index, ref_index) and torch.equal(attr, ref_attr)
        assert index.device == attr.device == x.device
        up = torch.randn(attr.shape, dtype=torch.float64,
                         generator=torch.Generator().manual_seed(9)).to(device)
        (grad, ) = torch.autograd.grad((attr * up).sum(), w, retain_graph=True)
        (ref_grad, ) = torch.autograd.grad((ref_attr * up).sum(), w)
        assert torch.equal(grad, ref_grad)
    plain_index, plain_attr = F.graph_powers(ei, w, n, 3, prune_k=prune_k)
    assert torch.equal(index, plain_index)
    assert torch.allclose(attr, plain_attr, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="restore must be a permutation"):
        F.graph_powers(ordered, w_ordered, n, 3, restore=perm[:-1])
    with pytest.raises(ValueError, match="restore holds node ids outside"):
        F.graph_powers(ordered, w_ordered, n, 3, restore=perm + 1)
    repeated = perm.clone()
    repeated[0] = repeated[1]      # in range and of the right length, but not a permutation
    with pytest.raises(ValueError, match="restore must be a permutation"):
        F.graph_powers(ordered, w_ordered, n, 3, restore=repeated)


@pytest.mark.parametrize("backend", ["auto", "torch"])
def test_relabel_of_edges_in_any_order(backend, monkeypatch, device):
    # Edges sorted by target are moved as CSR rows (scipy on CPU), others
    # relabelled and sorted: the same edges, each with the input edge it
    # came from; relabelling back with the inverse gives the input.
    monkeypatch.setattr(_csr, "BACKEND", backend)
    n = 50
    x = torch.randn(n, 4, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(3)).to(device)
    ei, _ = F.relation_graph(x, k=4)
    perm = locality_order(ei, n)
    inv = _csr.inverse_permutation(perm)
    index, moved = relabel(ei, perm, n)
    assert index.device == moved.device == x.device
    assert torch.equal(index, inv[ei[:, moved]])
    key = index[1] * n + index[0]
    assert bool((key[1:] > key[:-1]).all())
    shuffle = torch.randperm(ei.size(1), generator=torch.Generator().manual_seed(4)).to(device)
    index2, moved2 = relabel(ei[:, shuffle], perm, n)
    assert torch.equal(index2, index) and torch.equal(shuffle[moved2], moved)
    back, moved_back = relabel(index, inv, n)
    assert torch.equal(back, ei)
    assert torch.equal(moved[moved_back], torch.arange(ei.size(1), device=device))
    # repeated edges are relabelled alike on every backend (the CPU path refused them)
    rep = torch.tensor([[0, 0, 1], [1, 1, 0]], device=device)
    out, moved = relabel(rep, torch.tensor([1, 0], device=device), 2)
    assert out.tolist() == [[1, 1, 0], [0, 0, 1]] and sorted(moved.tolist()) == [0, 1, 2]


def test_relation_pairs_are_the_edges_of_relation_graph(device):
    x = torch.randn(40, 5, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(5)).to(device)
    batch = torch.arange(2, device=device).repeat_interleave(20)
    for kw in (dict(k=3), dict(threshold=0.2), dict(k=3, threshold=0.1, metric="rbf")):
        ei, w = F.relation_graph(x, batch, **kw)
        pairs = F.relation_pairs(x, batch, **kw)
        assert torch.equal(pairs, ei) and not pairs.requires_grad and pairs.device == x.device
        assert torch.equal(F.pair_similarity(x, pairs[1], pairs[0], kw.get("metric", "cosine")),
                           w)
    with pytest.raises(ValueError, match="k must be"):
        F.relation_pairs(x, k=0)
    with pytest.raises(ValueError, match="NaN or Inf"):
        F.relation_pairs(x.new_full((4, 2), float("nan")), k=2)


def test_prune_ties_in_the_locality_order_go_to_the_callers_smaller_column(monkeypatch):
    # Units of equal features tie in every power: prune_k keeps the smaller
    # column of the caller's numbering on both backends, also where the
    # sparse products run in a locality order (their own numbering)
    xs = {"a": torch.zeros(5, 1, dtype=torch.float64),
          "b": torch.zeros(5, 1, dtype=torch.float64)}
    batch = torch.tensor([0, 1, 2, 2, 2])
    options = dict(nonneg="shift", prune_k=2, backend="sparse")
    monkeypatch.setattr(lego_module, "LOCALITY_MIN_NODES", 1)
    local = LEGO({"a": 1, "b": 1}, 2, **options).double()
    with torch.no_grad():  # every term reaches G
        local.fusion.A["a|b"].copy_(torch.arange(9.0).view(3, 3) - 4)
    dense = LEGO({"a": 1, "b": 1}, 2, **{**options, "backend": "dense"}).double()
    dense.load_state_dict(local.state_dict())
    got, want = local(xs, batch).to_dense(), dense(xs, batch).to_dense()
    assert torch.allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("backend", ["auto", "torch"])
def test_graph_powers_settle_prune_ties_in_the_tie_order(backend, monkeypatch):
    # a graph relabelled by perm, its powers with tie_order=perm: the powers
    # of the graph in its own numbering, relabelled (ties: equal weights)
    monkeypatch.setattr(_csr, "BACKEND", backend)
    n = 7
    gen = torch.Generator().manual_seed(0)
    edge_index = torch.randint(0, n, (2, 30), generator=gen)
    weight = torch.ones(30, dtype=torch.float64)
    perm = torch.randperm(n, generator=gen)  # node i of the new numbering is perm[i]
    pos = torch.empty_like(perm)
    pos[perm] = torch.arange(n)
    ref = F.graph_powers(edge_index, weight, n, 3, norm=None, prune_k=2)
    ei, attr = F.graph_powers(pos[edge_index], weight, n, 3, norm=None, prune_k=2,
                              tie_order=perm)
    back = F.edges_to_dense(perm[ei], attr, max_num_nodes=n)
    assert torch.equal(back, F.edges_to_dense(*ref, max_num_nodes=n))
    with pytest.raises(ValueError, match="tie_order must be a permutation"):
        F.graph_powers(edge_index, weight, n, 3, prune_k=2, tie_order=torch.zeros(n).long())


class _HostSyncs(TorchDispatchMode):
    # on CPU every host synchronisation (int(), bool(), .item()) is one
    # aten._local_scalar_dense
    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += func is torch.ops.aten._local_scalar_dense.default
        return func(*args, **(kwargs or {}))


def test_lego_does_not_check_the_locality_orders_it_built(monkeypatch):
    # graph_powers checks a caller's restore / tie_order as permutations (3
    # host syncs each); LEGO's, built just before, are not checked again, so
    # the powers of a source make the syncs of graph_powers without them
    monkeypatch.setattr(lego_module, "LOCALITY_MIN_NODES", 1)
    real, calls = power_expansion._graph_powers, []

    def spy(*args, own_orders):
        with _HostSyncs() as lego_call:
            out = real(*args, own_orders=own_orders)
        with _HostSyncs() as user_call:  # the same arguments as a user's
            real(*args, own_orders=False)
        perms = sum(a is not None for a in args[7:9])
        calls.append((own_orders, perms, user_call.count - lego_call.count))
        return out

    monkeypatch.setattr(power_expansion, "_graph_powers", spy)
    gen = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(12, 3, generator=gen), "b": torch.randn(12, 2, generator=gen)}
    LEGO({"a": 3, "b": 2}, 3, k=4, prune_k=2, backend="sparse")(xs, torch.zeros(12).long())
    assert [c[:2] for c in calls] == [(True, 1), (True, 2)]  # b: restore and tie_order
    assert [c[2] for c in calls] == [3, 6]
    with pytest.raises(ValueError, match="tie_order must be a permutation"):
        power_expansion.GraphPowerExpansion(3, prune_k=2)(
            torch.tensor([[0, 1], [1, 2]]), None, 3, tie_order=torch.zeros(3).long())
