"""plot_adjacency of a MultiSourceData draws a stored edge_index_<source> of
any size, as it draws the same edge list given as a tuple; only a k-NN graph
it would build from x_<source> keeps the dense figures' 8192-node cap, which
refuses it before the search."""
import matplotlib
import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.visualize import plot_adjacency

N = 9000  # above the dense heatmaps' 8192 nodes


def _ring():
    i = torch.arange(N)
    return torch.stack([i, (i + 1) % N])


def test_a_stored_graph_above_the_dense_limit_is_drawn():
    data = MultiSourceData(x_a=torch.randn(N, 3), edge_index_a=_ring(),
                           edge_weight_a=torch.ones(N))
    fig = plot_adjacency(data)
    try:
        img = fig.axes[0].get_images()[0].get_array()
        assert img.shape[0] == img.shape[1] <= 256  # pooled cells, not N x N
    finally:
        matplotlib.pyplot.close(fig)


def test_a_graph_to_build_above_the_dense_limit_is_refused_before_the_search():
    with pytest.raises(ValueError, match="9000 nodes, more than this figure draws \\(8192\\)"):
        plot_adjacency(MultiSourceData(x_a=torch.randn(N, 3)))
