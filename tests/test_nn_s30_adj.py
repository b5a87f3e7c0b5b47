"""A sparse adjacency (``adj_t``, PyG's other graph form) given where a
layer or function takes only an ``edge_index`` is refused by name, saying
how to convert it (it failed on its shape, with GraphHead's "edge_weight is
required", or inside an operator without a sparse kernel)."""
import pytest
import torch

import pyg_fusion.functional as PF
from pyg_fusion.nn import GraphHead, GraphPowerExpansion, LabelPropagationHead
from pyg_fusion.nn.asym import AsymGraphFusion

X = torch.randn(5, 4)
EI = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4]])
W = torch.rand(4)
Y = torch.eye(3)[torch.tensor([0, 1, 2, 0, 1])]

CALLS = {
    "GraphHead": lambda a: GraphHead(4, 8, 2)(X, a),
    "GraphHead with weights": lambda a: GraphHead(4, 8, 2)(X, a, W),
    "LabelPropagationHead": lambda a: LabelPropagationHead()(Y, a, W),
    "GraphPowerExpansion": lambda a: GraphPowerExpansion(2)(a),
    "GraphPowerExpansion.expand_features": lambda a: GraphPowerExpansion(2).expand_features(X, a),
    "AsymGraphFusion": lambda a: AsymGraphFusion({"a": 4, "b": 4}, 8, shift="edge")(
        {"a": X, "b": X}, a),
    "normalize": lambda a: PF.normalize(a, W, 5),
    "graph_powers": lambda a: PF.graph_powers(a, W, 5, 2),
    "label_propagation": lambda a: PF.label_propagation(Y, a, W),
    "edge_shift": lambda a: PF.edge_shift(X, a),
    "graph_degrees": lambda a: PF.graph_degrees(a, W, 5),
}


@pytest.mark.parametrize("layout", ["coo", "csr"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_sparse_adjacency_refused_by_name(name, layout):
    adj_t = torch.sparse_coo_tensor(EI.flip(0), W, (5, 5)).coalesce()
    if layout == "csr":
        adj_t = adj_t.to_sparse_csr()
    with pytest.raises(TypeError, match=r"edge_index must be a \[2, E\] torch.long edge list, "
                                        r"got a sparse adjacency .*to_edge_index"):
        CALLS[name](adj_t)


def test_the_conversion_the_message_names_gives_the_edge_index():
    from torch_geometric.utils import to_edge_index
    adj_t = torch.sparse_coo_tensor(EI.flip(0), W, (5, 5)).coalesce()
    ei, w = to_edge_index(adj_t)
    torch.testing.assert_close(ei.flip(0), EI)
    torch.testing.assert_close(PF.normalize(ei.flip(0), w, 5), PF.normalize(EI, W, 5))
