import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from pyg_fusion.functional import dense_to_edges

from pyg_fusion.data import MultiSourceData
from pyg_fusion.visualize import (plot_adjacency, plot_fusion_operator,
                                  plot_power_expansion)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _images(fig):
    return [im for ax in fig.axes for im in ax.get_images()]


def _ticks(ax, axis="x"):
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in labels]


# ---------------------------------------------------------------- adjacency
def test_adjacency_orders_nodes_by_label(tmp_path):
    torch.manual_seed(0)
    n = 12
    labels = torch.tensor([2, 0, 1, 2, 0, 1, 1, 0, 2, 2, 0, 1])
    adj = torch.rand(n, n)
    fig = plot_adjacency(adj, labels=labels, path=tmp_path / "a.png")
    (im, ) = _images(fig)
    perm = np.argsort(labels.numpy(), kind="stable")
    np.testing.assert_allclose(im.get_array(), adj.numpy()[np.ix_(perm, perm)])
    drawn = labels.numpy()[perm]
    assert np.all(np.diff(drawn) >= 0)
    ax = im.axes
    assert _ticks(ax, "x") == ["0", "1", "2"] == _ticks(ax, "y")
    # each class tick sits at the centre of its block of rows
    for value, tick in zip(range(3), ax.get_yticks()):
        rows = np.flatnonzero(drawn == value)
        assert tick == pytest.approx(rows.mean())
    assert (tmp_path / "a.png").stat().st_size > 1000


def test_adjacency_panels_share_one_symmetric_scale_for_signed_graphs():
    torch.manual_seed(0)
    n = 8
    r_a = torch.rand(n, n)
    r_b = torch.rand(n, n) * 0.5
    g = torch.randn(n, n) * 2
    ei, w = dense_to_edges(r_b)
    fig = plot_adjacency({"R_a": r_a, "R_b": (ei, w), "G": g}, num_nodes=n)
    images = _images(fig)
    assert [im.axes.get_title() for im in images] == ["R_a", "R_b", "G"]
    v = float(g.abs().max())
    for im in images:
        assert im.get_clim() == pytest.approx((-v, v))
    np.testing.assert_allclose(images[1].get_array(), r_b.numpy(), rtol=1e-6)
    # one shared colour bar, not one per panel
    assert sum(ax.get_label() == "<colorbar>" for ax in fig.axes) == 1


def test_adjacency_nonneg_scale_starts_at_zero_and_time_order():
    adj = torch.rand(6, 6)
    time = torch.tensor([5.0, 4, 3, 2, 1, 0])
    fig = plot_adjacency({"R": adj}, time=time, order="time")
    (im, ) = _images(fig)
    assert im.get_clim() == pytest.approx((0.0, float(adj.max())))
    np.testing.assert_allclose(im.get_array(), adj.numpy()[::-1, ::-1])


def test_adjacency_without_diagonal_scales_on_the_rest():
    adj = torch.full((5, 5), 0.2, dtype=torch.float64) + 4 * torch.eye(5)
    adj[0, 1] = 0.5
    fig = plot_adjacency(adj, show_diagonal=False)
    (im, ) = _images(fig)
    assert np.all(np.diag(im.get_array()) == 0)
    assert im.get_clim() == pytest.approx((0.0, 0.5))
    assert float(adj[2, 2]) == 4.2  # the caller's tensor is left alone


def test_adjacency_robust_scale_ends_at_the_99th_percentile():
    adj = np.zeros((20, 20))
    adj[0, 1:] = np.linspace(0.1, 1.0, 19)
    adj[1:, 0] = np.linspace(0.1, 1.0, 19)
    adj[5, 6] = 100.0
    fig = plot_adjacency(adj, robust=True)
    (im, ) = _images(fig)
    expected = np.percentile(np.abs(adj[adj != 0]), 99)
    assert im.get_clim() == pytest.approx((0.0, expected)) and expected < 100


def test_adjacency_of_multisource_data_has_one_panel_per_source():
    torch.manual_seed(0)
    data = MultiSourceData(x_a=torch.randn(10, 3), x_b=torch.randn(10, 5),
                           y=torch.randint(0, 2, (10, )))
    fig = plot_adjacency(data, k=3)
    titles = [im.axes.get_title() for im in _images(fig)]
    assert titles == [r"$R_{\mathrm{a}}$", r"$R_{\mathrm{b}}$"]


@pytest.mark.parametrize("graphs, kwargs, match", [
    (torch.rand(3, 4), {}, "square"),
    ((torch.tensor([[0, 3], [1, 2]]), torch.ones(2)), dict(num_nodes=3), "outside"),
    ((torch.tensor([[0, 1], [1, 2]]), torch.ones(5)), {}, "one value per edge"),
    ({"a": torch.rand(3, 3), "b": torch.rand(4, 4)}, {}, "same number of nodes"),
    (torch.rand(3, 3), dict(labels=torch.tensor([0, 1])), "one entry per node"),
    (torch.rand(3, 3), dict(order=[0, 0, 1]), "permutation"),
    ({}, {}, "empty"),
    (torch.tensor([[0.0, float("inf")], [1.0, 0.0]]), {}, "NaN or Inf"),
])
def test_adjacency_bad_input(graphs, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        plot_adjacency(graphs, **kwargs)


# ---------------------------------------------------------------- powers
def _powers(n, p, seed=0):
    g = torch.Generator().manual_seed(seed)
    adj = torch.rand(n, n, generator=g)
    adj = (adj + adj.t()) / 2
    d = adj.sum(1).rsqrt()
    norm = d[:, None] * adj * d[None, :]
    out = [torch.eye(n)]
    for _ in range(p):
        out.append(out[-1] @ norm)
    return torch.stack(out)


def test_power_expansion_grid_titles_and_values(tmp_path):
    pa, pb = _powers(7, 3), _powers(7, 2, seed=1)
    fig = plot_power_expansion({"rgb": pa, "flow": pb}, path=tmp_path / "p.png")
    images = _images(fig)
    titles = [im.axes.get_title() for im in images]
    assert titles == [rf"$R_{{\mathrm{{{m}}}}}^{{{p}}}$"
                      for m, top in (("rgb", 3), ("flow", 2)) for p in range(top + 1)]
    np.testing.assert_allclose(images[0].get_array(), np.eye(7))
    np.testing.assert_allclose(images[3].get_array(), pa[3].numpy(), rtol=1e-6)
    # the unused cell of the shorter row is switched off
    assert sum(not ax.axison for ax in fig.axes) == 1


def test_power_expansion_sparse_input_matches_dense():
    pa = _powers(6, 2)
    ei, _ = dense_to_edges(torch.ones(6, 6))
    attr = pa[:, ei[1], ei[0]].t()  # [E, P+1]; [i, j] holds the edge j -> i
    fig = plot_power_expansion({"a": (ei, attr, 6)}, scale="shared")
    images = _images(fig)
    for p, im in enumerate(images):
        np.testing.assert_allclose(im.get_array(), pa[p].numpy(), rtol=1e-6)
    lo, hi = images[0].get_clim()
    assert all(im.get_clim() == (lo, hi) for im in images)


def test_power_expansion_orders_by_labels():
    pa = _powers(6, 1)
    labels = torch.tensor([1, 0, 1, 0, 1, 0])
    fig = plot_power_expansion(pa, labels=labels)
    perm = np.argsort(labels.numpy(), kind="stable")
    np.testing.assert_allclose(_images(fig)[1].get_array(),
                               pa[1].numpy()[np.ix_(perm, perm)], rtol=1e-6)


@pytest.mark.parametrize("powers, kwargs, match", [
    (torch.rand(2, 3, 4), {}, "\\[P\\+1, N, N\\]"),
    (torch.rand(3, 3), {}, "3 or 4 dimensions"),
    ({"a": torch.rand(2, 3, 3), "b": torch.rand(2, 4, 4)}, {}, "same number of nodes"),
    (torch.rand(2, 3, 3), dict(scale="log"), "scale"),
])
def test_power_expansion_bad_input(powers, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        plot_power_expansion(powers, **kwargs)


# ---------------------------------------------------------------- operator
def test_fusion_operator_colour_limits_are_symmetric(tmp_path):
    torch.manual_seed(0)
    A = {"rgb|flow": torch.randn(4, 3) + 0.7, "rgb|audio": torch.randn(4, 5) * 0.1}
    fig = plot_fusion_operator(A, path=tmp_path / "A.png")
    images = _images(fig)
    v = max(float(a.abs().max()) for a in A.values())
    for im in images:
        lo, hi = im.get_clim()
        assert lo == pytest.approx(-v) and hi == pytest.approx(v)
    ax = images[0].axes
    assert "rgb | flow" in ax.get_title()
    assert _ticks(ax, "y") == ["0", "1", "2", "3"]
    assert _ticks(ax, "x") == ["0", "1", "2"]
    assert "p (power of" in ax.get_ylabel() and "flow" in ax.get_xlabel()
    # every cell carries its value
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 12 and f"{float(A['rgb|flow'][1, 2]):.2f}" in texts


def test_fusion_operator_from_module_and_cp_factors():
    module = torch.nn.Module()
    module.fusion = torch.nn.Module()
    module.fusion.A = torch.nn.ParameterDict(
        {"a|b": torch.nn.Parameter(torch.tensor([[0.5, -2.0], [1.0, 0.0]]))})
    fig = plot_fusion_operator(module)
    (im, ) = _images(fig)
    assert im.get_clim() == pytest.approx((-2.0, 2.0))
    plt.close(fig)
    factors = [torch.randn(2, 4), torch.randn(2, 3), torch.randn(2, 4)]
    fig = plot_fusion_operator(factors, names=["i3d", "c3d", "swin"])
    images = _images(fig)
    assert len(images) == 3
    assert [im.axes.get_ylabel() for im in images] == ["r (rank)"] * 3
    assert "m = c3d" in images[1].axes.get_title()
    v = max(float(f.abs().max()) for f in factors)
    assert all(im.get_clim() == pytest.approx((-v, v)) for im in images)


@pytest.mark.parametrize("A, kwargs, match", [
    (torch.rand(4), {}, "2 or 3 dimensions"),
    ({}, {}, "empty"),
    (torch.tensor([[float("nan")]]), {}, "NaN"),
    (torch.rand(2, 2), dict(kind="tucker"), "kind"),
    ({"a|b": torch.rand(2, 2)}, dict(names=["x", "y"]), "one per panel"),
    (torch.nn.Linear(2, 2), {}, "no fusion operator"),
])
def test_fusion_operator_bad_input(A, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        plot_fusion_operator(A, **kwargs)


def test_fusion_operator_of_a_lego_model():
    from pyg_fusion.nn import LEGO
    model = LEGO({"a": 4, "b": 3, "c": 2}, num_powers={"a": 2, "b": 3, "c": 1})
    with torch.no_grad():
        for A in model.fusion.A.values():
            A.normal_()
    fig = plot_fusion_operator(model)
    images = _images(fig)
    assert [im.axes.get_title() for im in images] == [
        "$A[p, q]$: a | b", "$A[p, q]$: a | c", "$A[p, q]$: b | c"]
    for im, A in zip(images, model.fusion.A.values()):
        np.testing.assert_allclose(im.get_array(), A.detach().numpy(), rtol=1e-6)
    plt.close(fig)
    cp = LEGO({"a": 4, "b": 3}, num_powers=2, fusion="cp", rank=2)
    fig = plot_fusion_operator(cp)
    assert ["m = a" in im.axes.get_title() for im in _images(fig)] == [True, False]
    assert [im.get_array().shape for im in _images(fig)] == [(2, 3), (2, 3)]


def test_full_operator_is_drawn_as_slices_over_the_further_sources():
    from pyg_fusion.nn import LEGOFusion
    fusion = LEGOFusion(["a", "b", "c"], {"a": 1, "b": 2, "c": 2}, mode="full")
    with torch.no_grad():
        fusion.A.copy_(torch.arange(18.0).view(2, 3, 3))
    fig = plot_fusion_operator(fusion)
    images = _images(fig)
    assert len(images) == 3  # one panel per power of c
    for r, im in enumerate(images):
        np.testing.assert_array_equal(im.get_array(), fusion.A.detach()[:, :, r].numpy())
        assert f"c^{r}" in im.axes.get_title()
        assert "mathrm{b}" in im.axes.get_xlabel() and "mathrm{a}" in im.axes.get_ylabel()
    plt.close(fig)
    two = LEGOFusion(["a", "b"], 2, mode="full")
    (im, ) = _images(plot_fusion_operator(two))
    assert "a | b" in im.axes.get_title()
    plt.close("all")


def test_a_folder_as_path_is_an_error_not_a_sibling_file(tmp_path):
    """path without a suffix gets .png; an existing folder got a file
    <folder>.png written beside it."""
    from pyg_fusion.visualize import plot_adjacency
    folder = tmp_path / "figs"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder; expected a .png, .pdf, .svg file path"):
        plot_adjacency({"G": torch.rand(4, 4)}, path=folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figs"]
    plot_adjacency({"G": torch.rand(4, 4)}, path=tmp_path / "adj")
    assert (tmp_path / "adj.png").stat().st_size > 0


def test_adjacency_of_a_batch_links_no_two_graphs_and_names_the_nodes_of_an_order():
    from torch_geometric.data import Batch

    from pyg_fusion.data import MultiSourceData
    torch.manual_seed(0)
    batch = Batch.from_data_list([MultiSourceData(x_a=torch.randn(4, 3)),
                                  MultiSourceData(x_a=torch.randn(6, 3))])
    m = plot_adjacency(batch, k=3).axes[0].get_images()[0].get_array()
    assert not np.asarray(m)[:4, 4:].any() and not np.asarray(m)[4:, :4].any()
    # an explicit order: the ticks name the node each position shows
    adj = torch.zeros(4, 4)
    adj[3, 0] = 1.0                       # the edge 0 -> 3
    fig = plot_adjacency(adj, order=[3, 2, 1, 0])
    fig.canvas.draw()
    a = fig.axes[0]
    assert [t.get_text() for t in a.get_yticklabels() if t.get_text()] == ["3", "2", "1", "0"]
    assert np.argwhere(np.asarray(a.get_images()[0].get_array()) == 1).tolist() == [[0, 3]]
    # a numpy order with labels, and a video (one label for the whole graph) draw
    plot_adjacency(torch.rand(4, 4), labels=torch.tensor([1, 0, 1, 0]),
                   order=np.array([3, 2, 1, 0]))
    plot_power_expansion(torch.rand(2, 4, 4), labels=torch.tensor([1, 0, 1, 0]),
                         order=np.array([3, 2, 1, 0]))
    plot_adjacency(MultiSourceData(x_a=torch.randn(5, 3), y=torch.tensor([1])), k=2)


def test_many_classes_label_no_tick_over_another():
    """40 classes on 600 nodes: 40 tick labels of 7 pt on a 2.5-inch panel, each
    over its neighbours (y) and the 90-degree x labels into each other. Blocks
    closer than a line of text to the last labelled one now keep their boundary
    line but no label; ten classes keep all ten."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from test_results_figure import _crowded_tick_labels
    torch.manual_seed(0)
    n = 600
    for classes, kind in ((40, "adjacency"), (40, "powers"), (10, "adjacency"),
                          (10, "powers")):
        labels = torch.randint(0, classes, (n, ))
        fig = plot_adjacency(torch.rand(n, n), labels=labels) if kind == "adjacency" else \
            plot_power_expansion({"a": torch.rand(3, n, n)}, labels=labels)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels()]
        assert not any(a.overlaps(b) for a, b in zip(boxes, boxes[1:])), (classes, kind)
        assert _crowded_tick_labels(ax, renderer) == [], (classes, kind)
        shown = [t.get_text() for t in ax.get_yticklabels()]
        assert shown[0] == "0" and (len(shown) == 10 if classes == 10 else len(shown) >= 8)


@pytest.mark.parametrize("kw", [{"order": "time"},
                                {"order": "label", "labels": torch.tensor([0, 1, 0, 1])},
                                {"order": torch.tensor([3, 2, 1, 0])}])
def test_adjacency_time_of_the_wrong_length_is_refused_whatever_the_order(kw):
    # before: only order="time" read (and checked) time; a label or explicit
    # order took time stamps of another graph silently
    adj = torch.rand(4, 4)
    with pytest.raises(ValueError, match=r"^time must have one entry per node \(4\), got 7$"):
        plot_adjacency(adj, time=torch.arange(7.0), **kw)
    plot_adjacency(adj, time=torch.arange(4.0), **kw)  # the right length is drawn
    plt.close("all")
