"""An empty graph (N = 0), which a PyG user batching graphs may pass: the
heads answer as PyG's layers do (an output of the documented shape, no rows),
and where an empty input makes no sense for the method it is refused by name."""
import pytest
import torch
from torch_geometric.nn import GraphConv

from pyg_fusion.nn import LEGO, FusedGraph, GraphHead, LabelPropagationHead, RowHead

EMPTY_EDGES = torch.zeros(2, 0, dtype=torch.long)


def test_graph_head_gives_no_rows_for_an_empty_graph_as_pyg_layers_do():
    torch.manual_seed(0)
    head = GraphHead(4, 8, 3)
    x = torch.zeros(0, 4, requires_grad=True)
    assert GraphConv(4, 3)(x, EMPTY_EDGES).shape == (0, 3)
    out = head(x, EMPTY_EDGES, torch.zeros(0))
    assert out.shape == (0, 3)
    out.sum().backward()
    assert head(x, FusedGraph(0, edge_index=EMPTY_EDGES, edge_weight=torch.zeros(0))).shape \
        == (0, 3)
    # edges into a graph without nodes are still refused
    with pytest.raises(ValueError, match="edge_index"):
        head(x, torch.zeros(2, 1, dtype=torch.long), torch.ones(1))


def test_row_head_scores_an_empty_batch_and_refuses_graphs_without_nodes():
    head = RowHead(5)
    assert head(torch.zeros(0, 5, 5)).shape == (0, 5)
    with pytest.raises(ValueError, match=r"RowHead expects fused graphs \[B, 5, 5\]"):
        head(torch.zeros(2, 0, 0))


def test_label_propagation_head_gives_no_rows_for_an_empty_graph():
    head = LabelPropagationHead()
    assert head(torch.zeros(0, 3), EMPTY_EDGES, torch.zeros(0)).shape == (0, 3)
    graph = FusedGraph(0, edge_index=EMPTY_EDGES, edge_weight=torch.zeros(0))
    assert head(torch.zeros(0, 3), graph).shape == (0, 3)


@pytest.mark.parametrize("backend", ["sparse", "dense"])
def test_lego_fuses_a_batch_with_an_empty_graph_and_refuses_no_nodes_at_all(backend):
    torch.manual_seed(0)
    model = LEGO({"a": 4, "b": 6}, k=2, backend=backend)
    xs = {"a": torch.randn(6, 4), "b": torch.randn(6, 6)}
    graph = model(xs, batch=torch.tensor([0, 0, 0, 2, 2, 2]))  # graph 1 is empty
    assert graph.num_graphs == 3
    assert GraphHead(4, 8, 3)(xs["a"], graph).shape == (6, 3)
    with pytest.raises(ValueError, match=r"the sources hold no units \(N = 0\)"):
        model({"a": torch.zeros(0, 4), "b": torch.zeros(0, 6)})
