"""pyg-fusion plot --out in a folder that cannot be written (a read-only
mount, no permission, /proc) drew the whole figure first, then said
'error: /data/figs: Read-only file system', naming no flag. The folder is
made and tried before any work, and named with --out; folders made for a
figure that is then refused are removed again."""
import os
import sys

import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.cli import main


@pytest.fixture
def graph(tmp_path):
    path = tmp_path / "g.pt"
    torch.save(Data(edge_index=torch.tensor([[0, 1], [1, 2]]), num_nodes=3), path)
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_an_unwritable_out_folder_is_named_before_any_work(graph, capsys, monkeypatch):
    import pyg_fusion.cli.plot as plot
    monkeypatch.setattr(plot, "_draw", lambda *a: pytest.fail("drew before checking --out"))
    assert main(["plot", "adjacency", "--input", str(graph), "--out",
                 "/proc/pyg-fusion-test/f.png"]) == 2
    assert capsys.readouterr().err == (
        "pyg-fusion plot: error: --out /proc/pyg-fusion-test/f.png: cannot write there "
        "(/proc/pyg-fusion-test: No such file or directory)\n")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_out_folder_is_named(graph, tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["plot", "adjacency", "--input", str(graph), "--out",
                     str(ro / "f.png")]) == 2
    finally:
        ro.chmod(0o755)
    assert capsys.readouterr().err.startswith(
        f"pyg-fusion plot: error: --out {ro / 'f.png'}: cannot write there ({ro}: ")


def test_the_folders_made_for_a_refused_figure_are_removed(graph, tmp_path, capsys):
    out = tmp_path / "figs" / "a" / "f.png"
    assert main(["plot", "adjacency", "--input", str(graph), "--sources", "x",
                 "--out", str(out)]) == 2
    assert "--sources" in capsys.readouterr().err
    assert not (tmp_path / "figs").exists()
    assert main(["plot", "adjacency", "--input", str(graph), "--out", str(out)]) == 0
    assert out.is_file() and [p.name for p in out.parent.iterdir()] == ["f.png"]
