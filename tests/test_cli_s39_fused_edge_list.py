"""pyg-fusion plot adjacency / relation-graph --checkpoint <a node run of
lego> made the fused G an [N, N] matrix (edges_to_dense) before keeping
--max-nodes of its nodes: memory N^2 at any --max-nodes. G is now kept an
edge list, the edges between the kept nodes taken with PyG's subgraph."""
import numpy as np
import pytest
import torch

import pyg_fusion.functional as F
import pyg_fusion.visualize as V
from pyg_fusion.cli import main
from pyg_fusion.cli._plot_graph import subsample
from pyg_fusion.cli._plot_inputs import rebuild_from_checkpoint


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lego")
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        np.save(tmp / f"{name}.npy", rng.normal(size=(60, 3)))
    np.savetxt(tmp / "y.csv", np.repeat(["no", "yes"], 30), fmt="%s")
    assert main(["train", "--dataset", "tables", "--views", str(tmp / "a.npy"),
                 str(tmp / "b.npy"), "--labels", str(tmp / "y.csv"), "--label-rate", "0.5",
                 "--method", "lego", "--epochs", "1", "--root", str(tmp / "data"),
                 "--out", str(tmp / "t"), "--threads", "1", "--no-progress"]) == 0
    return str(tmp / "t" / "lego" / "seed0" / "checkpoints" / "best.ckpt")


def _no_dense(*args, **kwargs):
    raise AssertionError("the fused G was made an [N, N] matrix")


@pytest.mark.parametrize("kind", ["adjacency", "relation-graph"])
def test_a_checkpoints_fused_graph_is_drawn_from_its_edge_list(checkpoint, kind, tmp_path,
                                                                monkeypatch, capsys):
    monkeypatch.setattr(F, "edges_to_dense", _no_dense)
    out = tmp_path / "f.png"
    assert main(["plot", kind, "--checkpoint", checkpoint, "--out", str(out),
                 "--max-nodes", "25", "--threads", "1"]) == 0, capsys.readouterr().err
    assert out.is_file()


def test_the_kept_nodes_fused_edges_are_those_of_the_dense_g(checkpoint, tmp_path,
                                                              monkeypatch):
    drawn = {}
    plot_adjacency = V.plot_adjacency

    def record(panels, **kwargs):
        drawn.update(panels)
        return plot_adjacency(panels, **kwargs)
    monkeypatch.setattr(V, "plot_adjacency", record)
    assert main(["plot", "adjacency", "--checkpoint", checkpoint, "--out",
                 str(tmp_path / "f.png"), "--max-nodes", "25", "--threads", "1"]) == 0
    ei, w, n = drawn["fused $G$"]
    assert n == 25 and ei.max() < 25
    model, td, _ = rebuild_from_checkpoint(checkpoint, None)
    with torch.no_grad():
        full = F.edges_to_dense(*model.fused_graph(td.graph), max_num_nodes=60)[0]
    *_, idx = subsample(td.graph, 25, return_index=True)
    torch.testing.assert_close(F.edges_to_dense(ei, w, max_num_nodes=25)[0],
                               full[idx][:, idx])
