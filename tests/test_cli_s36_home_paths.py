"""A '~' that no shell expanded (a --config file's 'out: ~/runs', a quoted
--out '~/figs/a.png') was a folder named '~' in the current folder, while the
same config's 'root: ~/data' was the home folder's (the datasets expand it,
as PyG's), and 'views: [~/a.npy]' was 'no such file'. Every path flag of the
CLI expands it now: one meaning of '~'."""
import numpy as np
import torch
import yaml
from torch_geometric.data import Data

from pyg_fusion.cli import main


def test_a_config_files_home_paths_are_the_home_folders(tmp_path, monkeypatch, capsys):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    np.save(home / "a.npy", np.zeros((20, 3)))
    np.save(home / "y.npy", np.repeat([0, 1], 10))
    (work / "run.yaml").write_text("dataset: tables\nviews: [v=~/a.npy]\nlabels: ~/y.npy\n"
                                   "out: ~/runs\nroot: ~/data\nmethod: single-v\nepochs: 1\n")
    (home / "run.yaml").write_text((work / "run.yaml").read_text())
    assert main(["train", "--config", "~/run.yaml", "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["data"]["views"] == [f"v={home / 'a.npy'}"]
    assert printed["data"]["labels"] == str(home / "y.npy")
    assert main(["train", "--config", "run.yaml", "--threads", "1", "--no-progress"]) == 0
    assert (home / "runs" / "results.json").is_file()
    torch.save(Data(edge_index=torch.tensor([[0, 1], [1, 2]]), num_nodes=3), home / "g.pt")
    assert main(["plot", "adjacency", "--input", "~/g.pt", "--out", "~/figs/a.png"]) == 0
    assert (home / "figs" / "a.png").is_file()
    assert list(work.iterdir()) == [work / "run.yaml"]  # no folder named '~'
