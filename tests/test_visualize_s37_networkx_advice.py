"""A networkx graph given to a plot is refused with advice that works: the
advice was to give (data.edge_index, data.weight) of from_networkx(g), an
AttributeError for a graph without weights (to_networkx's output, reproduced:
plot_relation_graph(to_networkx(data)))."""
import re

import networkx as nx
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.utils import from_networkx, to_networkx

from pyg_fusion.visualize import plot_adjacency, plot_relation_graph


def _weighted():
    g = nx.Graph()
    g.add_edge(0, 1, weight=2.0)
    g.add_edge(1, 2, weight=-1.0)
    return g


@pytest.mark.parametrize("plot", [plot_relation_graph, plot_adjacency])
@pytest.mark.parametrize("graph", [
    to_networkx(Data(edge_index=torch.tensor([[0, 1], [1, 2]]), num_nodes=3)), _weighted()])
def test_the_advice_for_a_networkx_graph_draws_it(plot, graph):
    with pytest.raises(TypeError, match="networkx graph") as info:
        plot(graph)
    data = from_networkx(graph)
    named = re.findall(r"data\.(\w+)", str(info.value))
    assert [a for a in named if a not in data] == []  # no attribute the Data lacks
    fig = plot(data)
    assert fig.axes
