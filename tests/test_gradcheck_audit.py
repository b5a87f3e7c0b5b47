"""gradcheck in float64 for every differentiable operator of
``pyg_fusion.functional`` and ``pyg_fusion.nn`` that no other test checks
directly, and gradgradcheck where the second derivative is cheap (the
operators are compositions of differentiable torch ops or of autograd
functions whose backward is made of them).

Dense operators of graphs are checked as functions of the values on their
support (``edges_to_dense`` of the edge weights): off it a perturbation
creates an entry, which moves a row of degree 0 off its defined value 0 (a
jump, not a derivative) or changes which entries a top-k keeps.

On CUDA the sparse backward passes add by atomics: gradcheck's reentrancy
check (two backward passes, the same bits) runs under ``bitwise``."""
import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

import pyg_fusion.functional as F
from device_checks import bitwise
from pyg_fusion.functional.support import dense_shared_support_graphs, shared_support_graphs
from pyg_fusion.nn import (LEGO, DegreeVarianceLoss, GraphHead, GraphPowerExpansion,
                           LabelPropagationHead, LEGOFusion, RelationGraph, RowHead)
from pyg_fusion.nn.baselines import graph_fuse_dense, graph_fuse_sparse

D = torch.float64
N = 6
# self loops (0, 2, 3), a repeated edge (1 -> 0 twice), a negative weight and
# an isolated node (5)
EI = [[0, 1, 1, 2, 0, 3, 3, 2, 4], [1, 0, 0, 2, 0, 4, 3, 0, 3]]


def _graph(device, signed=True):
    g = torch.Generator().manual_seed(0)
    w = torch.rand(9, generator=g, dtype=D) + 0.2
    if signed:
        w[4] = -0.7
    return torch.tensor(EI, device=device), w.to(device).requires_grad_()


def _leaf(*shape, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=D).to(device).requires_grad_()


def _both(fn, inputs, device, second=True, **kw):
    with bitwise(device):
        assert gradcheck(fn, inputs, **kw)
        if second:
            assert gradgradcheck(fn, inputs, **kw)


def test_conversions(device):
    ei, w = _graph(device)
    _both(lambda w: F.edges_to_dense(ei, w, max_num_nodes=N), (w, ), device)
    wc = _leaf(9, 2, device=device)  # [E, C] weights
    _both(lambda w: F.edges_to_dense(ei, w, max_num_nodes=N), (wc, ), device)
    support = F.edges_to_dense(ei, max_num_nodes=N)[0] != 0
    _both(lambda w: F.dense_to_edges(F.edges_to_dense(ei, w, max_num_nodes=N)[0],
                                     support=support)[1], (w, ), device)


@pytest.mark.parametrize("metric,nonneg", [("cosine", "clamp"), ("cosine", "shift"),
                                           ("cosine", None), ("rbf", "clamp"),
                                           ("dot", None)])
def test_dense_relation_graph_batched_with_mask(metric, nonneg, device):
    x = _leaf(2, 5, 3, device=device)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1] * 5], dtype=torch.bool, device=device)
    _both(lambda x: F.dense_relation_graph(x, metric, nonneg, mask=mask, gamma=0.7), (x, ),
          device)


@pytest.mark.parametrize("metric,nonneg", [("cosine", "clamp"), ("cosine", "shift"),
                                           ("rbf", None), ("dot", None)])
def test_pair_similarity_both_paths_and_second_derivative(metric, nonneg, device):
    # rows of the same count per unit take the blocked _RowDot (cosine, dot)
    # or the broadcast view (rbf); other pairs the gathered form. Double
    # backward through _RowDot raised (a sum with out= under create_graph).
    x = _leaf(6, 3, seed=1, device=device)
    regular = (torch.arange(6).repeat_interleave(2).to(device),
               torch.tensor([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0], device=device))
    gathered = (torch.tensor([0, 3, 2, 5, 1], device=device),
                torch.tensor([1, 3, 0, 2, 4], device=device))
    for row, col in (regular, gathered):
        _both(lambda x: F.pair_similarity(x, row, col, metric, nonneg), (x, ), device)


@pytest.mark.parametrize("kw", [dict(k=2), dict(k=10), dict(threshold=0.1), dict()])
def test_relation_graph_second_derivative(kw, device):
    x = _leaf(6, 3, seed=2, device=device)
    for metric in ("cosine", "dot"):
        _both(lambda x: F.relation_graph(x, metric=metric, nonneg=None, **kw)[1], (x, ),
              device)


@pytest.mark.parametrize("include_diagonal", [False, True])
def test_dense_topk_with_k_below_and_above_n(include_diagonal, device):
    a = _leaf(5, 5, seed=3, device=device)
    for k in (2, 5, 9):
        _both(lambda a: F.dense_topk(a, k, include_diagonal), (a, ), device)


@pytest.mark.parametrize("norm", ["sym", "row", None])
def test_normalize_sparse_and_dense(norm, device):
    ei, w = _graph(device)
    _both(lambda w: F.normalize(ei, w, N, norm), (w, ), device)
    _both(lambda w: F.dense_normalize(F.edges_to_dense(ei, w, max_num_nodes=N), norm),
          (w, ), device)


@pytest.mark.parametrize("norm", ["sym", "row", None])
@pytest.mark.parametrize("mode", ["matrix", "hadamard"])
def test_graph_powers_on_repeated_edges_loops_and_isolated_nodes(norm, mode, device):
    ei, w = _graph(device)
    for prune_k in (None, 2, 10):
        with bitwise(device):
            assert gradcheck(lambda w: F.graph_powers(ei, w, N, 3, norm=norm, mode=mode,
                                                      prune_k=prune_k)[1], (w, ))
        assert gradcheck(lambda w: F.dense_graph_powers(
            F.edges_to_dense(ei, w, max_num_nodes=N)[0], 3, norm, mode, prune_k=prune_k),
            (w, ))


def test_dense_graph_powers_of_a_padded_batch(device):
    x = _leaf(2, 5, 3, seed=4, device=device)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1] * 5], dtype=torch.bool, device=device)
    _both(lambda x: F.dense_graph_powers(RelationGraph(k=2).dense(x, mask), 2, mask=mask),
          (x, ), device)


@pytest.mark.parametrize("zeroth", ["identity", "ones"])
def test_dense_cp_and_pairwise_fusion(zeroth, device):
    g = torch.Generator().manual_seed(5)
    xs = [torch.randn(6, d, generator=g, dtype=D).to(device) for d in (3, 4, 2)]
    powers = [F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(x), 2), p)
              for x, p in zip(xs, (2, 1, 2))]
    factors = tuple(_leaf(2, p.size(-3), seed=6 + i, device=device)
                    for i, p in enumerate(powers))
    A = _leaf(3, 2, seed=9, device=device)
    # with R^0 = I the fusion is polynomial in the powers too; with ones
    # their support (read from the values) is fixed, so only the operators
    if zeroth == "identity":
        leaves = tuple(p.clone().requires_grad_() for p in powers)
        _both(lambda *a: F.lego_fuse_cp(list(a[:3]), list(a[3:])), leaves + factors, device)
        _both(lambda a, b, A: F.lego_fuse(a, b, A), (*leaves[:2], A), device)
    _both(lambda *f: F.lego_fuse_cp(powers, list(f), zeroth=zeroth), factors, device)
    _both(lambda A: F.lego_fuse(*powers[:2], A, zeroth=zeroth), (A, ), device)


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_coarsen_with_an_empty_parent(reduce, device):
    ei, w = _graph(device)
    assign = torch.tensor([0, 0, 1, 1, 3, 3], device=device)  # parent 2 empty
    _both(lambda w: F.coarsen(ei, w, assign, 4, reduce)[1], (w, ), device)
    _both(lambda w: F.dense_coarsen(F.edges_to_dense(ei, w, max_num_nodes=N)[0], assign, 4,
                                    reduce), (w, ), device)


@pytest.mark.parametrize("alpha", [None, 0.5])
def test_degrees_and_degree_variance_loss(alpha, device):
    ei, w = _graph(device)
    _both(lambda w: F.graph_degrees(ei, w, N, alpha), (w, ), device)
    _both(lambda w: F.dense_graph_degrees(F.edges_to_dense(ei, w, max_num_nodes=N)[0], alpha),
          (w, ), device)
    deg = (torch.rand(10, generator=torch.Generator().manual_seed(7), dtype=D)
           .to(device).requires_grad_())
    batch = torch.tensor([0, 0, 0, 1, 1, 1, 1, 2, 2, 2], device=device)
    labels = torch.tensor([0, 1, 1], device=device)
    _both(lambda d: F.degree_variance_loss(d, batch, labels, k=2), (deg, ), device)


@pytest.mark.parametrize("symmetric", [True, False])
def test_dense_label_propagation(symmetric, device):
    ei, w = _graph(device)
    y = _leaf(N, 3, seed=8, device=device)
    _both(lambda w, y: F.dense_label_propagation(
        y, F.edges_to_dense(ei, w, max_num_nodes=N)[0], num_layers=3, alpha=0.7,
        symmetric=symmetric), (w, y), device)
    _both(lambda w, y: F.label_propagation(y, ei, w, num_layers=3, alpha=0.7,
                                           symmetric=symmetric), (w, y), device)


def test_temporal_and_weighted_edge_shift(device):
    x = _leaf(7, 10, seed=10, device=device)
    batch = torch.tensor([0, 0, 0, 1, 1, 1, 1], device=device)
    _both(lambda x: F.temporal_shift(x, batch=batch), (x, ), device)
    ei, w = _graph(device, signed=False)
    _both(lambda x, w: F.edge_shift(x[:N], ei, edge_weight=w), (x, w), device)


def test_shared_support_graphs_both_forms(device):
    a, b = _leaf(7, 3, seed=11, device=device), _leaf(7, 2, seed=12, device=device)
    _both(lambda a, b: tuple(g[1] for g in shared_support_graphs({"a": a, "b": b},
                                                                 k=2).values()),
          (a, b), device)
    _both(lambda a, b: tuple(dense_shared_support_graphs({"a": a[None], "b": b[None]},
                                                         k=2).values()), (a, b), device)


@pytest.mark.parametrize("kw", [dict(k=2), dict(threshold=0.2), dict(k=2, threshold=0.1),
                                dict(k=2, metric="rbf"), dict(k=2, metric="dot", nonneg=None)])
def test_relation_graph_module_dense(kw, device):
    x = _leaf(2, 6, 3, seed=13, device=device)
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1] * 6], dtype=torch.bool, device=device)
    _both(lambda x: RelationGraph(**kw).dense(x, mask), (x, ), device)


@pytest.mark.parametrize("norm", ["sym", "row", None])
def test_power_expansion_of_features(norm, device):
    ei, w = _graph(device)
    x = _leaf(N, 2, seed=14, device=device)
    _both(lambda x, w: GraphPowerExpansion(3, norm=norm).expand_features(x, ei, w), (x, w),
          device)


@pytest.mark.parametrize("mode,zeroth,term_scale", [
    (mode, zeroth, scale) for mode in ("pairwise", "cp", "full")
    for zeroth, scale in (("identity", "none"), ("ones", "none"), ("identity", "mean"),
                          ("ones", "rms"))
    if mode != "cp" or scale == "none"])  # term_scale: pairwise and full operators
def test_fusion_module_in_its_parameters_on_both_backends(mode, zeroth, term_scale, device):
    g = torch.Generator().manual_seed(15)
    xs = {s: torch.randn(7, d, generator=g, dtype=D).to(device)
          for s, d in (("a", 3), ("b", 4), ("c", 2))}
    sparse = {s: F.graph_powers(*F.relation_graph(x, k=3), 7, 2) for s, x in xs.items()}
    dense = {s: F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(x), 3), 2)[None]
             for s, x in xs.items()}
    fusion = LEGOFusion(["a", "b", "c"], 2, mode=mode, zeroth=zeroth, term_scale=term_scale,
                        pairs="all", **(dict(rank=2) if mode == "cp" else {})).double()
    with torch.no_grad():
        for p in fusion.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=D))
    fusion = fusion.to(device)
    params = tuple(fusion.parameters())
    with bitwise(device):
        assert gradcheck(lambda *p: fusion(sparse, 7)[1], params)
    assert gradcheck(lambda *p: fusion(dense), params)


def test_heads(device):
    ei, w = _graph(device)
    x = _leaf(N, 2, seed=16, device=device)
    torch.manual_seed(0)
    head = GraphHead(2, 3, 2, dropout=0.0).double().to(device)
    _both(lambda x, w: head(x, ei, w), (x, w), device)
    lp = LabelPropagationHead(3, 0.6).double().to(device)
    y = _leaf(N, 2, seed=17, device=device)
    _both(lambda y, w, s: lp(y, ei, w), (y, w, lp.log_scale), device)
    for order in ("position", "both"):
        row = RowHead(4, 3, row_norm="max", row_order=order).double().to(device)
        g = (torch.rand(2, 4, 4, generator=torch.Generator().manual_seed(18), dtype=D)
             .to(device).requires_grad_())
        _both(lambda g: row(g), (g, ), device)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_degree_variance_loss_module(backend, device):
    g = torch.Generator().manual_seed(19)
    xs = {"a": torch.randn(12, 3, generator=g, dtype=D).to(device),
          "b": torch.randn(12, 2, generator=g, dtype=D).to(device)}
    batch = torch.arange(3, device=device).repeat_interleave(4)
    labels = torch.tensor([0, 1, 1], device=device)
    lego = LEGO({"a": 3, "b": 2}, 2, k=2, backend=backend).double()
    with torch.no_grad():
        lego.fusion.A["a|b"].copy_(torch.randn(3, 3, generator=g, dtype=D))
    lego, loss = lego.to(device), DegreeVarianceLoss(k=2)
    xa = xs["a"].clone().requires_grad_()
    with bitwise(device):
        assert gradcheck(lambda x: loss(lego({"a": x, "b": xs["b"]}, batch), labels), (xa, ))


@pytest.mark.parametrize("mode", ["add", "mean", "product"])
def test_graph_fusion_baselines(mode, device):
    ei, w = _graph(device)
    ei2 = torch.tensor([[0, 1, 2, 2, 3], [1, 1, 0, 0, 3]], device=device)
    w2 = _leaf(5, seed=20, device=device)
    w0 = w.detach().clone()
    w0[2] = 0  # a zero factor of the product: its gradient is the other factor
    w0.requires_grad_()
    for first in (w, w0):
        _both(lambda a, b: graph_fuse_sparse([(ei, a), (ei2, b)], N, mode)[1], (first, w2),
              device)
    dense = lambda v, e: F.edges_to_dense(e, v, max_num_nodes=N)[0]  # noqa: E731
    _both(lambda a, b: graph_fuse_dense([dense(a, ei), dense(b, ei2)], mode), (w, w2), device)
