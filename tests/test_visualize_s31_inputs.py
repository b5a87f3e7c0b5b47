"""Inputs of pyg_fusion.visualize that an audit as a user found answered
wrongly: each case gave a traceback from inside numpy / matplotlib or a
figure of nothing, where a clear error naming the argument was due."""
import matplotlib.pyplot as plt
import pytest
import torch

from pyg_fusion.visualize import plot_power_expansion


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("powers,shape", [
    # before: an empty figure (no panel), returned as a success
    (torch.ones(0, 3, 3), "(0, 3, 3)"),
    # before: IndexError: index 0 is out of bounds for axis 1 with size 0
    ((torch.tensor([[0, 1], [1, 0]]), torch.empty(2, 0)), "(2, 0)")])
def test_powers_without_a_power_are_refused(powers, shape):
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=rf"powers\['m'\] holds no power.*{shape}"):
        plot_power_expansion(powers)
    assert plt.get_fignums() == before


def test_a_path_that_cannot_be_written_is_refused_before_the_drawing(tmp_path, monkeypatch):
    # before: the figure was drawn (seconds for a large one), then save_figure
    # failed with a bare OSError that named the file, not the argument
    import errno
    import tempfile

    import importlib

    from pyg_fusion.visualize import plot_adjacency, plot_relation_graph
    drawn = []
    for module, name in (("graph", "new_figure"), ("adjacency", "new_grid")):
        monkeypatch.setattr(importlib.import_module(f"pyg_fusion.visualize.{module}"), name,
                            lambda *a, **k: drawn.append(1))
    file = tmp_path / "a_file"
    file.write_text("")
    with pytest.raises(NotADirectoryError,
                       match=rf"path '{file}/x.png' cannot be written: {file}: a file"):
        plot_relation_graph(torch.tensor([[0], [1]]), path=file / "x.png")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    target = tmp_path / "new" / "x.pdf"
    with pytest.raises(OSError, match=rf"path '{target}' cannot be written: {tmp_path}: "
                                      "Read-only file system"):
        plot_adjacency(torch.rand(3, 3), path=target)
    assert not drawn and not (tmp_path / "new").exists()


def test_fusion_operator_of_many_panels_is_refused_and_large_ones_thinly_ticked():
    # before: 200 panels made a figure 201 inches tall (a minute to draw), and
    # a [2000, 2000] panel a tick and label a cell (25 s)
    from pyg_fusion.visualize import plot_fusion_operator
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=r"A has 65 panels, more than this figure draws "
                                         r"\(64\): give a dict of the operators to draw"):
        plot_fusion_operator(torch.rand(65, 3, 3))
    assert plt.get_fignums() == before
    ax = plot_fusion_operator(torch.rand(40, 5)).axes[0]
    assert list(ax.get_yticks()) != list(range(40)) and len(ax.get_yticks()) <= 12
    assert list(ax.get_xticks()) == list(range(5))  # every power of a small side


def test_results_of_more_bars_than_a_figure_holds_are_refused_before_drawing():
    # before: 1000 methods drew a 551-inch panel (17 s), 60000 pixels across
    from pyg_fusion.visualize import plot_results
    from pyg_fusion.visualize.results import MAX_BARS
    records = [{"dataset": "d", "setting": "s", "method": f"m{i}", "metric": "acc",
                "mean": 0.5, "std": 0.0, "seeds": [0], "values": [0.5]}
               for i in range(MAX_BARS + 1)]
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=rf"results hold {MAX_BARS + 1} \(dataset, setting, "
                                         rf"method\) bars a panel, more than this figure "
                                         rf"draws \({MAX_BARS}\)"):
        plot_results(records)
    assert plt.get_fignums() == before


@pytest.mark.parametrize("graphs,message", [
    # before: "edge_weight contains 1 NaN or Inf value(s)": which of the panels?
    ({"R_a": (torch.tensor([[0, 1], [1, 0]]), torch.ones(2)),
      "G": (torch.tensor([[0, 1], [1, 0]]), torch.tensor([1.0, float("nan")]))},
     r"graphs\['G'\] edge_weight contains 1 NaN or Inf value\(s\)"),
    ({"G": (torch.tensor([[0, 1], [1, 2]]), None, 2)},
     r"graphs\['G'\] edge_index holds node indices outside \[0, 2\)"),
    ((torch.tensor([[0.0, 1.0, 2.0], [1.0, 2.0, 0.0]]), None),
     r"graphs edge_index must hold integer node indices")])
def test_adjacency_names_the_panel_of_a_bad_edge_list(graphs, message):
    from pyg_fusion.visualize import plot_adjacency
    with pytest.raises((ValueError, TypeError), match=message):
        plot_adjacency(graphs)


def test_power_expansion_names_the_source_of_a_bad_edge_index():
    ei = torch.tensor([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"powers\['b'\] edge_index holds node indices "
                                         r"outside \[0, 2\) \(min 5, max 6\)"):
        plot_power_expansion({"a": (ei, torch.rand(2, 2)), "b": (ei + 5, torch.rand(2, 2), 2)})


@pytest.mark.parametrize("path", ["", "  "])
def test_an_empty_path_is_said_to_be_empty(path):
    # before: "path '.' is a folder" (pathlib reads "" as the current folder), or
    # for blanks a file "  .png" written in the current folder
    from pyg_fusion.visualize import plot_relation_graph
    with pytest.raises(ValueError, match=rf"path is empty \('{path}'\): expected a \.png"):
        plot_relation_graph(torch.tensor([[0], [1]]), path=path)


@pytest.mark.parametrize("call", ["plot_results", "plot_sparse_vs_dense", "load_pq_grid",
                                  "load_benchmark"])
def test_an_empty_json_path_is_said_to_be_empty(call):
    # before: "results: '.' is a folder; expected the path of a JSON file"
    import pyg_fusion.visualize as V
    with pytest.raises(ValueError, match=r" is an empty path \(''\): expected the path of a "
                                         r"JSON file"):
        getattr(V, call)("")


@pytest.mark.parametrize("name,match", [
    # before: a file "figs/.png.png", a PNG "x.svg..png"
    (".png", r"path '.*/\.png' is a suffix without a file name: expected e\.g\. "
             r"'.*/figure\.png'"),
    (".SVG", r"is a suffix without a file name"),
    ("x.svg.", r"path '.*/x\.svg\.' ends with a dot"),
    ("x.", r"ends with a dot")])
def test_a_path_of_a_suffix_alone_or_a_trailing_dot_is_refused(tmp_path, name, match):
    from pyg_fusion.visualize import plot_relation_graph
    with pytest.raises(ValueError, match=match):
        plot_relation_graph(torch.tensor([[0], [1]]), path=tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    plot_relation_graph(torch.tensor([[0], [1]]), path=tmp_path / ".hidden")  # a name: PNG
    assert [p.name for p in tmp_path.iterdir()] == [".hidden.png"]


def test_the_default_spring_layout_is_refused_where_it_would_take_minutes():
    # at most 5000 nodes were laid out by spring: 151 s at 5000 nodes, 10-19 s
    # at 2000, in a call whose defaults a user expects to draw in seconds
    from pyg_fusion.visualize import plot_relation_graph
    from pyg_fusion.visualize.graph import SPRING_MAX_NODES
    n = SPRING_MAX_NODES + 1
    assert SPRING_MAX_NODES == 1000
    ring = torch.stack([torch.arange(n), (torch.arange(n) + 1) % n])
    with pytest.raises(ValueError, match=rf"the graph has {n} nodes, more than this figure "
                                         rf"draws \(1000\); use layout='circular' or "
                                         rf"'temporal', pass pos= "):
        plot_relation_graph(ring)
    angle = torch.arange(n) * (6.283 / n)  # the caller's own positions: drawn
    fig = plot_relation_graph(ring, pos=torch.stack([angle.cos(), angle.sin()], 1))
    assert len(fig.axes[0].collections) >= 1


def test_the_operators_panel_names_are_a_sequence_of_distinct_names():
    # names="a|b" was three names 'a', '|', 'b' ("names must have 1 entries ...,
    # got 3"); a name given twice drew one panel, the last operator, silently
    from pyg_fusion.visualize import plot_fusion_operator
    A = {"a|b": torch.rand(2, 2), "a|c": torch.rand(2, 2)}
    with pytest.raises(TypeError, match=r"names must be a sequence of names, got the string "
                                        r"'a\|b': pass \['a\|b'\]"):
        plot_fusion_operator(torch.rand(2, 2), names="a|b")
    with pytest.raises(ValueError, match="names must name each panel once, got 'x' 2 times"):
        plot_fusion_operator(A, names=["x", "x"])
    fig = plot_fusion_operator(A, names=["x", "y"])
    assert len([a for a in fig.axes if a.get_images()]) == 2


@pytest.mark.parametrize("call", ["plot_relation_graph", "plot_adjacency",
                                  "plot_power_expansion"])
def test_label_names_of_one_string_are_refused(call):
    # label_names="cat" named class 0 'c' and class 1 'a', indexing the string
    import pyg_fusion.visualize as V
    graph = {"plot_relation_graph": torch.tensor([[0, 1], [1, 2]]),
             "plot_adjacency": torch.rand(3, 3),
             "plot_power_expansion": torch.rand(2, 3, 3)}[call]
    labels = torch.tensor([0, 1, 1])
    with pytest.raises(TypeError, match=r"label_names must be a sequence of names or a dict "
                                        r"\{label: name\}, got the string 'cat': pass "
                                        r"\['cat'\]"):
        getattr(V, call)(graph, labels=labels, label_names="cat")
    getattr(V, call)(graph, labels=labels, label_names=["cat", "dog"])


def test_select_edges_takes_only_true_or_false_for_directed():
    # directed="no" (truthy) kept each ordered pair: both directions drawn
    from pyg_fusion.visualize import select_edges
    ei, w = torch.tensor([[0, 1], [1, 0]]), torch.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="directed must be True or False, got 'no'"):
        select_edges(ei, w, directed="no")
    edges, weights = select_edges(ei, w, directed=False)
    assert edges.tolist() == [[0, 1]] and weights.tolist() == [2.0]
