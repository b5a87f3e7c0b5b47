"""``pyg-fusion plot relation-graph`` of a graph too large for its layout: the
refusal advises the command's flags, not the Python arguments of the figure."""
import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.cli import main


def _saved(tmp_path, num_nodes, num_edges):
    g = torch.Generator().manual_seed(0)
    path = tmp_path / "graph.pt"
    torch.save(Data(edge_index=torch.randint(0, num_nodes, (2, num_edges), generator=g),
                    num_nodes=num_nodes), path)
    return str(path)


def test_spring_layout_beyond_its_nodes_names_layout_and_max_nodes(tmp_path, capsys):
    path = _saved(tmp_path, 1500, 3000)
    assert main(["plot", "relation-graph", "--input", path, "--max-nodes", "1500",
                 "--out", str(tmp_path / "g.png")]) == 2
    err = capsys.readouterr().err
    # was: "use layout='circular' or 'temporal', pass pos= (...), or plot a subgraph"
    assert "use --layout circular or temporal, or a smaller --max-nodes" in err
    assert "pos=" not in err and "layout=" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_too_many_edges_names_top_k_and_max_nodes(tmp_path, capsys):
    path = _saved(tmp_path, 2000, 150_000)
    assert main(["plot", "relation-graph", "--input", path, "--max-nodes", "2000",
                 "--layout", "circular", "--out", str(tmp_path / "g.png")]) == 2
    err = capsys.readouterr().err
    # was: "use top_k, or plot a subgraph (e.g. torch_geometric.utils.subgraph)"
    assert "to draw: use --top-k, or a smaller --max-nodes" in err
    assert "top_k" not in err and "torch_geometric" not in err
    assert not (tmp_path / "g.png").exists()


def test_the_figures_python_advice_never_reaches_the_command(tmp_path, capsys, monkeypatch):
    # the figure's advice reworded: the command's advice is its own, from the counts
    import pyg_fusion.visualize.graph as G
    monkeypatch.setattr(G, "_hint", lambda layout, pos: "pass pos= or layout='circular'")
    monkeypatch.setattr(G, "_HINT", "set top_k=5")
    with pytest.raises(G.TooLargeError, match=r"pass pos= or layout='circular'") as info:
        G.plot_relation_graph(torch.tensor([[0], [1]]), num_nodes=1500)
    assert (info.value.what, info.value.count, info.value.limit) == ("nodes", 1500, 1000)
    for nodes, edges, flags in ((1500, 3000, []), (2000, 150_000, ["--layout", "circular"])):
        path = _saved(tmp_path, nodes, edges)
        assert main(["plot", "relation-graph", "--input", path, "--max-nodes", str(nodes),
                     *flags, "--out", str(tmp_path / "g.png")]) == 2
        err = capsys.readouterr().err
        assert "pos=" not in err and "layout=" not in err and "top_k" not in err
        assert "torch_geometric" not in err and "--max-nodes" in err
