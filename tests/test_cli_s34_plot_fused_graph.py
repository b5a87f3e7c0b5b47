"""pyg-fusion plot adjacency / relation-graph --checkpoint <a node run of a
method without LEGO's fused graph> said only "method 'graph-mean' builds no
fused graph", not which methods' checkpoints draw one."""
import numpy as np

from pyg_fusion.cli import main


def test_a_checkpoint_without_a_fused_graph_names_the_methods_with_one(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        np.save(tmp_path / f"{name}.npy", rng.normal(size=(40, 3)))
    np.savetxt(tmp_path / "y.csv", np.repeat(["no", "yes"], 20), fmt="%s")
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "a.npy"),
                 str(tmp_path / "b.npy"), "--labels", str(tmp_path / "y.csv"),
                 "--label-rate", "0.5", "--method", "graph-mean", "--epochs", "1",
                 "--root", str(tmp_path / "data"), "--out", str(tmp_path / "t"),
                 "--threads", "1", "--no-progress"]) == 0
    capsys.readouterr()
    ckpt = str(tmp_path / "t" / "graph-mean" / "seed0" / "checkpoints" / "best.ckpt")
    for kind in ("adjacency", "relation-graph"):
        assert main(["plot", kind, "--checkpoint", ckpt, "--out", str(tmp_path / "f.png"),
                     "--threads", "1"]) == 2
        assert capsys.readouterr().err == (
            "pyg-fusion plot: error: --checkpoint: method 'graph-mean' builds no fused graph "
            "(of the node task's methods, lego and lego-cp do: give a checkpoint of one of "
            "them)\n")
    assert not (tmp_path / "f.png").exists()
