"""A source's stored graph weighted by ``edge_attr_<source>`` (PyG's ``T.GDC``
writes its weights there, through ``PerSource``) was drawn as if every weight
were 1: the figures and ``pyg-fusion plot`` read only ``edge_weight_<source>``
(its NaN check and ``--max-nodes`` subset too)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from pyg_fusion.cli import main
from pyg_fusion.cli.plot import subsample
from pyg_fusion.data import MultiSourceData
from pyg_fusion.visualize import plot_relation_graph

EDGES = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
W = torch.tensor([0.1, 0.1, 0.5, 0.5, 1.0, 1.0])
POS = {i: (float(np.cos(i)), float(np.sin(i))) for i in range(4)}


def _widths(data):
    fig = plot_relation_graph(data, source="a", pos=POS)
    found = [a for a in fig.axes[0].get_children() if a.get_gid() == "edges"]
    widths = np.asarray(found[0].get_linewidths())
    plt.close(fig)
    return widths


@pytest.mark.parametrize("shape", [(6, ), (6, 1)])
def test_edge_attr_weights_are_drawn_as_edge_weight_is(shape):
    x = torch.randn(4, 2)
    weighted = MultiSourceData(x_a=x, edge_index_a=EDGES, edge_weight_a=W)
    attr = MultiSourceData(x_a=x, edge_index_a=EDGES, edge_attr_a=W.reshape(shape))
    drawn = _widths(attr)
    assert np.ptp(drawn) > 0  # drawn with every width alike before
    np.testing.assert_array_equal(drawn, _widths(weighted))


def test_plot_checks_and_subsets_edge_attr_weights(tmp_path, capsys):
    data = MultiSourceData(x_a=torch.randn(4, 2), edge_index_a=EDGES, edge_attr_a=W.clone())
    small, _ = subsample(data, 3)
    assert small.edge_attr_a.size(0) == small.edge_index_a.size(1) > 0
    data.edge_attr_a[2] = float("nan")
    torch.save(data, tmp_path / "g.pt")
    assert main(["plot", "adjacency", "--input", str(tmp_path / "g.pt"),
                 "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "data.edge_attr_a contains 1 NaN or Inf value(s)" in err and "Traceback" not in err
