"""pyg_fusion.visualize on the graphs a PyG user builds: duplicate edges,
self loops and isolated nodes checked against torch_geometric's own dense
adjacency, and large graphs refused before any costly work."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import to_dense_adj

import pyg_fusion.functional as F
from pyg_fusion.data import MultiSourceData
from pyg_fusion.visualize import plot_adjacency, plot_relation_graph, select_edges
from pyg_fusion.visualize._common import graph_to_dense


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# 0 -> 1 twice (+1, -1: they cancel), 2 -> 3 twice (0.5 each), a self loop
# on 3, node 5 isolated
EI = torch.tensor([[0, 0, 1, 2, 2, 3, 4], [1, 1, 2, 3, 3, 3, 0]])
W = torch.tensor([1.0, -1.0, 0.25, 0.5, 0.5, 4.0, -2.0])


def test_the_heatmap_is_torch_geometrics_dense_adjacency_with_rows_as_targets():
    data = Data(edge_index=EI, edge_weight=W, num_nodes=6)
    fig = plot_adjacency(data)
    img = np.asarray(fig.axes[0].get_images()[0].get_array())
    # to_dense_adj puts the edge j -> i at [j, i]; the figure at [i, j], as documented
    ref = to_dense_adj(EI, edge_attr=W, max_num_nodes=6)[0].T.numpy()
    np.testing.assert_allclose(img, ref)
    assert fig.axes[0].get_ylabel() == "target node i"


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_duplicate_edges_are_drawn_with_their_sum_as_the_heatmap_shows_them(dtype):
    # each was drawn with the larger weight of its copies: the cancelling
    # pair 0 -> 1 as an edge of weight 1, 2 -> 3 as 0.5 where the heatmap has 1
    for directed, want in ((False, {(1, 2): 0.25, (2, 3): 1.0, (0, 4): -2.0}),
                           (True, {(1, 2): 0.25, (2, 3): 1.0, (4, 0): -2.0})):
        edges, w = select_edges(EI.numpy(), W.numpy(), directed=directed)
        assert {(int(a), int(b)): float(x) for (a, b), x in zip(edges, w)} == want
    fig = plot_relation_graph(EI, W.to(dtype).requires_grad_(), num_nodes=6)
    assert "3 edges drawn" in fig.axes[0].get_title()


def test_a_batch_is_drawn_as_its_graphs_side_by_side_unlinked():
    a = Data(edge_index=torch.tensor([[0], [1]]), edge_weight=torch.tensor([2.0]), num_nodes=2)
    b = Data(edge_index=torch.tensor([[1], [0]]), edge_weight=torch.tensor([3.0]), num_nodes=3)
    batch = Batch.from_data_list([a, b])
    img = np.asarray(plot_adjacency(batch).axes[0].get_images()[0].get_array())
    ref = np.zeros((5, 5))
    ref[1, 0], ref[2, 3] = 2.0, 3.0
    np.testing.assert_array_equal(img, ref)


def _no_knn(*args, **kwargs):
    raise AssertionError("a k-NN graph was built for a graph the figure refuses")


@pytest.mark.parametrize("draw, limit", [
    (lambda d: plot_adjacency(d), 8192),
    (lambda d: plot_relation_graph(d, source="a"), 1000),
    (lambda d: plot_relation_graph(d, source="a", layout="circular"), 100_000),
])
def test_too_many_units_are_refused_before_the_knn_search(monkeypatch, draw, limit):
    # the search ran first: 17 s at 1e5 units, minutes at 1e6, then the refusal
    monkeypatch.setattr(F, "relation_graph", _no_knn)
    data = MultiSourceData(x_a=torch.zeros(limit + 1, 2))
    with pytest.raises(ValueError, match=f"source 'a' has {limit + 1} nodes, more than "
                       f"this figure draws \\({limit}\\)"):
        draw(data)


def test_the_circular_and_temporal_layouts_refuse_what_they_cannot_draw():
    # a million nodes drew for minutes and gigabytes (1e5 nodes: 20 s, 1.3 GB)
    ei = torch.tensor([[0], [999_999]])
    for layout in ("circular", "temporal"):
        with pytest.raises(ValueError, match="1000000 nodes, more than this figure "
                           "draws \\(100000\\); plot a subgraph"):
            plot_relation_graph(ei, layout=layout)
    g = torch.Generator().manual_seed(0)
    many = torch.randint(0, 50_000, (2, 120_000), generator=g)
    with pytest.raises(ValueError, match="at most 100000 edges, this graph has 1[01]\\d{4} "
                       "to draw: use top_k"):
        plot_relation_graph(many, layout="temporal")
    # a dense adjacency is refused before its float64 copy (0.6 GB here)
    view = np.broadcast_to(np.zeros(1, dtype=np.float32), (9000, 9000))
    with pytest.raises(ValueError, match="9000 nodes, more than this figure draws \\(8192\\)"):
        plot_relation_graph(view, layout="circular")


@pytest.fixture
def stored_graph_file(tmp_path):
    # source a holds its own graph (0 -> 1, 3 -> 4); b has features only
    torch.manual_seed(0)
    data = MultiSourceData(x_a=torch.randn(10, 3), x_b=torch.randn(10, 2),
                           edge_index_a=torch.tensor([[0, 3], [1, 4]]),
                           edge_weight_a=torch.tensor([5.0, 2.0]))
    path = tmp_path / "graph.pt"
    torch.save(data, path)
    return path


def test_plot_adjacency_draws_a_saved_sources_own_graph_as_relation_graph_does(
        tmp_path, stored_graph_file, monkeypatch):
    # it drew a 10-NN graph of x_a (58 entries) where relation-graph drew the 2 edges
    from pyg_fusion.cli import main
    import pyg_fusion.visualize as V
    drawn, draw = {}, V.plot_adjacency
    monkeypatch.setattr(V, "plot_adjacency", lambda g, **kw: drawn.update(g) or draw(g, **kw))
    out = tmp_path / "adj.png"
    assert main(["plot", "adjacency", "--input", str(stored_graph_file), "--out", str(out),
                 "--threads", "1"]) == 0
    ref = np.zeros((10, 10))
    ref[1, 0], ref[4, 3] = 5.0, 2.0
    # the panels are the edge lists (no [N, N] matrix is made for them)
    np.testing.assert_array_equal(graph_to_dense("a", drawn["$R_{\\mathrm{a}}$ (stored)"]), ref)
    assert "$R_{\\mathrm{b}}$ (10-NN)" in drawn


def test_a_subsample_keeps_the_stored_graph_between_kept_nodes():
    from pyg_fusion.cli._plot_inputs import subsample
    data = MultiSourceData(x_a=torch.arange(10.0).view(10, 1),
                           edge_index_a=torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4]]),
                           edge_weight_a=torch.tensor([1.0, 2.0, 3.0, 4.0]))
    small, _, idx = subsample(data, 6, return_index=True)
    old = idx.tolist()  # node i of the subset is node old[i]
    kept = {(old[j], old[i]): float(w) for (j, i), w in
            zip(small.edge_index_a.t().tolist(), small.edge_weight_a)}
    assert kept == {(j, i): w for (j, i), w in [((0, 1), 1.0), ((1, 2), 2.0), ((2, 3), 3.0),
                                                ((3, 4), 4.0)] if j in old and i in old}
    assert torch.equal(small.x_a[:, 0], idx.float())


@pytest.mark.parametrize("argv", [["relation-graph", "--source", "a"],
                                  ["adjacency", "--sources", "a"]])
def test_k_is_refused_where_every_drawn_source_stores_its_graph(
        tmp_path, stored_graph_file, argv, capsys):
    from pyg_fusion.cli import main
    assert main(["plot", *argv, "--k", "3", "--input", str(stored_graph_file),
                 "--out", str(tmp_path / "x.png"), "--threads", "1"]) == 2
    err = capsys.readouterr().err
    assert "edge_index_a of the graph is drawn as stored, so --k would not be read" in err
    assert len(err.strip().splitlines()) == 1


def test_a_data_of_to_sparse_tensor_is_drawn_from_its_adj_t():
    # T.ToSparseTensor replaces edge_index by adj_t: "holds neither an edge_index nor sources"
    import torch_geometric.transforms as T
    data = Data(edge_index=EI, edge_weight=W, num_nodes=6)
    sparse = T.ToSparseTensor(attr="edge_weight", layout=torch.sparse_csr)(data.clone())
    img = np.asarray(plot_adjacency(sparse).axes[0].get_images()[0].get_array())
    np.testing.assert_allclose(img, to_dense_adj(EI, edge_attr=W, max_num_nodes=6)[0].T.numpy())
    assert "3 edges drawn" in plot_relation_graph(sparse).axes[0].get_title()


def test_graphs_of_other_libraries_are_refused_with_the_pyg_conversion():
    # numpy read them as 0-d objects: "edge_index must have shape [2, E], got (6,)"
    import networkx as nx
    import scipy.sparse as sp
    from torch_geometric.data import HeteroData
    from torch_geometric.utils import to_networkx
    g = to_networkx(Data(edge_index=EI, edge_weight=W, num_nodes=6), edge_attrs=["edge_weight"])
    hetero = HeteroData()
    hetero["a"].num_nodes = 6
    hetero["a", "to", "a"].edge_index = EI
    for obj, hint in ((g, "from_networkx"), (nx.Graph(g), "from_networkx"),
                      (sp.coo_matrix(np.eye(3)), "from_scipy_sparse_matrix"),
                      (hetero, "to_homogeneous")):
        with pytest.raises(TypeError, match=f"edge_index is a .*{hint}"):
            plot_relation_graph(obj)
        with pytest.raises(TypeError, match=f"graphs is a .*{hint}"):
            plot_adjacency(obj)
        with pytest.raises(TypeError, match=f"graphs\\['G'\\] is a .*{hint}"):
            plot_adjacency({"G": obj})
    assert not plt.get_fignums()


def test_plot_draws_a_saved_plain_pyg_data(tmp_path, monkeypatch, capsys):
    # every graph kind answered "the graph holds no node-level source (x_<source>)"
    from pyg_fusion.cli import main
    import pyg_fusion.visualize as V
    torch.save(Data(edge_index=EI, edge_weight=W, num_nodes=6), tmp_path / "g.pt")
    drawn, draw = {}, V.plot_adjacency
    monkeypatch.setattr(V, "plot_adjacency", lambda g, **kw: drawn.update(g) or draw(g, **kw))
    for kind in ("relation-graph", "adjacency", "powers"):
        assert main(["plot", kind, "--input", str(tmp_path / "g.pt"), "--out",
                     str(tmp_path / f"{kind}.png"), "--threads", "1"]) == 0
    ref = to_dense_adj(EI, edge_attr=W, max_num_nodes=6)[0].T.double().numpy()
    np.testing.assert_array_equal(graph_to_dense("g", drawn["graph $G$ (edge_index)"]), ref)
    # a subset: PyG's subgraph of the kept nodes
    assert main(["plot", "adjacency", "--input", str(tmp_path / "g.pt"), "--max-nodes", "4",
                 "--out", str(tmp_path / "sub.png"), "--threads", "1"]) == 0
    from pyg_fusion.cli._plot_inputs import subsample
    _, _, idx = subsample(Data(edge_index=EI, num_nodes=6), 4, return_index=True)
    np.testing.assert_array_equal(graph_to_dense("g", drawn["graph $G$ (edge_index)"]),
                                  ref[idx][:, idx])
    assert main(["plot", "adjacency", "--input", str(tmp_path / "g.pt"), "--k", "3",
                 "--out", str(tmp_path / "k.png")]) == 2
    assert "plain PyG Data (its edge_index, no sources x_<source>): --k would not be read" \
        in capsys.readouterr().err


def test_a_torch_sparse_adjacency_is_read_by_its_entries_not_made_dense():
    # to_dense() came first: a million nodes asked for 4 TB, 50000 for 10 GB
    adj_t = torch.sparse_coo_tensor(EI.flip(0), W, (6, 6))  # uncoalesced: duplicates summed
    ref = to_dense_adj(EI, edge_attr=W, max_num_nodes=6)[0].T.numpy()
    for a in (adj_t, adj_t.coalesce().to_sparse_csr(), adj_t.coalesce().to_sparse_csc(),
              adj_t.unsqueeze(0)):
        img = np.asarray(plot_adjacency(a).axes[0].get_images()[0].get_array())
        np.testing.assert_allclose(img, ref)
    assert "3 edges drawn" in plot_relation_graph(adj_t).axes[0].get_title()
    big = torch.sparse_coo_tensor(torch.tensor([[0], [999_999]]), torch.tensor([1.0]),
                                  (10**6, 10**6))
    # a heatmap of a million nodes is pooled from the entries (it was refused)
    img = np.asarray(plot_adjacency(big).axes[0].get_images()[0].get_array())
    assert img.shape == (256, 256) and img[0, -1] == 1.0 and img.sum() == 1.0
    for layout in ("spring", "circular"):
        with pytest.raises(ValueError, match="1000000 nodes, more than this figure draws"):
            plot_relation_graph(big, layout=layout)
    with pytest.raises(ValueError, match="edge_weight must be None when edge_index is a sparse"):
        plot_relation_graph(adj_t, W)


def test_dense_powers_of_too_many_nodes_are_refused_before_their_copy(monkeypatch):
    import pyg_fusion.visualize.powers as powers
    from pyg_fusion.visualize import plot_power_expansion

    def copied(*args, **kwargs):
        raise AssertionError("the powers were copied before the refusal")

    monkeypatch.setattr(powers, "to_numpy", copied)
    # a view of no memory; its float64 copy was made first (2.6 GB, 20 s here)
    view = np.broadcast_to(np.zeros(1, dtype=np.float32), (4, 9000, 9000))
    with pytest.raises(ValueError, match="9000 nodes, more than this figure draws \\(8192\\)"):
        plot_power_expansion(view)


def test_every_figure_keeps_the_users_rc_params_and_leaves_no_figure_open(tmp_path):
    from pyg_fusion import visualize as V
    with matplotlib.rc_context({"font.size": 17.0, "image.cmap": "gray",
                                "axes.prop_cycle": matplotlib.cycler(color=["k"])}):
        before = dict(matplotlib.rcParams)
        data = MultiSourceData(x_a=torch.randn(12, 3), x_b=torch.randn(12, 2),
                               y=torch.arange(12) % 3)
        draws = [lambda p: V.plot_relation_graph(EI, W, path=p),
                 lambda p: V.plot_relation_graph(EI, W, arrows=True, layout="temporal", path=p),
                 lambda p: V.plot_relation_graph(data, source="a", path=p),
                 lambda p: V.plot_adjacency(data, path=p),
                 lambda p: V.plot_power_expansion(torch.rand(3, 4, 4), path=p),
                 lambda p: V.plot_fusion_operator(torch.randn(3, 3), path=p),
                 lambda p: V.plot_pq_sensitivity(np.arange(9.0).reshape(3, 3), path=p),
                 lambda p: V.plot_anomaly_scores({"v": np.linspace(0, 1, 10)}, path=p)]
        for i, draw in enumerate(draws):
            draw(tmp_path / f"{i}.svg")
            assert (tmp_path / f"{i}.svg").read_bytes().lstrip().startswith(b"<?xml")
            assert not plt.get_fignums()
        after = dict(matplotlib.rcParams)
        assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}


def test_a_saved_data_with_one_label_per_graph_counts_its_nodes_by_its_sources(tmp_path):
    # y = [1] (one label for the graph) was taken as one node: "the graph
    # holds no node-level source (x_<source>)"
    from pyg_fusion.cli import main
    from pyg_fusion.cli._plot_inputs import node_count
    data = Data(x_a=torch.randn(10, 3), x_frames=torch.randn(30, 2), y=torch.tensor([1]))
    assert node_count(data) == 10
    torch.save(data, tmp_path / "g.pt")
    assert main(["plot", "adjacency", "--input", str(tmp_path / "g.pt"), "--k", "3",
                 "--out", str(tmp_path / "a.png"), "--threads", "1"]) == 0


def test_a_batch_ordered_by_label_keeps_each_graph_one_block():
    # the label order interleaved the graphs' nodes: the block-diagonal batch
    # was drawn as one graph of crossing edges
    def ring():
        return Data(edge_index=torch.tensor([[0, 1, 2, 3], [1, 2, 3, 0]]),
                    y=torch.tensor([0, 1, 0, 1]), num_nodes=4)
    fig = plot_adjacency(Batch.from_data_list([ring(), ring()]))
    img = np.asarray(fig.axes[0].get_images()[0].get_array())
    assert not img[:4, 4:].any() and not img[4:, :4].any()
    assert img.sum() == 8
    assert "by graph, then label" in fig.axes[0].get_xlabel()


def test_the_temporal_layout_of_a_batch_keeps_each_graph_together():
    # two videos of 3 snippets, times 0, 1, 2 each: their snippets alternated
    # on the time line (0, 0, 1, 1, 2, 2) and each video's arcs crossed the other's
    video = Data(edge_index=torch.tensor([[0, 1], [1, 2]]), num_nodes=3)
    batch = Batch.from_data_list([video, video])
    fig = plot_relation_graph(batch, layout="temporal", time=torch.tensor([0, 1, 2, 0, 1, 2]))
    nodes = [c for c in fig.axes[0].collections if c.get_gid() == "nodes"][0]
    assert nodes.get_offsets()[:, 0].tolist() == [0, 1, 2, 3, 4, 5]


def test_a_path_no_figure_can_be_written_to_is_refused_before_the_drawing(tmp_path, monkeypatch):
    # the graph was drawn first (seconds for a large one), then the path refused
    import pyg_fusion.visualize.graph as graph
    from pyg_fusion import visualize as V
    def drawn(*args, **kwargs):
        raise AssertionError("the graph was laid out before its path was checked")

    monkeypatch.setattr(graph, "_positions", drawn)
    for path, error in ((tmp_path / "g.xyz", "path must name a .png, .pdf, .svg file"),
                        (tmp_path, "is a folder; expected a .png, .pdf, .svg file path")):
        with pytest.raises((ValueError, IsADirectoryError), match=error):
            plot_relation_graph(EI, W, path=path)
        with pytest.raises((ValueError, IsADirectoryError), match=error):
            V.plot_anomaly_scores({"v": [0.1, 0.2]}, path=path)
    assert not plt.get_fignums() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, kwargs, match", [
    ((EI.numpy(), W.numpy()[:3]), {}, "edge_weight must have one value per edge: 7 edges"),
    ((EI, W.clone().fill_(float("nan"))), {}, "edge_weight contains 7 NaN or Inf"),
    ((EI, W), {"top_k": 0}, "top_k must be a positive int or None, got 0"),  # was no edge
])
def test_select_edges_checks_what_it_is_given(args, kwargs, match):
    # an IndexError from inside, NaN weights passed through, top_k=0 kept nothing
    with pytest.raises(ValueError, match=match):
        select_edges(*args, **kwargs)


def test_a_fused_graph_of_a_batch_ordered_by_label_keeps_each_graph_one_block():
    from pyg_fusion.nn import FusedGraph
    ring = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 0]])
    fused = FusedGraph(8, batch=torch.tensor([0, 0, 0, 0, 1, 1, 1, 1]),
                       edge_index=torch.cat([ring, ring + 4], 1), edge_weight=torch.ones(8))
    fig = plot_adjacency(fused, labels=torch.tensor([0, 1, 0, 1, 0, 1, 0, 1]))
    img = np.asarray(fig.axes[0].get_images()[0].get_array())
    assert not img[:4, 4:].any() and not img[4:, :4].any() and img.sum() == 8


def test_the_temporal_layout_of_a_fused_graph_of_a_batch_keeps_each_graph_together():
    from pyg_fusion.nn import FusedGraph
    fused = FusedGraph(6, batch=torch.tensor([0, 0, 0, 1, 1, 1]),
                       edge_index=torch.tensor([[0, 3], [1, 4]]), edge_weight=torch.ones(2))
    fig = plot_relation_graph(fused, layout="temporal", time=torch.tensor([0, 1, 2, 0, 1, 2]))
    nodes = [c for c in fig.axes[0].collections if c.get_gid() == "nodes"][0]
    assert nodes.get_offsets()[:, 0].tolist() == [0, 1, 2, 3, 4, 5]
