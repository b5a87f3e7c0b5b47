"""pyg-fusion plot adjacency / relation-graph --checkpoint of a tables run
(labels 'setosa', 'versicolor', ...) ticked the class blocks 0, 1, 2 although
the data keeps the user's names in class_names; a sequence of names also named
an unlabelled node (y = -1) after the last class (names[-1])."""
import matplotlib.pyplot as plt
import numpy as np
import torch

from pyg_fusion.cli import main
from pyg_fusion.data import MultiSourceData
from pyg_fusion.visualize import plot_adjacency, plot_relation_graph

NAMES = ["walking", "running", "sitting"]


def _ticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def test_a_tables_checkpoints_figures_name_the_users_classes(tmp_path, capsys, monkeypatch):
    rng = np.random.default_rng(0)
    y = np.repeat(NAMES, 12)
    for name in ("acc", "gyro"):
        np.save(tmp_path / f"{name}.npy",
                rng.normal(size=(36, 3)) + np.repeat([0, 3, 6], 12)[:, None])
    np.savetxt(tmp_path / "activity.csv", y, fmt="%s")
    common = ["--threads", "1", "--no-progress"]
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "acc.npy"),
                 str(tmp_path / "gyro.npy"), "--labels", str(tmp_path / "activity.csv"),
                 "--label-rate", "0.5", "--method", "lego", "--epochs", "1", "--seeds", "0",
                 "--root", str(tmp_path / "data"), "--out", str(tmp_path / "run"), *common]) == 0
    ckpt = tmp_path / "run" / "lego" / "seed0" / "checkpoints" / "best.ckpt"
    capsys.readouterr()
    drawn = []  # the figures as drawn: the command closes each once written
    monkeypatch.setattr(plt, "close", drawn.append)
    shown = {}
    for kind in ("adjacency", "relation-graph"):
        assert main(["plot", kind, "--checkpoint", str(ckpt), "--out",
                     str(tmp_path / f"{kind}.png"), "--threads", "1"]) == 0
        shown[kind] = drawn[-1].axes  # the command's figure, closed last
    names = sorted(NAMES)  # classes in the order the tables read them
    assert _ticks(shown["adjacency"][0]) == names
    colour_bar = [t.get_text() for t in shown["relation-graph"][-1].get_yticklabels()]
    assert colour_bar == names


def test_names_from_the_data_and_an_unlabelled_node_keeps_its_id():
    data = MultiSourceData(x_a=torch.randn(6, 2), y=torch.tensor([0, 1, -1, 0, 1, 2]))
    data.class_names = ["cat", "dog", "eel"]
    fig = plot_adjacency(data, k=2)  # -1: a tables row without label
    assert _ticks(fig.axes[0]) == ["unlabelled", "cat", "dog", "eel"]
    # given names win over the data's; a sequence names no negative label
    fig = plot_adjacency(data, k=2, label_names=["c", "d", "e"])
    assert _ticks(fig.axes[0]) == ["-1", "c", "d", "e"]
    fig = plot_adjacency(data, k=2, label_names={0: "c", 1: "d"})
    assert _ticks(fig.axes[0]) == ["-1", "c", "d", "2"]
    fig = plot_relation_graph(data, k=2)
    assert [t.get_text() for t in fig.axes[-1].get_yticklabels()] == [
        "unlabelled", "cat", "dog", "eel"]
    plt.close("all")
    # data without names: the ids, as before
    del data.class_names
    fig = plot_adjacency(data, k=2)
    assert _ticks(fig.axes[0]) == ["-1", "0", "1", "2"]
    plt.close("all")
