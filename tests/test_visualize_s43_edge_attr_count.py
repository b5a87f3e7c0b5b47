"""Edge weights read from an ``edge_attr`` (``edge_attr_<source>``, PyG's
``T.GDC`` writes them there) with the wrong number of entries are refused
naming that attribute: the figure's check named ``edge_weight``, which the
caller never gave."""
import re

import matplotlib.pyplot as plt
import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.cli import main
from pyg_fusion.data import MultiSourceData
from pyg_fusion.visualize import plot_adjacency, plot_relation_graph

EDGES = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])


@pytest.mark.parametrize("shape", [(5, ), (5, 1)])
def test_a_source_edge_attr_of_the_wrong_count_is_named(shape):
    data = MultiSourceData(x_a=torch.randn(4, 2), edge_index_a=EDGES,
                           edge_attr_a=torch.rand(shape))
    with pytest.raises(ValueError, match=r"^data\.edge_attr_a has 5 values for the 6 edges of "
                                         r"data\.edge_index_a: expected one per edge"):
        plot_relation_graph(data, source="a")


@pytest.mark.parametrize("plot", [plot_relation_graph, plot_adjacency])
def test_a_plain_edge_attr_of_the_wrong_count_is_named(plot):
    data = Data(edge_index=EDGES, edge_attr=torch.rand(5), num_nodes=4)
    with pytest.raises(ValueError, match=r"^data\.edge_attr has 5 values for the 6 edges of "
                                         r"data\.edge_index: expected one per edge"):
        plot(data)
    plt.close("all")


def test_cli_names_the_file_in_one_line(tmp_path, capsys):
    path = str(tmp_path / "g.pt")
    torch.save(MultiSourceData(x_a=torch.randn(4, 2), edge_index_a=EDGES,
                               edge_attr_a=torch.rand(5)), path)
    assert main(["plot", "relation-graph", "--input", path, "--out",
                 str(tmp_path / "g.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(r"pyg-fusion plot: error: --input \S+g\.pt: data\.edge_attr_a has 5 "
                        r"values for the 6 edges of data\.edge_index_a: expected one per edge",
                        err), err
