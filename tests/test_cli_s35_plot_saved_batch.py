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
    assert f"--input {tmp_path / 'g.pt'}: edge_weight holds 1 NaN or Inf value(s)" in err
