import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch_geometric.utils import erdos_renyi_graph, to_undirected

from pyg_fusion.data import MultiSourceData
from pyg_fusion.visualize import plot_relation_graph


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _by_gid(fig, gid):
    found = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, got {len(found)}"
    return found[0]


def _drawn_pairs(fig, pos):
    """The unordered node pairs of the drawn edge segments, read back through
    the segment end points and the known node positions."""
    lookup = {tuple(np.round(p, 6)): i for i, p in enumerate(pos)}
    pairs = set()
    for seg in _by_gid(fig, "edges").get_segments():
        a = lookup[tuple(np.round(seg[0], 6))]
        b = lookup[tuple(np.round(seg[-1], 6))]
        pairs.add((min(a, b), max(a, b)))
    return pairs


def _circle(n):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([np.cos(t), np.sin(t)], axis=1)


def test_edge_list_draws_each_undirected_edge_once(tmp_path):
    torch.manual_seed(0)
    n = 25
    ei = to_undirected(erdos_renyi_graph(n, 0.2))
    w = torch.rand(ei.size(1)) + 0.1
    pos = _circle(n)
    fig = plot_relation_graph(ei, w, pos=pos, path=tmp_path / "g.png")
    expected = {(min(a, b), max(a, b)) for a, b in ei.t().tolist() if a != b}
    assert len(_by_gid(fig, "edges").get_segments()) == len(expected)
    assert _drawn_pairs(fig, pos) == expected
    assert len(_by_gid(fig, "nodes").get_offsets()) == n
    assert (tmp_path / "g.png").stat().st_size > 1000


def test_top_k_of_a_dense_graph_matches_independent_selection():
    torch.manual_seed(1)
    n, k = 18, 3
    x = torch.randn(n, n)
    adj = (x + x.t()) / 2
    pos = _circle(n)
    fig = plot_relation_graph(adj, top_k=k, pos=pos)
    strength = adj.abs().clone()
    strength.fill_diagonal_(-1)  # self loops are never drawn
    top = strength.topk(k, dim=1).indices
    expected = {(min(i, j), max(i, j)) for i in range(n) for j in top[i].tolist()}
    assert _drawn_pairs(fig, pos) == expected
    assert "top-3" in fig.axes[0].get_title()


def test_weights_map_to_width_and_alpha_and_weakest_edge_is_visible():
    ei = torch.tensor([[0, 1, 2], [1, 2, 3]])
    w = torch.tensor([0.2, 0.5, 1.0])
    fig = plot_relation_graph(ei, w, pos=_circle(4))
    lc = _by_gid(fig, "edges")
    widths = np.asarray(lc.get_linewidths())
    alphas = np.asarray(lc.get_edgecolor())[:, 3]
    assert np.all(np.diff(widths) > 0) and np.all(np.diff(alphas) > 0)
    # unlike PyG's min-max scaling, the weakest edge keeps a visible width and alpha
    np.testing.assert_allclose(widths / widths[-1], [0.15, 0.15 + 0.85 * 0.375, 1.0])
    np.testing.assert_allclose(alphas / alphas[-1], [0.15, 0.15 + 0.85 * 0.375, 1.0])


def test_signed_graph_colours_by_sign():
    ei = torch.tensor([[0, 1], [1, 2]])
    fig = plot_relation_graph(ei, torch.tensor([0.7, -0.7]), pos=_circle(3))
    colours = np.asarray(_by_gid(fig, "edges").get_edgecolor())[:, :3]
    assert colours[0, 0] > colours[0, 2]  # positive: red
    assert colours[1, 2] > colours[1, 0]  # negative: blue


def test_scores_give_a_colour_bar_and_labels_a_categorical_one():
    ei = torch.tensor([[0, 1, 2], [1, 2, 3]])
    scores = torch.tensor([0.1, 0.9, 0.3, 0.5])
    fig = plot_relation_graph(ei, scores=scores, layout="circular")
    nodes = _by_gid(fig, "nodes")
    np.testing.assert_allclose(nodes.get_array(), scores.numpy())
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "anomaly score"
    plt.close(fig)
    fig = plot_relation_graph(ei, labels=torch.tensor([2, 0, 2, 1]),
                              label_names={0: "zero", 1: "one", 2: "two"})
    ticks = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert ticks == ["zero", "one", "two"]


def test_temporal_layout_puts_nodes_on_a_line_in_time_order():
    n = 10
    ei = torch.tensor([[0, 3, 5], [9, 4, 6]])
    time = torch.arange(n).flip(0)  # reversed time stamps
    fig = plot_relation_graph(ei, num_nodes=n, layout="temporal", time=time)
    offsets = _by_gid(fig, "nodes").get_offsets()
    np.testing.assert_allclose(offsets[:, 1], 0)
    np.testing.assert_allclose(offsets[:, 0], np.arange(n)[::-1])
    segs = _by_gid(fig, "edges").get_segments()
    assert len(segs) == 3
    spans = sorted(float(s[:, 0].max() - s[:, 0].min()) for s in segs)
    assert spans == [1.0, 1.0, 9.0]
    assert all(s[:, 1].min() >= -1e-9 for s in segs)  # arcs above the line


def test_data_with_sources_builds_a_knn_relation_graph():
    torch.manual_seed(0)
    n = 30
    data = MultiSourceData(x_rgb=torch.randn(n, 8), x_flow=torch.randn(n, 4),
                           y=torch.randint(0, 3, (n, )))
    fig = plot_relation_graph(data, source="rgb", k=4, pos=_circle(n))
    from pyg_fusion.functional import relation_graph
    ei, _ = relation_graph(data.x_rgb, k=4)
    expected = {(min(a, b), max(a, b)) for a, b in ei.t().tolist() if a != b}
    assert _drawn_pairs(fig, _circle(n)) == expected
    np.testing.assert_array_equal(np.unique(_by_gid(fig, "nodes").get_array()),
                                  [0, 1, 2])  # coloured by data.y
    assert "rgb" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="source is required"):
        plot_relation_graph(data)
    with pytest.raises(ValueError, match="depth"):
        plot_relation_graph(data, source="depth")


def test_stored_edge_index_of_a_source_is_used():
    data = MultiSourceData(x_a=torch.randn(5, 3),
                           edge_index_a=torch.tensor([[0, 1], [1, 2]]),
                           edge_weight_a=torch.tensor([1.0, 0.5]))
    fig = plot_relation_graph(data, pos=_circle(5))
    assert _drawn_pairs(fig, _circle(5)) == {(0, 1), (1, 2)}


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    out = plot_relation_graph(torch.tensor([[0], [1]]), ax=ax)
    assert out is fig and ax.get_title().startswith("graph: 2 nodes, 1 edges")


@pytest.mark.parametrize("kwargs, match", [
    (dict(edge_index=torch.tensor([[0, 5], [1, 2]]), num_nodes=4), "outside \\[0, 4\\)"),
    (dict(edge_index=torch.tensor([[0, -1], [1, 2]])), "outside"),
    (dict(edge_index=torch.tensor([[0, 1], [1, 2]]), edge_weight=torch.ones(3)),
     "one value per edge: 2 edges"),
    (dict(edge_index=torch.tensor([[0, 1], [1, 2]]),
          edge_weight=torch.tensor([1.0, float("nan")])), "NaN"),
    (dict(edge_index=torch.tensor([0, 1, 2])), "shape \\[2, E\\]"),
    (dict(edge_index=torch.tensor([[0, 1], [1, 2]]), layout="hive"), "layout"),
    (dict(edge_index=torch.tensor([[0, 1], [1, 2]]), top_k=0), "top_k"),
    (dict(edge_index=torch.tensor([[0, 1], [1, 2]]), scores=torch.rand(2)),
     "one entry per node \\(3\\)"),
    (dict(edge_index=torch.zeros(2, 0, dtype=torch.long), layout="temporal"),
     "the graph has no nodes"),
    (dict(edge_index=torch.tensor([[0], [1]]), num_nodes=6000),
     "6000 nodes, more than this figure draws \\(1000\\); use layout='circular' or "
     "'temporal', pass pos="),
])
def test_bad_input_gives_a_clear_error(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        plot_relation_graph(**kwargs)


def test_fused_graph_of_lego_is_drawn():
    from pyg_fusion.nn import LEGO
    torch.manual_seed(0)
    n = 12
    model = LEGO({"a": 5, "b": 3}, num_powers=2, backend="sparse", k=3).eval()
    data = MultiSourceData(x_a=torch.randn(n, 5), x_b=torch.randn(n, 3))
    fused = model(data)
    pos = _circle(n)
    fig = plot_relation_graph(fused, pos=pos)
    ei, w = fused.to_sparse()
    expected = {(min(a, b), max(a, b)) for (a, b), x in zip(ei.t().tolist(), w.tolist())
                if a != b and x != 0}
    assert _drawn_pairs(fig, pos) == expected
    assert fig.axes[0].get_title().startswith("fused graph $G$")


def test_saved_figures_are_closed_and_large_dense_pictures_refused(tmp_path):
    from pyg_fusion.visualize import plot_adjacency
    before = len(plt.get_fignums())
    for i in range(3):
        fig = plot_relation_graph(torch.tensor([[0, 1], [1, 2]]), path=tmp_path / f"g{i}.png")
    assert len(plt.get_fignums()) == before  # saved: closed in pyplot, still a Figure
    fig.savefig(tmp_path / "again.png")
    shown = plot_relation_graph(torch.tensor([[0, 1], [1, 2]]))  # not saved: left open
    assert len(plt.get_fignums()) == before + 1
    plt.close(shown)
    # a dense picture (an edge list is pooled from its edges at any size)
    with pytest.raises(ValueError, match="20000 nodes, more than this figure draws"):
        plot_adjacency(np.broadcast_to(np.zeros(1, dtype=np.float32), (20000, 20000)))
    with pytest.raises(ValueError, match="has no nodes"):
        plot_adjacency(torch.zeros(0, 0))


def test_a_failing_plot_leaves_no_figure_open(tmp_path):
    import matplotlib.pyplot as plt

    from pyg_fusion.visualize import plot_anomaly_scores, plot_relation_graph
    before = len(plt.get_fignums())
    ei = torch.tensor([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match=r"scores must have one entry per node \(3\), got 2"):
        plot_relation_graph(ei, scores=torch.rand(2), num_nodes=3)
    with pytest.raises(ValueError, match=r"path must name a \.png, \.pdf, \.svg file"):
        plot_relation_graph(ei, num_nodes=3, path=tmp_path / "x.jpg")
    with pytest.raises(ValueError, match=r"scores\['video 0'\] contains 1 NaN or Inf"):
        plot_anomaly_scores(torch.tensor([0.1, float("nan")]))
    assert len(plt.get_fignums()) == before


def test_signed_graph_nodes_are_not_the_blue_of_negative_edges():
    """Without labels or scores the nodes were tab:blue, the colour of a signed
    graph's negative edges: the two read alike. A signed graph's nodes are grey."""
    from matplotlib.colors import to_rgba
    ei = torch.tensor([[0, 1], [1, 2]])
    signed = plot_relation_graph(ei, torch.tensor([0.7, -0.7]), pos=_circle(3))
    node = tuple(np.asarray(_by_gid(signed, "nodes").get_facecolor())[0])
    negative = tuple(np.asarray(_by_gid(signed, "edges").get_edgecolor())[1, :3])
    assert node[:3] != negative and node == to_rgba("0.35")
    plain = plot_relation_graph(ei, torch.tensor([0.7, 0.5]), pos=_circle(3))
    assert tuple(np.asarray(_by_gid(plain, "nodes").get_facecolor())[0]) == to_rgba("tab:blue")


def test_colour_bar_of_many_classes_labels_none_over_another():
    """60 classes gave the colour bar 60 labels of 10 pt on 4 inches, each over its
    neighbours: only those a line apart are labelled now; 25 keep all 25."""
    torch.manual_seed(0)
    ring = torch.stack([torch.arange(400), (torch.arange(400) + 1) % 400])
    for classes, shown in ((60, None), (25, 25)):
        fig = plot_relation_graph(ring, labels=torch.arange(400) % classes, layout="circular")
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        bar = fig.axes[1]
        texts = [t.get_text() for t in bar.get_yticklabels()]
        boxes = [t.get_window_extent(renderer) for t in bar.get_yticklabels()]
        assert not any(a.overlaps(b) for a, b in zip(boxes, boxes[1:])), classes
        assert texts[0] == "0" and (len(texts) == shown if shown else 10 <= len(texts) < 60)


@pytest.mark.parametrize("kw", [{"layout": "temporal"}, {"layout": "spring"},
                                {"layout": "circular"},
                                {"layout": "temporal", "pos": torch.rand(4, 2)}])
def test_time_of_the_wrong_length_is_refused_whatever_the_layout(kw):
    # before: only the temporal layout read (and checked) time; the others,
    # and an explicit pos, took time stamps of another graph silently
    ei = torch.tensor([[0, 1, 2], [1, 2, 3]])
    with pytest.raises(ValueError, match=r"^time must have one entry per node \(4\), got 7$"):
        plot_relation_graph(ei, time=torch.arange(7.0), **kw)
    assert plt.get_fignums() == []  # the figure begun is closed
    plot_relation_graph(ei, time=torch.arange(4.0), **kw)  # the right length is drawn
