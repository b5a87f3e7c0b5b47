"""Bad input met by feeding every public functional entry and layer the
guide's list (wrong shape, dtype, device, NaN, empty graphs, bad batch):
the cases that gave a torch error naming no argument, or an answer where
an error was due. "meta" stands in for a second device (a CUDA batch with
CPU edges reads alike)."""
import numpy as np
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.nn import FusedGraph, GraphHead

g = torch.Generator().manual_seed(0)
X3 = torch.randn(1, 5, 3, generator=g)           # [B, N, d]
EI = torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]])
EW = torch.rand(5, generator=g)
B = torch.tensor([0, 0, 0, 1, 1, 1])
A = torch.rand(3, 3, generator=g)


def powers():
    return F.graph_powers(EI, EW, 6, 2)


@pytest.mark.parametrize("options, exc, match", [
    # a NaN threshold kept the self loops alone, without a word
    (dict(threshold=float("nan")), ValueError, "threshold must be a finite number"),
    (dict(k=0), ValueError, "k must be >= 1"),          # failed inside torch.topk
    (dict(k=True), TypeError, "k must be an int"),
    (dict(k=torch.tensor(2)), TypeError, "k must be an int"),  # was taken
])
def test_dense_shared_support_graphs_checks_its_options_as_the_sparse_twin(options, exc, match):
    with pytest.raises(exc, match=match):
        F.dense_shared_support_graphs({"a": X3, "b": X3[..., :2]}, **options)
    with pytest.raises(exc, match=match):
        F.shared_support_graphs({"a": X3[0], "b": X3[0, :, :2]}, **options)


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0)])
@pytest.mark.parametrize("include_diagonal", [False, True])
def test_dense_topk_of_an_empty_graph_is_empty(shape, include_diagonal):
    # torch.topk / amax of a row of no entries failed ("selected index k out
    # of range"); dense_normalize and dense_graph_degrees give N = 0 back too
    out = F.dense_topk(torch.zeros(shape), 3, include_diagonal=include_diagonal)
    assert out.shape == shape


@pytest.mark.parametrize("term_scale", ["none", "mean"])
def test_sparse_fusions_check_batch_device_and_shape_first(term_scale):
    pi, pa = powers()
    fuse = [lambda b: F.lego_fuse_sparse(pi, pa, pi, pa, A, 6, term_scale=term_scale, batch=b),
            lambda b: F.lego_fuse_full_sparse([pi, pi], [pa, pa], A, 6,
                                              term_scale=term_scale, batch=b)]
    for f in fuse:
        # another device failed in torch's index_select naming neither
        with pytest.raises(ValueError, match="batch is on meta but attr"):
            f(B.to("meta"))
        # with term_scale="none" a batch of any length or type was taken unread
        with pytest.raises(ValueError, match=r"batch must have one entry per node \(6\)"):
            f(B[:-1])
        with pytest.raises(TypeError, match="batch must be a torch.Tensor"):
            f(B.numpy())
        with pytest.raises(TypeError, match="batch must be torch.long"):
            f(B.float())
        f(B)  # the valid batch still runs


def test_sparse_fusion_with_term_scales_still_refuses_an_unsorted_batch():
    pi, pa = powers()
    with pytest.raises(ValueError, match="batch must be sorted"):
        F.lego_fuse_sparse(pi, pa, pi, pa, A, 6, term_scale="mean", batch=B.flip(0))


def test_edges_to_dense_checks_the_batch_device():
    ei = torch.tensor([[0, 1, 3], [1, 2, 4]])
    with pytest.raises(ValueError, match="batch is on meta but edge_index on cpu"):
        F.edges_to_dense(ei, torch.rand(3), B.to("meta"))


def test_fused_graph_checks_the_batch_device():
    with pytest.raises(ValueError, match="batch is on meta but edge_index on cpu"):
        FusedGraph(6, B.to("meta"), EI, EW)
    with pytest.raises(ValueError, match="batch is on meta but dense on cpu"):
        FusedGraph(6, B.to("meta"), dense=torch.rand(2, 3, 3))


@pytest.mark.parametrize("x", [torch.randn(6, 4).numpy(), torch.randn(6, 4).tolist()])
def test_graph_head_names_non_tensor_features_with_a_fused_graph(x):
    # x.dim() failed: "'numpy.ndarray' object has no attribute 'dim'"
    graph = FusedGraph(6, edge_index=EI, edge_weight=EW)
    with pytest.raises(TypeError, match="x must be a torch.Tensor, got"):
        GraphHead(4, 8, 2)(x, graph)


@pytest.mark.parametrize("assign, exc, match", [
    ({"c": torch.tensor([0, 0, 1, 1, 2, 2])}, ValueError,
     r"assign must hold some of the sources \['a', 'b'\], got \['c'\]; the model was not "
     r"built for \['c'\]"),                                 # KeyError: 'c'
    (torch.tensor([0, 0, 1, 1, 2, 2]), TypeError, "assign must be a dict"),  # truth test
    ([torch.tensor([0])], TypeError, "assign must be a dict"),  # no attribute 'items'
])
def test_lego_names_an_assign_of_no_source(assign, exc, match):
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.nn import LEGO
    lego = LEGO({"a": 4, "b": 3}, 2, k=2)
    xs = {"a": torch.randn(6, 4, generator=g), "b": torch.randn(6, 3, generator=g)}
    for inputs in (xs, MultiSourceData(x_a=xs["a"], x_b=xs["b"])):
        with pytest.raises(exc, match=match):
            lego(inputs, assign=assign)
    assert lego(xs, assign={}).num_nodes == 6  # an empty one is no assignment, as before


@pytest.mark.parametrize("options, exc, match", [
    # named as a bound of edge_index: "node indices outside [0, 0.5)"
    (dict(max_num_nodes=0.5), TypeError, "max_num_nodes must be an int, got 0.5"),
    (dict(max_num_nodes=True), TypeError, "max_num_nodes must be an int, got True"),
    (dict(max_num_nodes=-1), ValueError, "max_num_nodes must be >= 0, got -1"),
    # torch.Size() takes an iterable of 'int' (item 0 is 'float')
    (dict(max_num_nodes=float("nan")), TypeError, "max_num_nodes must be an int"),
    (dict(max_num_nodes="6"), TypeError, "max_num_nodes must be an int"),  # '>=' not supported
    (dict(batch=B, batch_size=2.0), TypeError, "batch_size must be an int, got 2.0"),
    (dict(batch=B, batch_size=True), TypeError, "batch_size must be an int, got True"),
    (dict(batch=B[:0], batch_size=0), ValueError, "batch_size must be >= 1, got 0"),  # PyG's max()
])
def test_edges_to_dense_checks_its_counts(options, exc, match):
    ei = torch.tensor([[0, 1, 3], [1, 2, 4]]) if "batch" in options and options["batch"].numel() \
        else torch.zeros(2, 0, dtype=torch.long)
    with pytest.raises(exc, match=match):
        F.edges_to_dense(ei, None, **options)
    assert F.edges_to_dense(torch.zeros(2, 0, dtype=torch.long), max_num_nodes=0).shape == (1, 0, 0)


def test_an_infinite_or_overflowing_rbf_gamma_is_refused():
    # the dense graph's diagonal was exp(-inf * 0) = NaN, the sparse one's 1
    from pyg_fusion.nn import RelationGraph
    x = torch.randn(5, 3, generator=g)
    for f in (lambda gamma: F.dense_relation_graph(x, "rbf", gamma=gamma),
              lambda gamma: F.relation_graph(x, k=2, metric="rbf", gamma=gamma)):
        with pytest.raises(ValueError, match="gamma must be a positive number, got inf"):
            f(float("inf"))
        # beyond float32's range, gamma is inf in the distances' dtype
        with pytest.raises(ValueError, match="gamma=1e[+]39 overflows torch.float32"):
            f(1e39)
    with pytest.raises(ValueError, match="gamma must be a positive number, got inf"):
        RelationGraph(k=2, metric="rbf", gamma=float("inf"))
    # in float64's range for float64 features: a graph without NaN, as sparse
    dense = F.dense_relation_graph(x.double(), "rbf", gamma=1e39)
    assert not dense.isnan().any() and bool((dense.diagonal() == 1).all())


@pytest.mark.parametrize("value", ["False", "no", None, 0, torch.tensor(False)])
def test_switches_take_true_or_false_alone(value):
    # a string is truthy: symmetric="False" propagated over the symmetrised
    # graph, coalesced="False" skipped the summing of repeated edges, without a word
    from pyg_fusion.nn import LEGO, LEGOFusion, LabelPropagationHead
    y = F.seed_labels(torch.tensor([0, 1, 2, 0, 1, 2]), B == 0)
    adj = F.edges_to_dense(EI, EW, max_num_nodes=6)[0]
    calls = {
        "symmetric": [lambda v: F.label_propagation(y, EI, EW, symmetric=v),
                      lambda v: F.dense_label_propagation(y, adj, symmetric=v),
                      lambda v: LabelPropagationHead(symmetric=v)],
        "include_diagonal": [lambda v: F.dense_topk(adj, 2, include_diagonal=v)],
        "coalesced": [lambda v: F.graph_degrees(EI, EW, 6, coalesced=v),
                      lambda v: FusedGraph(6, edge_index=EI, edge_weight=EW, coalesced=v)],
        "shared": [lambda v: LEGOFusion(["a", "b"], 2, shared=v),
                   lambda v: LEGO({"a": 4, "b": 3}, 2, k=2, shared=v)],
    }
    for name, fs in calls.items():
        for f in fs:
            with pytest.raises(TypeError, match=f"{name} must be True or False, got "):
                f(value)
            f(True), f(False)  # and numpy's bools, as the plotting switches
            f(np.bool_(True))
