"""A PyG EdgeIndex states its node count (sparse_size); the figures read the
largest index + 1 instead, so a graph whose last nodes are isolated was drawn
without them (12 nodes stated, 10 drawn), as GraphPowerExpansion did before
it read the stated size."""
import matplotlib.pyplot as plt
import torch
from torch_geometric import EdgeIndex

from pyg_fusion.visualize import plot_adjacency, plot_relation_graph

EDGES = torch.tensor([[0, 1, 2, 9], [1, 2, 0, 8]])


def test_an_edge_index_is_drawn_with_the_nodes_it_states():
    stated = EdgeIndex(EDGES, sparse_size=(12, 12))
    fig = plot_relation_graph(stated, layout="circular")
    assert fig.axes[0].get_title().startswith("graph: 12 nodes")
    plt.close(fig)
    fig = plot_adjacency((stated, torch.ones(4)))
    assert fig.axes[0].images[0].get_array().shape == (12, 12)
    plt.close(fig)
    # without a stated size, the largest index + 1, as before
    fig = plot_adjacency((EdgeIndex(EDGES), torch.ones(4)))
    assert fig.axes[0].images[0].get_array().shape == (10, 10)
    plt.close(fig)
