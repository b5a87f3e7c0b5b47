"""The graph figures given a researcher's own PyG objects: a Data with an
edge_weight of [E, 1], several Data as a dict of panels, a Data where an
array or powers are expected, and a list of graphs (a dict is asked for)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion.visualize import plot_adjacency, plot_power_expansion, plot_relation_graph

EI = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
W = torch.tensor([1.0, 2.0, 3.0, 4.0])


def _image(fig):
    (im, ) = [im for ax in fig.axes for im in ax.get_images()]
    return np.asarray(im.get_array())


def test_an_edge_weight_of_one_column_is_the_edges_weights():
    flat = plot_adjacency(Data(edge_index=EI, edge_weight=W, num_nodes=3))
    column = plot_adjacency(Data(edge_index=EI, edge_weight=W[:, None], num_nodes=3))
    try:
        np.testing.assert_array_equal(_image(column), _image(flat))
        plot_relation_graph(Data(edge_index=EI, edge_weight=W[:, None], num_nodes=3),
                            layout="circular", ax=flat.axes[0])
    finally:
        plt.close(flat)
        plt.close(column)


def test_several_data_in_a_dict_are_one_panel_each():
    first = Data(edge_index=EI, edge_weight=W, num_nodes=3)
    second = Data(edge_index=EI.flip(0), num_nodes=3)
    fig = plot_adjacency({"given": first, "reversed": second})
    try:
        images = [np.asarray(im.get_array()) for ax in fig.axes for im in ax.get_images()]
        assert len(images) == 2
        np.testing.assert_array_equal(images[0][1, 0], 1.0)  # edge 0 -> 1 at [1, 0]
        np.testing.assert_array_equal(images[1], (images[0] != 0).T.astype(float))
    finally:
        plt.close(fig)


def test_a_list_of_graphs_asks_for_a_dict():
    before = plt.get_fignums()
    with pytest.raises(TypeError, match=r"graphs is a list of graphs: .*dict"):
        plot_adjacency([(EI, W), (EI, W)])
    with pytest.raises(TypeError, match=r"graphs is a list of graphs"):
        plot_adjacency([Data(edge_index=EI, num_nodes=3)] * 2)
    assert plt.get_fignums() == before


def test_a_data_where_an_array_is_expected_is_named():
    data = Data(edge_index=EI, edge_weight=W.clone().requires_grad_(), num_nodes=3)
    # numpy iterated the Data: "holding text ('edge_index')" / a grad RuntimeError
    with pytest.raises(TypeError, match=r"powers\['m'\] is a PyG Data, a graph: .*graph_powers"):
        plot_power_expansion(data)
    with pytest.raises(TypeError, match=r"labels must be a tensor .* got a PyG Data"):
        plot_adjacency(data, labels=data)
    with pytest.raises(TypeError, match=r"graphs\['x'\] edge_index must be a \[2, E\]"):
        plot_adjacency({"x": ([[0, 1], [1]], None)})


def test_a_data_keeps_its_own_node_count_and_seeds_are_numpys():
    data = Data(edge_index=EI, num_nodes=3)
    before = plt.get_fignums()
    # num_nodes=10 was dropped without a word: the figure drew 3 nodes
    with pytest.raises(ValueError, match=r"num_nodes=10 for a Data of 3 nodes"):
        plot_relation_graph(data, num_nodes=10)
    with pytest.raises(ValueError, match=r"num_nodes=10 for a Data of 3 nodes"):
        plot_adjacency(data, num_nodes=10)
    # networkx said 'Seed must be between 0 and 2**32 - 1'
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 2\*\*32\)"):
        plot_relation_graph(data, seed=-1)
    assert plt.get_fignums() == before
    fig = plot_relation_graph(data, num_nodes=3, seed=2 ** 32 - 1)
    plt.close(fig)


def test_a_networkx_graphs_weights_are_drawn():
    import networkx as nx
    from torch_geometric.utils import from_networkx
    g = nx.Graph()
    g.add_edge(0, 1, weight=3.0)
    g.add_edge(1, 2, weight=0.5)
    g.add_nodes_from([3, 4])
    data = from_networkx(g)  # its weights as data.weight, as networkx names them
    fig = plot_adjacency(data)
    try:
        image = _image(fig)
        assert image[1, 0] == image[0, 1] == 3.0 and image[2, 1] == 0.5
    finally:
        plt.close(fig)
    # one value per node as well (4 nodes, 4 edges): which it is, is not guessed
    g.remove_node(4)
    with pytest.raises(ValueError, match=r"data.weight has one value per edge and one per node"):
        plot_relation_graph(from_networkx(g))


@pytest.mark.parametrize("key, value", [("edge_attr", [[1.0], [float("nan")]]),
                                        ("weight", [1.0, float("inf")]),
                                        ("edge_weight", [float("nan"), 1.0])])
def test_a_datas_bad_weights_are_named_by_its_own_key(key, value):
    data = Data(edge_index=torch.tensor([[0, 1], [1, 2]]), num_nodes=3)
    data[key] = torch.tensor(value)
    # 'edge_weight contains 1 NaN or Inf value(s)': an argument never given
    with pytest.raises(ValueError, match=rf"data\.{key} contains 1 NaN or Inf"):
        plot_relation_graph(data)
    with pytest.raises(ValueError, match=rf"data\.{key} contains 1 NaN or Inf"):
        plot_adjacency({"g": data})


def test_a_networkx_layout_is_taken_as_pos():
    import networkx as nx
    g = nx.path_graph(4)
    layout = nx.spring_layout(g, seed=0)  # {node: array([x, y])}
    data = Data(edge_index=torch.tensor([[0, 1, 2], [1, 2, 3]]), num_nodes=4)
    fig = plot_relation_graph(data, pos=layout)
    try:
        (nodes, ) = [c for c in fig.axes[0].collections if c.get_gid() == "nodes"]
        np.testing.assert_allclose(nodes.get_offsets(), np.stack([layout[i] for i in range(4)]))
    finally:
        plt.close(fig)
    named = nx.relabel_nodes(g, {i: "abcd"[i] for i in range(4)})
    with pytest.raises(ValueError, match=r"pos as a dict must hold .*missing \[0, 1, 2, 3\], "
                                         r"other keys \['a', 'b', 'c', 'd'\].*g\.nodes"):
        plot_relation_graph(data, pos=nx.spring_layout(named, seed=0))
