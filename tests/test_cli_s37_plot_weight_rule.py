"""plot --input checked a saved graph's weights by a copy of the figure's
rule (which attribute is a weight) that missed from_networkx's ``weight``:
a NaN there was no error of the file, and the figure's own error named
neither --input nor the file. The check now calls the figure's rule
(visualize's plain_graph)."""
import networkx as nx
import torch
from torch_geometric.data import Data
from torch_geometric.utils import from_networkx

from pyg_fusion.cli import main


def _plot(tmp_path, g, capsys):
    torch.save(g, tmp_path / "g.pt")
    code = main(["plot", "adjacency", "--threads", "1", "--out", str(tmp_path / "a.png"),
                 "--input", str(tmp_path / "g.pt")])
    return code, capsys.readouterr().err


def test_nan_in_from_networkx_weights_names_the_file(tmp_path, capsys):
    graph = nx.Graph()
    graph.add_weighted_edges_from([(0, 1, 1.0), (1, 2, float("nan")), (2, 3, 2.0)])
    code, err = _plot(tmp_path, from_networkx(graph), capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert f"--input {tmp_path / 'g.pt'}: data.weight contains 2 NaN or Inf value(s)" in err
    assert not (tmp_path / "a.png").exists()


def test_nan_in_a_sources_stored_weights_names_the_file(tmp_path, capsys):
    g = Data(x_a=torch.randn(3, 2), edge_index_a=torch.tensor([[0, 1], [1, 2]]),
             edge_weight_a=torch.tensor([1.0, float("inf")]))
    code, err = _plot(tmp_path, g, capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert f"--input {tmp_path / 'g.pt'}: data.edge_weight_a contains 1 NaN or Inf" in err
