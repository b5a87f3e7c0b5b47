"""LEGO's layers inside users' PyG models: PyG's explainers and EdgeIndex
inputs reach GraphPowerExpansion.forward as they reach PyG's layers, and a
layer used as a transform names the transform."""
import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric import EdgeIndex
from torch_geometric.data import Data
from torch_geometric.explain import Explainer, GNNExplainer
from torch_geometric.explain.algorithm.utils import clear_masks, set_masks
from torch_geometric.utils import scatter

from pyg_fusion.data import MultiSourceData
from pyg_fusion.functional import edges_to_dense, relation_graph
from pyg_fusion.nn import GraphPowerExpansion, RelationGraph


def _graph(n=12, seed=0):
    torch.manual_seed(seed)
    x = torch.randn(n, 3)
    return (x, *relation_graph(x, k=3))


def test_an_explainers_edge_mask_scales_the_powers_as_the_propagated_features():
    # forward never propagates: the mask PyG's explainers set on the layer was
    # never read, and the powers came out unmasked beside expand_features' masked ones
    x, ei, ew = _graph()
    pe = GraphPowerExpansion(3)
    plain = pe(ei, ew)[1]
    set_masks(pe, torch.nn.Parameter(torch.randn(ei.size(1))), ei, apply_sigmoid=True)
    index, attr = pe(ei, ew)
    feats = pe.expand_features(x, ei, ew)
    clear_masks(pe)
    assert not torch.allclose(attr, plain)
    for p in range(4):
        dense = edges_to_dense(index, attr[:, p], max_num_nodes=x.size(0))[0]
        torch.testing.assert_close(dense @ x, feats[p])
    assert torch.equal(pe(ei, ew)[1], plain)  # cleared: as before


class _PowersModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.powers, self.lin = GraphPowerExpansion(2), torch.nn.Linear(3, 2)

    def forward(self, x, edge_index):
        index, attr = self.powers(edge_index)
        h = scatter(attr[:, 2:] * x[index[0]], index[1], 0, dim_size=x.size(0))
        return self.lin(h)


def test_gnnexplainer_explains_a_model_of_graph_powers():
    # was: "Could not compute gradients for edges. Please make sure that edges
    # are used via message passing inside the model"
    x, ei, _ = _graph()
    explainer = Explainer(_PowersModel(), GNNExplainer(epochs=2), explanation_type="model",
                          edge_mask_type="object",
                          model_config=dict(mode="multiclass_classification",
                                            task_level="node", return_type="raw"))
    explanation = explainer(x, ei, index=0)
    assert explanation.edge_mask.shape == (ei.size(1), )
    assert bool((explanation.edge_mask > 0).any())


def test_an_edge_index_states_its_node_count_to_the_powers():
    # the isolated nodes after the largest index were dropped: R^0 lost their ones
    _, ei, ew = _graph()
    pe = GraphPowerExpansion(2)
    index, attr = pe(EdgeIndex(ei, sparse_size=(15, 15)), ew)
    ref_index, ref_attr = pe(ei, ew, num_nodes=15)
    assert torch.equal(index, ref_index) and torch.equal(attr, ref_attr)
    assert torch.equal(pe(EdgeIndex(ei), ew)[1], pe(ei, ew)[1])  # no size stated: as before


def test_a_bipartite_edge_index_is_refused_by_the_powers():
    _, ei, ew = _graph()
    with pytest.raises(ValueError, match="bipartite.*square"):
        GraphPowerExpansion(2)(EdgeIndex(ei, sparse_size=(12, 15)), ew)


@pytest.mark.parametrize("data", [Data(x=torch.randn(5, 3)),
                                  MultiSourceData(x_a=torch.randn(5, 3))])
def test_relation_graph_as_a_transform_names_the_transform(data):
    # was "x must be a torch.Tensor, got Data"
    with pytest.raises(TypeError, match="pyg_fusion.transforms.RelationGraphs"):
        T.Compose([RelationGraph(k=2)])(data)
