"""The plotting functions called as a user would, with an argument of the
wrong kind: refused with its name and what was expected, never drawn as
something else."""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from pyg_fusion.visualize import (plot_adjacency, plot_anomaly_scores, plot_pq_sensitivity,
                                  plot_results)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _loss_grid():
    return [{"P": p, "Q": q, "metric": "val_loss", "mean": 0.5 + 0.01 * p * q, "std": 0.0}
            for p in (1, 2) for q in (1, 2)]


@pytest.mark.parametrize("value", ["False", "no", 0.0, 1])
def test_higher_is_better_is_a_bool(value):
    # "False" is truthy: the highest loss (P = Q = 2) was framed as the best
    with pytest.raises(TypeError, match=f"higher_is_better must be True, False or None, "
                                        f"got {value!r}"):
        plot_pq_sensitivity(_loss_grid(), kind="heatmap", higher_is_better=value)
    assert not plt.get_fignums()


@pytest.mark.parametrize("flag, corner", [(False, (-0.5, -0.5)), (np.bool_(True), (0.5, 0.5))])
def test_higher_is_better_frames_the_cell_it_says(flag, corner):
    fig = plot_pq_sensitivity(_loss_grid(), kind="heatmap", higher_is_better=flag)
    (best, ) = [p for a in fig.axes for p in a.patches if p.get_gid() == "best"]
    assert tuple(map(float, best.get_xy())) == corner


@pytest.mark.parametrize("threshold", ["0.5", math.nan, math.inf, True, torch.ones(2)])
def test_a_threshold_is_a_finite_number(threshold):
    # '0.5' was drawn as a category of its own, NaN drew no line at all
    with pytest.raises(ValueError, match="threshold must be a finite number or None"):
        plot_anomaly_scores({"v": [0.1, 0.2]}, threshold=threshold)


def test_a_threshold_may_be_a_numpy_number():
    fig = plot_anomaly_scores({"v": [0.1, 0.2]}, threshold=np.float32(0.5))
    (line, ) = [ln for ln in fig.axes[0].lines if ln.get_label() == "threshold"]
    assert list(line.get_ydata()) == [0.5, 0.5]


def test_one_metric_may_be_named_by_a_string():
    # list("accuracy") asked for the panels 'a', 'c', 'c', 'u', ...
    records = [{"dataset": "d", "setting": "s", "method": m, "metric": metric, "mean": v,
                "std": 0.0, "values": [v]}
               for m, v in (("lego", 0.8), ("mlp", 0.7)) for metric in ("accuracy", "auc")]
    fig = plot_results(records, metrics="auc")
    assert [a.get_title().split("\n")[0] for a in fig.axes if a.patches] == ["auc"]


def test_ax_of_another_kind_is_named():
    # "ax must be 1 matplotlib Axes ..., got 1" for a string: it was one thing
    with pytest.raises(ValueError, match=r"ax must be 1 matplotlib Axes .* got str$"):
        plot_adjacency({"R": torch.rand(4, 4)}, ax="left")


@pytest.mark.parametrize("path", [3, b"x.png"])
def test_a_path_of_another_kind_is_named(path):
    # pathlib's "expected str, bytes or os.PathLike object, not int"
    with pytest.raises(TypeError, match="path must be a str or os.PathLike, got "):
        plot_adjacency({"R": torch.rand(4, 4)}, path=path)


@pytest.mark.parametrize("count", [2, 3, 4])
def test_powers_as_a_list_of_matrices_whatever_their_number(count):
    # four [N, N] matrices were drawn, two or three were read as a sparse
    # (edge_index, edge_attr) pair: "edge_index must have shape [2, E]"
    from pyg_fusion.visualize import plot_power_expansion
    mats = [torch.rand(5, 5) for _ in range(count)]
    from_list = plot_power_expansion({"a": mats})
    from_stack = plot_power_expansion({"a": torch.stack(mats)})
    images = [[im.get_array().tolist() for a in f.axes for im in a.images]
              for f in (from_list, from_stack)]
    assert len(images[0]) == count and images[0] == images[1]


def test_powers_as_an_edge_list_of_two_nodes_stay_sparse():
    from pyg_fusion.visualize import plot_power_expansion
    edge_index = torch.tensor([[0, 1], [1, 0]])
    fig = plot_power_expansion({"a": (edge_index, torch.ones(2, 2))})
    assert len([im for a in fig.axes for im in a.images]) == 2


_EDGES = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4]])


@pytest.mark.parametrize("size", [-3, 0, math.nan, "40", True])
def test_node_size_is_a_positive_number(size):
    # -3 drew no node (numpy's "invalid value encountered in sqrt" only)
    from pyg_fusion.visualize import plot_relation_graph
    with pytest.raises(ValueError, match="node_size must be a positive number"):
        plot_relation_graph(_EDGES, node_size=size)


@pytest.mark.parametrize("seed", ["x", 1.5, True])
def test_the_layouts_seed_is_an_int(seed):
    # networkx: "x cannot be used to create a numpy.random.RandomState ..."
    from pyg_fusion.visualize import plot_relation_graph
    with pytest.raises(TypeError, match="seed must be an int or None"):
        plot_relation_graph(_EDGES, seed=seed)


def test_node_size_and_seed_of_numpy_types_are_taken():
    from pyg_fusion.visualize import plot_relation_graph
    fig = plot_relation_graph(_EDGES, node_size=np.float32(50.0), seed=np.int64(3))
    (nodes, ) = [c for c in fig.axes[0].collections if c.get_gid() == "nodes"]
    assert list(nodes.get_sizes()) == [50.0]


@pytest.mark.parametrize("call, flag", [
    (lambda v: plot_adjacency({"R": torch.rand(4, 4)}, shared_scale=v), "shared_scale"),
    (lambda v: plot_adjacency({"R": torch.rand(4, 4)}, show_diagonal=v), "show_diagonal"),
    (lambda v: plot_adjacency({"R": torch.rand(4, 4)}, robust=v), "robust"),
    (lambda v: __import__("pyg_fusion.visualize", fromlist=["x"]).plot_relation_graph(
        _EDGES, arrows=v), "arrows"),
    (lambda v: __import__("pyg_fusion.visualize", fromlist=["x"]).plot_fusion_operator(
        torch.rand(2, 2), annotate=v), "annotate"),
])
def test_a_flag_given_as_a_string_is_refused_by_name(call, flag):
    # "False" is truthy: arrows="False" drew arrows, robust="no" clipped the scale
    with pytest.raises(TypeError, match=f"^{flag} must be True(,| or) False"):
        call("False")
    assert not plt.get_fignums()
    call(np.bool_(False))  # numpy's bools are bools


@pytest.mark.parametrize("ncols", ["x", 2.7, True])
def test_ncols_is_an_int(ncols):
    with pytest.raises(TypeError, match="ncols must be an int or None"):
        plot_adjacency({"R": torch.rand(4, 4), "S": torch.rand(4, 4)}, ncols=ncols)


def test_ncols_is_clipped_to_the_panels_as_documented():
    fig = plot_adjacency({"R": torch.rand(4, 4), "S": torch.rand(4, 4)}, ncols=np.int64(9))
    assert len([a for a in fig.axes if a.images]) == 2


def test_counts_of_numpy_integer_types_are_taken():
    # np.int64 (a count read from an array) was "must be a positive int, got 4"
    from pyg_fusion.visualize import plot_relation_graph
    fig = plot_anomaly_scores({"v": [0.1, 0.9]}, {"v": [0] * 4 + [1] * 4},
                              frames_per_snippet=np.int64(4), max_videos=np.int64(1))
    assert fig.axes
    assert plot_relation_graph(_EDGES, top_k=np.int64(1)).axes
    for bad in ({"frames_per_snippet": True}, {"max_videos": True}):
        with pytest.raises(ValueError, match=f"{next(iter(bad))} must be"):
            plot_anomaly_scores({"v": [0.1, 0.9]}, **bad)
