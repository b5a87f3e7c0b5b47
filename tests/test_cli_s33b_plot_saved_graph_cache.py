"""data = T.ToUndirected()(data); torch.save(data, 'g.pt'); pyg-fusion plot
adjacency --input g.pt: 'not a file of tensors that loads safely', with no
word of why: PyG's transform had filled its cache of the attributes' kinds (a
defaultdict of AttrType), which torch's safe load cannot read. The error
names it and the way to save the graph without it."""
import torch
import torch_geometric.transforms as T
from torch_geometric.data import Data

from pyg_fusion.cli import main


def test_a_graph_saved_with_pygs_attribute_cache_is_named_with_the_way_out(tmp_path, capsys):
    data = Data(x=torch.randn(12, 3), edge_index=torch.randint(0, 12, (2, 30)),
                y=torch.randint(0, 3, (12,)))
    data = T.ToUndirected()(data)
    torch.save(data, tmp_path / "g.pt")
    argv = ["plot", "adjacency", "--threads", "1", "--out", str(tmp_path / "a.png")]
    assert main([*argv, "--input", str(tmp_path / "g.pt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"--input {tmp_path / 'g.pt'} holds PyG's cache of the graph's attribute kinds" in err
    assert "torch.save(type(data).from_dict(data.to_dict()), path)" in err
    # the way out it names reads back
    torch.save(type(data).from_dict(data.to_dict()), tmp_path / "h.pt")
    assert main([*argv, "--input", str(tmp_path / "h.pt")]) == 0
