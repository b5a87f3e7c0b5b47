"""Dense == sparse for every operator with both forms, in float64 to 1e-12:
values and gradients (one random upstream gradient through both), on the
graphs where the two forms are most likely to part: repeated edges (one
entry of the dense graph, summed), self loops, isolated nodes, signed
weights, batches of graphs of different sizes (one of a single node) padded
by a mask, and ``k`` / ``prune_k`` at least the number of nodes."""
import pytest
import torch
from torch_geometric.utils import to_dense_batch

import pyg_fusion.functional as F
from device_checks import bitwise
from pyg_fusion.functional.support import dense_shared_support_graphs, shared_support_graphs
from pyg_fusion.nn import LEGO, DegreeVarianceLoss, RelationGraph
from pyg_fusion.nn.baselines import graph_fuse_dense, graph_fuse_sparse

D = torch.float64
TOL = dict(rtol=0, atol=1e-12)
N = 6
# self loops (0, 2, 3), the edge 1 -> 0 three times, a negative weight,
# node 5 isolated
EI = [[0, 1, 1, 2, 0, 3, 3, 2, 4, 1], [1, 0, 0, 2, 0, 4, 3, 0, 3, 0]]
SIZES = [5, 1, 3]


def _graph(device, signed=True):
    g = torch.Generator().manual_seed(0)
    w = torch.rand(len(EI[0]), generator=g, dtype=D) + 0.2
    if signed:
        w[4] = -0.7
    return torch.tensor(EI, device=device), w.to(device)


def _batch(device):
    return torch.arange(len(SIZES)).repeat_interleave(torch.tensor(SIZES)).to(device)


def _features(d, seed, device, duplicate=True):
    x = torch.randn(sum(SIZES), d, generator=torch.Generator().manual_seed(seed), dtype=D)
    if duplicate:
        x[1] = x[0]  # tied units: the tie rule must pick the same neighbours
    return x.to(device)


def _agree(sparse_fn, dense_fn, inputs, device):
    """Both forms of one operator on the same leaves: the same values and
    the same gradients for one random upstream gradient."""
    outs, grads = [], []
    for fn in (sparse_fn, dense_fn):
        leaves = [x.detach().clone().requires_grad_() for x in inputs]
        with bitwise(device):
            out = fn(*leaves)
            up = torch.randn(out.shape, generator=torch.Generator().manual_seed(1),
                             dtype=out.dtype).to(out.device)
            grads.append(torch.autograd.grad(out, leaves, up, allow_unused=True))
        outs.append(out)
    assert outs[0].device.type == device.type
    torch.testing.assert_close(outs[0], outs[1], **TOL)
    for a, b in zip(*grads):
        assert (a is None) == (b is None)
        if a is not None:
            torch.testing.assert_close(a, b, **TOL)
    return outs[0]


def _dense(ei, w, n=N):
    return F.edges_to_dense(ei, w, max_num_nodes=n)[0]


@pytest.mark.parametrize("norm", ["sym", "row", None])
def test_normalize(norm, device):
    ei, w = _graph(device)
    out = _agree(lambda w: _dense(ei, F.normalize(ei, w, N, norm)),
                 lambda w: F.dense_normalize(_dense(ei, w), norm), [w], device)
    assert (out[5] == 0).all() and (out[:, 5] == 0).all()  # the isolated node


@pytest.mark.parametrize("norm", ["sym", "row", None])
@pytest.mark.parametrize("mode", ["matrix", "hadamard"])
@pytest.mark.parametrize("prune_k", [None, 2, N, 50])
def test_powers_of_a_graph_with_repeats_loops_and_an_isolated_node(norm, mode, prune_k,
                                                                   device):
    ei, w = _graph(device)

    def sparse(w):
        idx, attr = F.graph_powers(ei, w, N, 3, norm=norm, mode=mode, prune_k=prune_k)
        return _dense(idx, attr).permute(2, 0, 1)

    out = _agree(sparse, lambda w: F.dense_graph_powers(_dense(ei, w), 3, norm, mode,
                                                        prune_k=prune_k), [w], device)
    # the isolated node keeps its identity entry and nothing else
    assert (out[1:, 5] == 0).all() and (out[:, 5, 5] == torch.tensor([1.0, 0, 0, 0],
                                                                   dtype=D, device=device)).all()


@pytest.mark.parametrize("k,threshold", [(2, None), (40, None), (None, 0.2), (2, 0.0)])
@pytest.mark.parametrize("metric", ["cosine", "rbf", "dot"])
def test_relation_graphs_of_a_padded_batch(k, threshold, metric, device):
    batch = _batch(device)
    x = _features(3, 2, device)
    kw = dict(k=k, threshold=threshold, metric=metric,
              nonneg=None if metric == "dot" else "clamp")

    def dense(x):
        xd, mask = to_dense_batch(x, batch)
        return RelationGraph(**kw).dense(xd, mask)

    out = _agree(lambda x: F.edges_to_dense(*F.relation_graph(x, batch, **kw), batch),
                 dense, [x], device)
    assert out[1, 0, 0] != 0 and (out[1].count_nonzero() == 1)  # the one-node graph


@pytest.mark.parametrize("prune_k", [None, 2, 40])
def test_powers_of_a_padded_batch(prune_k, device):
    batch = _batch(device)
    x = _features(3, 3, device)

    def sparse(x):
        idx, attr = F.graph_powers(*F.relation_graph(x, batch, k=2), batch.numel(), 3,
                                   prune_k=prune_k)
        return F.edges_to_dense(idx, attr, batch).permute(0, 3, 1, 2)

    def dense(x):
        xd, mask = to_dense_batch(x, batch)
        return F.dense_graph_powers(RelationGraph(k=2).dense(xd, mask), 3, prune_k=prune_k,
                                    mask=mask)

    _agree(sparse, dense, [x], device)


def _pair_powers(xa, xb, batch, dense):
    if not dense:
        return (F.graph_powers(*F.relation_graph(xa, batch, k=2), batch.numel(), 2),
                F.graph_powers(*F.relation_graph(xb, batch, k=3), batch.numel(), 3))
    (da, mask), (db, _) = to_dense_batch(xa, batch), to_dense_batch(xb, batch)
    return (F.dense_graph_powers(RelationGraph(k=2).dense(da, mask), 2, mask=mask),
            F.dense_graph_powers(RelationGraph(k=3).dense(db, mask), 3, mask=mask))


@pytest.mark.parametrize("zeroth", ["identity", "ones"])
@pytest.mark.parametrize("term_scale", ["none", "rms"])
def test_pairwise_fusion_of_a_batch_in_features_and_operator(zeroth, term_scale, device):
    batch = _batch(device)
    xa, xb = _features(3, 4, device), _features(4, 5, device)
    A = torch.randn(3, 4, generator=torch.Generator().manual_seed(6), dtype=D).to(device)

    def sparse(xa, xb, A):
        pa, pb = _pair_powers(xa, xb, batch, dense=False)
        return F.edges_to_dense(*F.lego_fuse_sparse(*pa, *pb, A, batch.numel(), zeroth=zeroth,
                                                    term_scale=term_scale, batch=batch), batch)

    def dense(xa, xb, A):
        return F.lego_fuse(*_pair_powers(xa, xb, batch, dense=True), A, zeroth=zeroth,
                           term_scale=term_scale)

    _agree(sparse, dense, [xa, xb, A], device)


# (the intersection cuts the single-source terms of zeroth="ones")
@pytest.mark.parametrize("zeroth,support", [("identity", "union"), ("identity", "intersection"),
                                            ("ones", "union")])
def test_cp_fusion_of_rank_two_of_a_batch(zeroth, support, device):
    batch = _batch(device)
    xa, xb = _features(3, 7, device), _features(4, 8, device)
    g = torch.Generator().manual_seed(9)
    fa, fb = (torch.randn(2, p, generator=g, dtype=D).to(device) for p in (3, 4))

    def sparse(xa, xb, fa, fb):
        (ia, aa), (ib, ab) = _pair_powers(xa, xb, batch, dense=False)
        return F.edges_to_dense(*F.lego_fuse_cp_sparse([ia, ib], [aa, ab], [fa, fb],
                                                       batch.numel(), zeroth=zeroth,
                                                       support=support), batch)

    def dense(xa, xb, fa, fb):
        return F.lego_fuse_cp(list(_pair_powers(xa, xb, batch, dense=True)), [fa, fb],
                              zeroth=zeroth)

    _agree(sparse, dense, [xa, xb, fa, fb], device)


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_coarsen_with_an_empty_parent(reduce, device):
    ei, w = _graph(device)
    assign = torch.tensor([0, 0, 1, 1, 3, 3], device=device)  # parent 2 has no unit
    _agree(lambda w: _dense(*F.coarsen(ei, w, assign, 4, reduce), n=4),
           lambda w: F.dense_coarsen(_dense(ei, w), assign, 4, reduce), [w], device)


@pytest.mark.parametrize("symmetric", [True, False])
def test_label_propagation(symmetric, device):
    ei, w = _graph(device)
    y = torch.rand(N, 3, generator=torch.Generator().manual_seed(10), dtype=D).to(device)
    out = _agree(lambda w, y: F.label_propagation(y, ei, w, num_layers=4, alpha=0.7,
                                                  symmetric=symmetric),
                 lambda w, y: F.dense_label_propagation(y, _dense(ei, w), num_layers=4,
                                                        alpha=0.7, symmetric=symmetric),
                 [w, y], device)
    torch.testing.assert_close(out[5], 0.3 * y[5], **TOL)  # the isolated node


@pytest.mark.parametrize("alpha", [None, 0.5, -0.5])
def test_degrees(alpha, device):
    ei, w = _graph(device)
    _agree(lambda w: F.graph_degrees(ei, w, N, alpha),
           lambda w: F.dense_graph_degrees(_dense(ei, w), alpha), [w], device)


@pytest.mark.parametrize("k,threshold", [(2, None), (40, None), (None, 0.3)])
def test_shared_support_graphs_of_a_padded_batch(k, threshold, device):
    batch = _batch(device)
    xa, xb = _features(3, 11, device), _features(2, 12, device)

    def sparse(xa, xb):
        g = shared_support_graphs({"a": xa, "b": xb}, batch, k=k, threshold=threshold)
        return torch.stack([F.edges_to_dense(*g[s], batch) for s in "ab"])

    def dense(xa, xb):
        (da, mask), (db, _) = to_dense_batch(xa, batch), to_dense_batch(xb, batch)
        g = dense_shared_support_graphs({"a": da, "b": db}, mask, k=k, threshold=threshold)
        return torch.stack([g[s] for s in "ab"])

    _agree(sparse, dense, [xa, xb], device)


@pytest.mark.parametrize("kw", [dict(k=2), dict(k=2, support="shared", zeroth="ones"),
                                dict(k=40, prune_k=2, fusion="cp"),
                                dict(threshold=0.1, fusion="full", term_scale="mean")])
def test_lego_gradients_in_features_and_parameters_with_the_degree_loss(kw, device):
    batch = _batch(device)
    xa, xb = _features(3, 13, device), _features(4, 14, device)
    labels = torch.tensor([0, 1, 1], device=device)
    g = torch.Generator().manual_seed(15)
    dense = LEGO({"a": 3, "b": 4}, 2, backend="dense", **kw).double().eval()
    with torch.no_grad():
        for p in dense.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=D))
    sparse = LEGO({"a": 3, "b": 4}, 2, backend="sparse", **kw).double().eval()
    sparse.load_state_dict(dense.state_dict())
    results = []
    for model in (sparse.to(device), dense.to(device)):
        x = xa.clone().requires_grad_()
        with bitwise(device):
            fused = model({"a": x, "b": xb}, batch)
            G = fused.to_dense()
            up = torch.randn(G.shape, generator=torch.Generator().manual_seed(2), dtype=D)
            total = (G * up.to(device)).sum() + DegreeVarianceLoss(k=2)(fused, labels)
            results.append((G, torch.autograd.grad(total, [x, *model.parameters()])))
    torch.testing.assert_close(results[0][0], results[1][0], **TOL)
    for a, b in zip(results[0][1], results[1][1]):
        torch.testing.assert_close(a, b, **TOL)


@pytest.mark.parametrize("mode", ["add", "mean", "product"])
def test_graph_fusion_baselines_with_repeated_edges(mode, device):
    ei, w = _graph(device)
    ei2 = torch.tensor([[0, 1, 2, 2, 3, 1], [1, 1, 0, 0, 3, 0]], device=device)
    w2 = torch.rand(6, generator=torch.Generator().manual_seed(16), dtype=D).to(device)
    _agree(lambda a, b: _dense(*graph_fuse_sparse([(ei, a), (ei2, b)], N, mode)),
           lambda a, b: graph_fuse_dense([_dense(ei, a), _dense(ei2, b)], mode), [w, w2],
           device)
