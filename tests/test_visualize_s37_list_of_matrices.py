"""plot_adjacency given a list of dense adjacency matrices (one per panel, as
a researcher holds them) said 'graphs edge_index must have shape [2, E], got
(3, 3)': the list was read as one (edge_index, edge_weight) pair. It is
refused as a list of graphs, with the dict to give (reproduced:
plot_adjacency([torch.eye(3), torch.eye(3)]))."""
import numpy as np
import pytest
import torch

from pyg_fusion.visualize import plot_adjacency


@pytest.mark.parametrize("graphs", [[torch.eye(3), torch.eye(3)],
                                    (np.eye(4), np.eye(4), np.eye(4))])
def test_a_list_of_matrices_is_named_a_list_of_graphs(graphs):
    with pytest.raises(TypeError, match=r"of graphs: give several graphs as a dict"):
        plot_adjacency(graphs)


def test_an_edge_list_pair_is_still_one_graph():
    ei = torch.tensor([[0, 1, 2], [1, 2, 0]])
    fig = plot_adjacency((ei, torch.ones(3)))
    assert len(fig.axes[0].images) == 1
    fig = plot_adjacency([[0, 1], [1, 0]])  # a nested list: one 2 x 2 matrix
    assert fig.axes[0].images[0].get_array().shape == (2, 2)
