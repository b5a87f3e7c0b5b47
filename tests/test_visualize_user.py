"""pyg_fusion.visualize on the inputs a user has at hand: plain PyG graphs,
batches, sparse and integer adjacencies, large graphs, long class names,
vector output, and the direction of edges (PyG: ``edge_index[0]`` is the
source, entry ``[i, j]`` of an adjacency the edge ``j -> i``)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path
from torch_geometric.data import Batch, Data

from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO
from pyg_fusion.visualize import (plot_adjacency, plot_power_expansion,
                                  plot_pq_sensitivity, plot_relation_graph)
from pyg_fusion.visualize._matrix import pooled


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _image(fig, i=0):
    return np.asarray(fig.axes[i].get_images()[0].get_array())


def _edges(fig):
    return [a for a in fig.axes[0].get_children() if a.get_gid() == "edges"][0]


def test_a_saved_pq_sensitivity_figure_is_closed(tmp_path):
    before = len(plt.get_fignums())
    for i in range(3):
        fig = plot_pq_sensitivity(np.arange(9.0).reshape(3, 3), path=tmp_path / f"pq{i}.png")
    assert len(plt.get_fignums()) == before
    assert fig.axes and (tmp_path / "pq2.png").read_bytes()[:4] == b"\x89PNG"


def test_adjacency_axes_say_rows_are_targets_and_columns_sources():
    # the edge 0 -> 3 (edge_index[0] = source) is entry [3, 0]
    fig = plot_adjacency((torch.tensor([[0], [3]]), torch.tensor([1.0]), 6))
    a = fig.axes[0]
    assert a.get_ylabel() == "target node i"
    assert a.get_xlabel().startswith("source node j")
    assert np.argwhere(_image(fig) == 1).tolist() == [[3, 0]]
    fig = plot_power_expansion({"a": torch.rand(3, 5, 5), "b": torch.rand(2, 5, 5)})
    grid = [a for a in fig.axes if a.get_images()]
    ylabels = [a.get_ylabel() for a in grid]
    xlabels = [a.get_xlabel() for a in grid]
    # one y label per row (first column), one x label under every column
    assert ylabels.count("target node i") == 2
    assert xlabels.count("source node j") == 3


def test_large_heatmaps_keep_every_edge_visible():
    n = 600
    src = torch.tensor([4, 5, 590, 100])  # 4 and 5: one block of 3 nodes
    dst = torch.tensor([590, 590, 5, 100])
    w = torch.tensor([0.2, -0.9, 0.5, 1.0])
    fig = plot_adjacency((torch.stack([src, dst]), w, n))
    img = _image(fig)
    assert max(img.shape) <= 256
    block = -(-n // 256)
    assert f"{block} x {block} nodes" in fig.axes[0].get_xlabel()
    # each non-zero entry is in a cell of its own block; the pair in one block
    # shows its entry of largest magnitude, with its sign
    assert np.count_nonzero(img) == 3  # the two into 590, 590 -> 5, the self loop
    assert img[590 // block, 5 // block] == pytest.approx(-0.9)
    assert img[5 // block, 590 // block] == pytest.approx(0.5)
    # the cells are in node coordinates: the axes span the N nodes
    assert fig.axes[0].get_xlim() == (-0.5, n - 0.5)
    small, b = pooled(np.eye(4))
    assert b == 1 and np.array_equal(small, np.eye(4))


def test_plain_pyg_data_and_batch_are_drawn():
    ei = torch.tensor([[0, 1, 2], [1, 2, 3]])
    data = Data(edge_index=ei, edge_weight=torch.tensor([1.0, 2.0, 3.0]), num_nodes=5,
                y=torch.tensor([0, 0, 1, 1, 1]))
    fig = plot_relation_graph(data, layout="circular")
    assert len(_edges(fig).get_segments()) == 3
    assert fig.axes[1].get_ylabel() == "label"  # labels from data.y
    adj = _image(plot_adjacency(data, order="time"))
    assert adj[1, 0] == 1.0 and adj[3, 2] == 3.0 and adj.sum() == 6.0
    # a one-column edge_attr is the weight; a Batch draws its graphs unlinked
    batch = Batch.from_data_list([Data(edge_index=ei, edge_attr=torch.tensor([[4.0]] * 3),
                                       num_nodes=4)] * 2)
    adj = _image(plot_adjacency(batch))
    assert adj.shape == (8, 8) and adj[5, 4] == 4.0
    assert not adj[:4, 4:].any() and not adj[4:, :4].any()
    with pytest.raises(ValueError, match="neither an edge_index nor sources"):
        plot_relation_graph(Data(x=torch.randn(3, 2)))
    with pytest.raises(ValueError, match="source 'a' not in data"):
        plot_relation_graph(data, source="a")


def test_a_fused_graph_of_a_batch_is_drawn_block_diagonal():
    torch.manual_seed(0)
    batch = Batch.from_data_list([MultiSourceData(x_a=torch.randn(6, 4),
                                                  x_b=torch.randn(6, 3)) for _ in range(2)])
    for backend in ("dense", "sparse"):
        fused = LEGO({"a": 4, "b": 3}, num_powers=2, k=3, backend=backend)(batch)
        assert fused.num_graphs == 2
        adj = _image(plot_adjacency({"G": fused}))
        dense = fused.to_dense().detach()
        assert np.allclose(adj[:6, :6], dense[0]) and np.allclose(adj[6:, 6:], dense[1])
        assert not adj[:6, 6:].any()
        fig = plot_relation_graph(fused)
        assert "of 2 graphs" in fig.axes[0].get_title()


def test_sparse_and_integer_adjacencies_draw_like_a_float_one():
    adj = torch.tensor([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    want = _image(plot_adjacency(adj.float()))
    assert np.array_equal(_image(plot_adjacency(adj.float().to_sparse())), want)
    for graph in (adj, adj.float().to_sparse()):
        fig = plot_relation_graph(graph, layout="circular")
        assert len(_edges(fig).get_segments()) == 3


def test_vector_paths_and_a_wrong_suffix(tmp_path):
    graph = torch.rand(4, 4)
    plot_adjacency(graph, path=tmp_path / "new" / "adj.pdf")
    plot_adjacency(graph, path=tmp_path / "adj.SVG")
    assert (tmp_path / "new" / "adj.pdf").read_bytes()[:5] == b"%PDF-"
    assert b"<svg" in (tmp_path / "adj.SVG").read_bytes()[:1000]
    with pytest.raises(ValueError, match=r"path must name a \.png, \.pdf, \.svg file"):
        plot_adjacency(graph, path=tmp_path / "adj.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adj.SVG", "new"]


def test_arrows_point_from_source_to_target():
    pos = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    # 0 -> 1 and 1 -> 0 (a pair linked both ways), 2 -> 0
    ei = torch.tensor([[0, 1, 2], [1, 0, 0]])
    fig = plot_relation_graph(ei, torch.tensor([1.0, 0.5, 2.0]), pos=pos, arrows=True)
    arrows = [a for a in fig.axes[0].patches if isinstance(a, FancyArrowPatch)]
    assert len(arrows) == 3 and all(a.get_gid() == "arrow" for a in arrows)
    assert "source j" in fig.axes[0].get_title()
    ends = set()
    for a in arrows:
        path = a.get_path()  # data coordinates: the shaft from the source, then the head
        verts = path.vertices[path.codes != Path.CLOSEPOLY]
        start = verts[0]
        end = verts[np.argmax(np.linalg.norm(verts - start, axis=1))]
        ends.add((int(np.argmin(np.linalg.norm(pos - start, axis=1))),
                  int(np.argmin(np.linalg.norm(pos - end, axis=1)))))
    assert ends == {(0, 1), (1, 0), (2, 0)}
    # temporal: forward in time above the line, backward below
    fig = plot_relation_graph(torch.tensor([[0, 3], [3, 1]]), num_nodes=4,
                              layout="temporal", arrows=True)
    segs = _edges(fig).get_segments()
    assert segs[0][:, 1].max() > 0 and segs[1][:, 1].min() < 0
    with pytest.raises(ValueError, match="arrows draws at most 2000 edges"):
        n = 3000
        plot_relation_graph(torch.stack([torch.arange(n), (torch.arange(n) + 1) % n]),
                            layout="circular", arrows=True)


def test_large_graphs_show_node_colours_and_long_class_names_are_cut():
    n = 2000
    ring = torch.stack([torch.arange(n), (torch.arange(n) + 1) % n])
    fig = plot_relation_graph(ring, layout="circular", scores=torch.rand(n))
    nodes = [a for a in fig.axes[0].get_children() if a.get_gid() == "nodes"][0]
    # a white rim wider than a tiny marker would hide its colour
    assert np.all(nodes.get_linewidths() == 0)
    names = ["a very long aeroplane category name", "b"]
    fig = plot_relation_graph(torch.tensor([[0], [1]]), num_nodes=4,
                              labels=torch.tensor([0, 1, 0, 1]), label_names=names)
    ticks = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert ticks == ["a very long aer\u2026", "b"]
    fig = plot_adjacency(torch.rand(4, 4), labels=torch.tensor([0, 1, 0, 1]),
                         label_names=names)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ticks


def test_new_inputs_draw_into_the_given_axes():
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    data = Data(edge_index=torch.tensor([[0, 1], [1, 2]]), num_nodes=3)
    assert plot_relation_graph(data, ax=ax, arrows=True, layout="circular") is fig
    assert plot_adjacency(data, ax=[ax]) is fig
    assert plt.get_fignums() == before


def test_long_class_names_that_share_a_start_stay_apart():
    """'category number 0' ... '9' were all cut to 'category number…': ten equal
    tick labels and colour-bar entries. When the cut makes names equal they are
    cut in the middle, keeping the end that tells them apart."""
    names = [f"category number {i}" for i in range(3)]
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    fig = plot_adjacency(torch.rand(6, 6), labels=labels, label_names=names)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["categor\u2026number 0", "categor\u2026number 1", "categor\u2026number 2"]
    fig = plot_relation_graph(torch.tensor([[0], [1]]), num_nodes=6, labels=labels,
                              label_names=names)
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ticks
    assert all(len(t) == 16 for t in ticks)
