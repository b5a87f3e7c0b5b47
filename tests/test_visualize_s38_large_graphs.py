"""Large graphs in the node-link drawing (the temporal layout's arcs) and the
sources' features a figure builds its graphs from."""
import matplotlib
import numpy as np
import torch

from matplotlib.collections import LineCollection

from pyg_fusion.visualize import plot_relation_graph


def test_temporal_layout_does_not_copy_its_arcs_back_out_of_the_drawing(monkeypatch):
    # The y-limits were read back through LineCollection.get_segments(), twice:
    # each call copies every arc, some 40 % of the time of a 1e5-edge drawing.
    calls = []
    original = LineCollection.get_segments
    monkeypatch.setattr(LineCollection, "get_segments",
                        lambda self: calls.append(1) or original(self))
    ei = torch.tensor([[0, 1, 3, 2], [2, 3, 0, 1]])
    fig = plot_relation_graph(ei, torch.tensor([1.0, 2.0, -1.0, 0.5]), layout="temporal",
                              arrows=True)
    assert calls == []
    ax = fig.axes[0]
    lc = next(c for c in ax.collections if c.get_gid() == "edges")
    segs = lc.get_segments()
    assert len(segs) == 4
    # the limits hold every arc: forward (0 -> 2, 1 -> 3) above, backward below
    heights = [s[:, 1].max() if s[:, 1].max() > 0 else s[:, 1].min() for s in segs]
    assert np.allclose(sorted(heights), [-1.5, -0.5, 1.0, 1.0], atol=0.01)
    lo, hi = ax.get_ylim()
    assert lo <= -1.5 and hi >= 1.0
    matplotlib.pyplot.close(fig)


def test_nan_features_of_a_source_are_named_by_their_key():
    import pytest
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.visualize import plot_adjacency
    x = torch.randn(12, 3)
    x[4, 1] = float("nan")
    data = MultiSourceData(x_a=torch.randn(12, 3), x_b=x)
    with pytest.raises(ValueError, match=r"data\.x_b contains 1 NaN"):
        plot_relation_graph(data, source="b", layout="circular")
    with pytest.raises(ValueError, match=r"data\.x_b contains 1 NaN"):
        plot_adjacency(data)


def test_nan_in_a_sparse_adjacency_is_named_as_its_values():
    import pytest
    adj = torch.sparse_coo_tensor(torch.tensor([[0, 1], [1, 2]]),
                                  torch.tensor([1.0, float("nan")]), (3, 3))
    # was "edge_weight contains 1 NaN", an argument the caller did not give
    with pytest.raises(ValueError, match=r"edge_index \(sparse adjacency\) values contains 1"):
        plot_relation_graph(adj, layout="circular")
