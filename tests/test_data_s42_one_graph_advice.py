"""PyG's one-graph tools on a MultiSourceData with a graph per source are an
error whose advice works: it said "set edge_index to the one graph the tool
should read", and data.edge_index = data.edge_index_a was then refused in
turn (edge_index_a has as many edges as edge_index). It now names the
graph as a Data of its own, which to_networkx and PyG's transforms take."""
import re

import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric.data import Data
from torch_geometric.utils import to_networkx

from pyg_fusion.data import MultiSourceData


def _data():
    return MultiSourceData(
        x_a=torch.rand(4, 3), x_b=torch.rand(4, 2),
        edge_index_a=torch.tensor([[0, 1, 3], [1, 2, 0]]), edge_weight_a=torch.tensor([1., 2, 3]),
        edge_index_b=torch.tensor([[2, 3, 0], [3, 2, 0]]), edge_weight_b=torch.tensor([4., 5, 6]))


def _advice(tool, data) -> Data:
    with pytest.raises(ValueError, match="read one graph, edge_index") as info:
        tool(data)
    found = re.search(r"Data\(edge_index=[^)]*\)", str(info.value))
    assert found, str(info.value)
    return eval(found.group(0), {"Data": Data, "data": data})


@pytest.mark.parametrize("set_edge_index", [False, True])
def test_the_refusals_advice_gives_a_graph_that_to_networkx_draws(set_edge_index):
    data = _data()
    if set_edge_index:  # what the old advice said: refused, as a's graph has as many edges
        data.edge_index = data.edge_index_a
    graph = _advice(to_networkx, data)
    g = to_networkx(graph, edge_attrs=["edge_weight"])
    assert g.number_of_nodes() == 4
    assert sorted(g.edges(data="edge_weight")) == [(0, 1, 1.0), (1, 2, 2.0), (3, 0, 3.0)]
    assert T.ToUndirected()(_advice(T.ToUndirected(), data)).is_undirected()
