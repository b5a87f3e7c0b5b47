"""PyG's ``EdgeIndex`` (the edge list type PyG's layers take) is taken
wherever an ``edge_index`` is, with the numbers of the plain tensor."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.nn import (FusedGraph, GraphHead, GraphPowerExpansion, LabelPropagationHead,
                           LEGOFusion, RelationGraph)
from pyg_fusion.functional.normalization import abs_degrees
from pyg_fusion.nn.baselines import graph_fuse_sparse

EdgeIndex = pytest.importorskip("torch_geometric").EdgeIndex


def _cases():
    n = 5
    ei = torch.tensor([[0, 1, 2, 2, 3, 4, 1], [1, 2, 0, 0, 3, 1, 4]])
    w = torch.rand(ei.size(1), generator=torch.Generator().manual_seed(0)) + 0.1
    x = torch.randn(n, 3, generator=torch.Generator().manual_seed(1))
    return ei, {
        "graph_powers": lambda e: F.graph_powers(e, w, n, 2),
        "GraphPowerExpansion": lambda e: GraphPowerExpansion(2)(e, w),
        "expand_features": lambda e: GraphPowerExpansion(2).expand_features(x, e, w),
        "expand_features unweighted": lambda e: GraphPowerExpansion(2).expand_features(x, e),
        "normalize": lambda e: F.normalize(e, w, n),
        "graph_degrees": lambda e: F.graph_degrees(e, w, n),
        "abs_degrees": lambda e: abs_degrees(e, w, n),
        "label_propagation": lambda e: F.label_propagation(x, e, w, num_layers=3),
        "LabelPropagationHead": lambda e: LabelPropagationHead(3)(x, e, w),
        "GraphHead": lambda e: GraphHead(3, 4, 2, dropout=0.0).eval()(x, e, w),
        "coarsen": lambda e: F.coarsen(e, w, torch.tensor([0, 0, 1, 1, 2]), 3),
        "edges_to_dense": lambda e: F.edges_to_dense(e, w),
        "RelationGraph.weights": lambda e: RelationGraph(2).weights(x, e),
        "knn_recall": lambda e: F.knn_recall(x, e, 1),
        "FusedGraph": lambda e: FusedGraph(n, edge_index=e, edge_weight=w).to_dense(),
        "graph_fuse_sparse": lambda e: graph_fuse_sparse([(e, w), (e, w)], n, "product"),
    }


def _fusion_cases():
    # the fusions take the powers' edges (coalesced), from graph_powers
    n = 5
    ei = torch.tensor([[0, 1, 2, 3, 4], [1, 2, 0, 3, 1]])
    index, attr = F.graph_powers(ei, torch.rand(5, generator=torch.Generator().manual_seed(0)),
                                 n, 2)
    fusion = LEGOFusion(["a", "b"], 2)
    return index, {
        "lego_fuse_sparse": lambda e: F.lego_fuse_sparse(e, attr, e, attr, torch.eye(3), n),
        "lego_fuse_cp_sparse": lambda e: F.lego_fuse_cp_sparse([e], [attr], [torch.ones(1, 3)],
                                                               n),
        "lego_fuse_full_sparse": lambda e: F.lego_fuse_full_sparse([e, e], [attr, attr],
                                                                   torch.ones(3, 3), n),
        "LEGOFusion": lambda e: fusion({"a": (e, attr), "b": (e, attr)}, n),
    }


@pytest.mark.parametrize("name", list(_cases()[1]) + list(_fusion_cases()[1]))
def test_pyg_edge_index_is_taken_with_the_numbers_of_the_plain_tensor(name):
    ei, cases = _cases() if name in _cases()[1] else _fusion_cases()
    run = cases[name]
    torch.manual_seed(0)
    plain = run(ei)
    torch.manual_seed(0)
    wrapped = run(EdgeIndex(ei, sparse_size=(5, 5)))
    for a, b in zip(*(out if isinstance(out, tuple) else (out, ) for out in (plain, wrapped))):
        if isinstance(a, torch.Tensor):
            assert type(b) is torch.Tensor and torch.equal(a, b)
        else:
            assert a == b


@pytest.mark.parametrize("args, error, match", [
    (lambda ei, w: (ei, w, 2), ValueError, r"edge_index holds node indices outside \[0, 2\)"),
    (lambda ei, w: (ei.float(), w, 3), TypeError, "edge_index must be torch.long"),
    (lambda ei, w: (ei, w[:2], 3), ValueError, "edge_weight must have one entry per edge"),
    (lambda ei, w: (ei, w, 3.0), TypeError, "num_nodes must be an int"),
])
def test_abs_degrees_checks_its_arguments(args, error, match):
    # it checked none: IndexError / a silently long-typed sum / torch's cast error
    ei, w = torch.tensor([[0, 1, 1], [1, 0, 2]]), torch.tensor([1., -2., 3.])
    assert torch.equal(abs_degrees(ei, w, 3), torch.tensor([2., 1., 3.]))
    with pytest.raises(error, match=match):
        abs_degrees(*args(ei, w))
