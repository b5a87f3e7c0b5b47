"""batch = next(iter(DataLoader(graphs, batch_size=2))); torch.save(batch,
'b.pt'); pyg-fusion plot adjacency --input b.pt: 'not a file of tensors that
loads safely', with no word of why: a Batch's class (DataBatch) is made at
run time, which torch's safe load cannot read. The error names it and the
ways to save the graphs that load."""
import torch
from torch_geometric.data import Batch, Data

from pyg_fusion.cli import main


def test_a_saved_batch_is_named_with_the_way_out(tmp_path, capsys):
    g = Data(edge_index=torch.tensor([[0, 1, 2], [1, 2, 0]]),
             edge_weight=torch.tensor([1.0, 2.0, 3.0]), num_nodes=3)
    batch = Batch.from_data_list([g, g])
    torch.save(batch, tmp_path / "b.pt")
    argv = ["plot", "adjacency", "--threads", "1", "--out", str(tmp_path / "a.png")]
    assert main([*argv, "--input", str(tmp_path / "b.pt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"--input {tmp_path / 'b.pt'} holds a PyG Batch" in err
    assert "torch.save(Data.from_dict(batch.to_dict()), path)" in err
    # both ways out it names read back
    torch.save(Data.from_dict(batch.to_dict()), tmp_path / "d.pt")
    assert main([*argv, "--input", str(tmp_path / "d.pt")]) == 0
    torch.save(batch[1], tmp_path / "one.pt")
    assert main([*argv, "--input", str(tmp_path / "one.pt")]) == 0


def test_a_saved_edge_list_names_the_data_to_save(tmp_path, capsys):
    ei = torch.tensor([[0, 1, 2], [1, 2, 0]])
    torch.save((ei, torch.ones(3)), tmp_path / "t.pt")
    argv = ["plot", "relation-graph", "--threads", "1", "--out", str(tmp_path / "a.png")]
    assert main([*argv, "--input", str(tmp_path / "t.pt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "holds a tuple, not a Data: save the graph as torch.save(Data(edge_index=" in err


def test_nan_weights_of_a_saved_graph_name_the_file(tmp_path, capsys):
    g = Data(edge_index=torch.tensor([[0, 1, 2], [1, 2, 0]]),
             edge_weight=torch.tensor([1.0, float("nan"), 3.0]), num_nodes=3)
    torch.save(g, tmp_path / "g.pt")
    argv = ["plot", "adjacency", "--threads", "1", "--out", str(tmp_path / "a.png")]
    assert main([*argv, "--input", str(tmp_path / "g.pt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"--input {tmp_path / 'g.pt'}: data.edge_weight contains 1 NaN or Inf value(s)" in err


def test_edge_features_with_nan_are_no_weights_of_the_figure(tmp_path, capsys):
    # edge features beside the weights ([E, 3], one NaN: a missing value)
    # are not drawn: the figure was made before the weights' check, and is
    ei = torch.tensor([[0, 1, 2], [1, 2, 0]])
    feats = torch.ones(3, 3)
    feats[0, 1] = float("nan")
    argv = ["plot", "adjacency", "--threads", "1"]
    for i, g in enumerate([Data(edge_index=ei, edge_weight=torch.ones(3), edge_attr=feats,
                                num_nodes=3),
                           Data(edge_index=ei, edge_attr=feats, num_nodes=3)]):
        torch.save(g, tmp_path / f"g{i}.pt")
        out = tmp_path / f"a{i}.png"
        assert main([*argv, "--out", str(out), "--input", str(tmp_path / f"g{i}.pt")]) == 0
        assert out.is_file()
    # a one-column edge_attr is the weights where edge_weight is absent: checked
    g = Data(edge_index=ei, edge_attr=torch.tensor([[1.0], [float("nan")], [2.0]]),
             num_nodes=3)
    torch.save(g, tmp_path / "w.pt")
    capsys.readouterr()
    assert main([*argv, "--out", str(tmp_path / "w.png"), "--input",
                 str(tmp_path / "w.pt")]) == 2
    assert "data.edge_attr contains 1 NaN or Inf value(s)" in capsys.readouterr().err
