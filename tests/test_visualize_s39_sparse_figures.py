"""The graph figures of ``pyg-fusion plot`` (adjacency, powers) are drawn from
edge lists and the library's sparse powers, never an [N, N] array, so that a
graph above the dense heatmaps' 8192 nodes is drawn; the powers' panels keep
their labels apart."""
import numpy as np
import pytest
import torch
from torch_geometric.data import Data

import pyg_fusion.functional as F
from pyg_fusion.cli import main
from pyg_fusion.data import MultiSourceData
from pyg_fusion.visualize import plot_adjacency, plot_power_expansion
from pyg_fusion.visualize._matrix import pooled


def _ring(n):
    i = torch.arange(n)
    return torch.stack([torch.cat([i, (i + 1) % n]), torch.cat([(i + 1) % n, i])])


@pytest.fixture
def no_dense(monkeypatch):
    def dense(*args, **kwargs):
        raise AssertionError("an [N, N] array was made for the figure")
    monkeypatch.setattr(F, "dense_graph_powers", dense)
    monkeypatch.setattr(F, "edges_to_dense", dense)


@pytest.mark.parametrize("kind", ["adjacency", "powers"])
def test_a_graph_above_the_dense_limit_is_drawn_from_its_edges(tmp_path, no_dense, kind,
                                                               capsys):
    # 9000 nodes: the command made the dense [N, N] graph (and its dense
    # powers), then the figure refused it ("more than this figure draws (8192)")
    n = 9000
    torch.save(Data(edge_index=_ring(n), num_nodes=n), tmp_path / "ring.pt")
    out = tmp_path / f"{kind}.png"
    assert main(["plot", kind, "--input", str(tmp_path / "ring.pt"), "--max-nodes", str(n),
                 "--out", str(out), "--threads", "1"]) == 0
    assert out.is_file() and f"wrote {out}" in capsys.readouterr().out


def test_the_powers_figure_draws_the_librarys_sparse_powers(tmp_path, monkeypatch):
    # the same numbers as the dense powers of the source's graph
    import pyg_fusion.visualize as V
    torch.manual_seed(0)
    x = torch.randn(40, 5)
    torch.save(MultiSourceData(x_a=x), tmp_path / "g.pt")
    drawn, draw = {}, V.plot_power_expansion
    monkeypatch.setattr(V, "plot_power_expansion",
                        lambda powers, **kw: drawn.update(powers) or draw(powers, **kw))
    assert main(["plot", "powers", "--input", str(tmp_path / "g.pt"), "--num-powers", "3",
                 "--norm", "row", "--out", str(tmp_path / "p.png"), "--threads", "1"]) == 0
    ei, attr, n = drawn["a"]
    ej, w = F.relation_graph(x, k=10)
    dense = F.dense_graph_powers(F.edges_to_dense(ej, w, max_num_nodes=40)[0], 3, norm="row")
    for p in range(4):
        got = F.edges_to_dense(ei, attr[:, p], max_num_nodes=n)[0]
        torch.testing.assert_close(got, dense[p], atol=1e-6, rtol=1e-5)


def test_the_block_note_of_the_powers_panels_fits_each_panel():
    # "each cell: largest |w| of 118 x 118 nodes" in one line ran into the
    # next panel's label (3 panels of 2.6 inches)
    n = 30_000
    ei, attr = F.graph_powers(_ring(n), torch.ones(2 * n), n, 2)
    fig = plot_power_expansion((ei, attr, n))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [a.xaxis.label.get_window_extent(renderer) for a in fig.axes
             if a.get_xlabel()]
    assert len(boxes) == 3
    assert "118\u00a0x\u00a0118 nodes" in fig.axes[0].get_xlabel()  # one line
    for left, right in zip(boxes, boxes[1:]):
        assert left.x1 < right.x0


def test_pooling_an_edge_list_keeps_its_rule():
    # per block: the largest magnitude, with its sign, the first in row-major
    # order on a tie (now two scatters instead of a sort of the entries)
    rng = np.random.default_rng(0)
    n = 700
    ei = rng.integers(0, n, (2, 40_000))
    w = rng.choice([-2.0, -1.0, 0.0, 1.0, 2.0], ei.shape[1])
    from pyg_fusion.visualize._matrix import EdgeMatrix
    m = EdgeMatrix.of_edges(ei, w, n)
    img, b = pooled(m)
    dense, ref = m.dense(), np.zeros_like(img)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            block = dense[i * b:(i + 1) * b, j * b:(j + 1) * b].ravel()
            ref[i, j] = block[np.abs(block).argmax()]
    np.testing.assert_array_equal(img, ref)
    np.testing.assert_array_equal(np.signbit(img), np.signbit(ref))


@pytest.mark.parametrize("draw", [
    lambda adj, y: plot_adjacency(adj, labels=y),
    lambda adj, y: plot_adjacency(adj, labels=y, show_diagonal=False),
    lambda powers, y: plot_power_expansion(powers, labels=y),
])
def test_a_dense_graph_in_label_order_is_drawn_without_a_reordered_copy(draw):
    # each panel was copied reordered (adj[perm][:, perm]) and the finiteness
    # check copied the finite values: 2 [N, N] float64 arrays more for the
    # adjacency, 6 for three powers (tracemalloc's peak over N^2 float64)
    import tracemalloc

    import matplotlib.pyplot as plt
    n = 1200
    rng = np.random.default_rng(0)
    adj, y = rng.random((n, n)), rng.integers(0, 4, n)
    given = np.stack([adj, adj, adj]) if "powers" in draw.__code__.co_varnames else adj
    tracemalloc.start()
    try:
        fig = draw(given, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    img = fig.axes[0].get_images()[0].get_array()
    plt.close(fig)
    assert peak < 0.5 * n * n * 8
    # the picture of the reordered graph all the same (5 x 5 nodes a cell)
    perm = np.argsort(y, kind="stable")
    ref = adj[np.ix_(perm, perm)][:5, :5]
    assert img[0, 0] == ref.max() or img[0, 0] == (ref - np.diag(np.diag(ref))).max()


def test_an_operator_file_of_no_numbers_is_named_by_its_flag(tmp_path, capsys):
    # "scores.json: the operator must be ...": every other error of a file
    # given to plot names it as --input FILE
    import json
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({"scores": {"v": [0.1]}}))
    assert main(["plot", "operator", "--input", str(path), "--out",
                 str(tmp_path / "A.png")]) == 2
    err = capsys.readouterr().err
    assert f"--input {path}: the operator must be numbers in nested lists" in err
    assert len(err.strip().splitlines()) == 1
