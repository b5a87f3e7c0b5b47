"""One edge convention through every operator: PyG's (edge_index[0] = source,
edge_index[1] = target, messages flow source -> target) and its dense twin
adj[i, j] = weight of the edge j -> i. A directed toy graph goes through
each op; the expectations are worked out by hand in the comments."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.nn import FusedGraph, GraphHead, GraphPowerExpansion
from pyg_fusion.visualize._common import graph_to_dense
from device_checks import bitwise

# The directed path 0 -> 1 -> 2 with self loops, weights chosen distinct:
# w(0->0)=1, w(0->1)=2, w(1->1)=1, w(1->2)=3, w(2->2)=1.
EI = torch.tensor([[0, 0, 1, 1, 2],
                   [0, 1, 1, 2, 2]])
W = torch.tensor([1.0, 2.0, 1.0, 3.0, 1.0], dtype=torch.float64)
# Its operator: row i is what node i receives.
DENSE = torch.tensor([[1.0, 0.0, 0.0],
                      [2.0, 1.0, 0.0],
                      [0.0, 3.0, 1.0]], dtype=torch.float64)


def test_dense_twin_is_the_operator(device):
    ei0, w0, dense0 = EI.to(device), W.to(device), DENSE.to(device)
    assert torch.equal(F.edges_to_dense(ei0, w0)[0], dense0)
    ei, w = F.dense_to_edges(dense0)
    # sorted by target, then source: (0->0), (0->1), (1->1), (1->2), (2->2)
    assert torch.equal(ei, ei0) and torch.equal(w, w0)
    np_dense = graph_to_dense("g", (ei0, w0, 3))  # a numpy picture of a graph on any device
    assert (torch.from_numpy(np_dense) == DENSE).all()


def test_knn_graph_links_each_node_to_its_neighbours(device):
    # On a line 0, 1, 3, 10 the nearest neighbour of 0 is 1, of 1 is 0, of 3
    # is 1 and of 10 is 3: node i receives from its neighbour, so the edges
    # are 1->0, 0->1, 1->2, 2->3 (plus self loops), not their reverses.
    x = torch.tensor([[0.0], [1.0], [3.0], [10.0]], device=device)
    ei, w = F.relation_graph(x, k=1, metric="rbf")
    expected = torch.tensor([[0, 1, 0, 1, 1, 2, 2, 3],
                             [0, 0, 1, 1, 2, 2, 3, 3]], device=device)
    assert torch.equal(ei, expected)
    dense = F.dense_topk(F.dense_relation_graph(x, "rbf"), 1)
    assert torch.equal(F.edges_to_dense(ei, w)[0], dense)


def test_powers_and_feature_propagation_follow_the_edges(device):
    ei0, w0, dense0 = EI.to(device), W.to(device), DENSE.to(device)
    x = torch.tensor([[1.0], [10.0], [100.0]], dtype=torch.float64, device=device)
    expansion = GraphPowerExpansion(2, norm=None).to(device)
    out = expansion.expand_features(x, ei0, w0)
    assert out.device == x.device
    # R x: node 0 keeps 1; node 1 gets 2*1 + 10 = 12; node 2 gets 3*10 + 100 = 130
    assert out[1].view(-1).tolist() == [1.0, 12.0, 130.0]
    # R^2 x = R (R x) = [1, 2*1 + 12, 3*12 + 130]
    assert out[2].view(-1).tolist() == [1.0, 14.0, 166.0]
    idx, attr = expansion(ei0, w0, 3)
    # the 2-hop edge 0 -> 2 has weight 2 * 3 = 6; no edge 2 -> 0 exists
    pos = ((idx[0] == 0) & (idx[1] == 2)).nonzero().item()
    assert attr[pos, 2].item() == 6.0
    assert not ((idx[0] == 2) & (idx[1] == 0)).any()
    for norm in ("sym", "row", None):
        idx, attr = F.graph_powers(ei0, w0, 3, 3, norm=norm)
        dense = F.dense_graph_powers(dense0, 3, norm)
        sparse = F.edges_to_dense(idx, attr)[0].permute(2, 0, 1)
        assert torch.allclose(sparse, dense, atol=1e-12)


def test_row_normalisation_is_over_in_edges(device):
    w = F.normalize(EI.to(device), W.to(device), 3, "row")
    # node 1 receives 2 (from 0) and 1 (from itself): 2/3 and 1/3
    assert torch.allclose(w, torch.tensor([1.0, 2 / 3, 1 / 3, 3 / 4, 1 / 4],
                                          dtype=torch.float64, device=device))


def test_degrees_are_in_degrees(device):
    assert F.graph_degrees(EI.to(device), W.to(device), 3).tolist() == [1.0, 3.0, 4.0]
    assert F.dense_graph_degrees(DENSE.to(device)).tolist() == [1.0, 3.0, 4.0]


def test_graph_head_aggregates_over_in_edges(device):
    head = GraphHead(1, 1, 1, num_layers=1, dropout=0.0).to(device)
    conv = head.convs[0]
    with torch.no_grad():  # out_i = sum_j G~_ij x_j (no root term, no bias)
        conv.lin_rel.weight.fill_(1.0)
        conv.lin_rel.bias.zero_()
        conv.lin_root.weight.zero_()
    x = torch.tensor([[1.0], [10.0], [100.0]], device=device)
    out = head(x, EI.to(device), W.float().to(device)).view(-1)
    # |row sums| 1, 3, 4: node 1 gets (2*1 + 1*10)/3 = 4, node 2 (3*10 + 100)/4
    assert torch.allclose(out, torch.tensor([1.0, 4.0, 32.5], device=device))


def test_label_propagation_flows_downstream(device):
    ei0, w0 = EI.to(device), W.to(device)
    y = torch.zeros(3, 2, dtype=torch.float64, device=device)
    y[0, 0] = 1.0  # seed of class 0 at the head of the path
    y[2, 1] = 1.0  # seed of class 1 at its end
    out = F.label_propagation(y, ei0, w0, num_layers=2, alpha=0.5, symmetric=False)
    # class 1 starts at node 2, which sends to nobody: it never leaves node 2
    assert out[0, 1] == 0 and out[1, 1] == 0 and out[2, 1] > 0
    # class 0 reaches node 2 after two steps
    assert out[2, 0] > 0
    # one step by hand: D = [1, 3, 4], W~_10 = 2 / sqrt(3 * 1)
    one = F.label_propagation(y, ei0, w0, num_layers=1, alpha=0.5, symmetric=False)
    assert one[1, 0].item() == pytest.approx(0.5 * 2 / 3 ** 0.5)
    dense = F.dense_label_propagation(y, DENSE.to(device), num_layers=2, alpha=0.5,
                                      symmetric=False)
    assert torch.allclose(out, dense, atol=1e-12)


def test_coarsen_keeps_direction(device):
    # parents: {0, 1} -> 0, {2} -> 1; the edge 1 -> 2 pools to 0 -> 1
    assign = torch.tensor([0, 0, 1], device=device)
    ei, w = F.coarsen(EI.to(device), W.to(device), assign, 2)
    assert torch.equal(ei, torch.tensor([[0, 0, 1], [0, 1, 1]], device=device))
    assert w.tolist() == [4.0, 3.0, 1.0]
    assert torch.equal(F.edges_to_dense(ei, w)[0],
                       F.dense_coarsen(DENSE.to(device), assign, 2))


def test_fusion_keeps_direction_and_dense_equals_sparse(device):
    # A second directed graph on the same nodes: 2 -> 0 and self loops.
    ei_b = torch.tensor([[0, 2, 1, 2], [0, 0, 1, 2]], device=device)
    w_b = torch.tensor([1.0, 5.0, 1.0, 1.0], dtype=torch.float64, device=device)
    pa = F.graph_powers(EI.to(device), W.to(device), 3, 2, norm=None)
    pb = F.graph_powers(ei_b, w_b, 3, 2, norm=None)
    A = torch.randn(3, 3, dtype=torch.float64).to(device)
    ei, g = F.lego_fuse_sparse(*pa, *pb, A, 3)
    assert g.device == A.device
    dense = F.lego_fuse(F.dense_graph_powers(DENSE.to(device), 2, None),
                        F.dense_graph_powers(F.edges_to_dense(ei_b, w_b)[0], 2, None), A)
    assert torch.allclose(F.edges_to_dense(ei, g, max_num_nodes=3)[0], dense, atol=1e-12)
    fused = FusedGraph(num_nodes=3, dense=dense.unsqueeze(0))
    assert torch.allclose(fused.to_dense()[0], dense)
    ei_d, g_d = fused.to_sparse()
    assert torch.allclose(F.edges_to_dense(ei_d, g_d, max_num_nodes=3)[0], dense)


def test_edge_shift_moves_features_source_to_target(device):
    x = torch.arange(3 * 8, dtype=torch.float64, device=device).view(3, 8)
    ei = torch.tensor([[0, 1], [1, 2]], device=device)  # 0 -> 1 -> 2, no loops
    out = F.edge_shift(x, ei, ratio=0.125)  # 4 * 1 channels move
    assert (out[0] == 0).all()
    assert torch.equal(out[1, :4], x[0, :4]) and torch.equal(out[2, :4], x[1, :4])


def test_repeated_edges_are_one_entry_of_the_graph(device):
    """A user's edge list with a repeated edge (weights 1 and -0.5) is the
    entry 0.5 of the dense graph, as edges_to_dense sums it: every operator
    that reads edge lists sees that graph (the degrees summed |1| + |-0.5|,
    and alpha applied per copy, before)."""
    from pyg_fusion.nn import GraphHead, GraphPowerExpansion
    ei = torch.tensor([[0, 0, 1], [1, 1, 0]], device=device)
    w = torch.tensor([1.0, -0.5, 1.0], device=device)
    merged_ei = torch.tensor([[0, 1], [1, 0]], device=device)
    merged_w = torch.tensor([0.5, 1.0], device=device)
    x = torch.tensor([[1.0], [2.0]], device=device)
    for norm in ("sym", "row"):
        exp = GraphPowerExpansion(2, norm=norm).to(device)
        assert torch.allclose(exp.expand_features(x, ei, w),
                              exp.expand_features(x, merged_ei, merged_w))
        dense = F.dense_graph_powers(F.edges_to_dense(ei, w)[0], 2, norm)
        assert torch.allclose(exp.expand_features(x, ei, w)[2], dense[2] @ x)
    head = GraphHead(1, 4, 2).to(device).eval()
    assert torch.allclose(head(x, ei, w), head(x, merged_ei, merged_w), atol=1e-6)
    w2 = torch.tensor([0.4, 0.4, 1.0], device=device)
    assert torch.allclose(F.graph_degrees(ei, w2, 2, alpha=0.6),
                          F.dense_graph_degrees(F.edges_to_dense(ei, w2)[0], 0.6))


def test_coalesced_degrees_skip_the_sort_with_the_same_numbers(device):
    """A FusedGraph holds each pair once, so GraphHead sums its magnitudes
    without coalescing: the same output as from the edge list, which is
    coalesced first."""
    from pyg_fusion.functional.powers import abs_degrees
    from pyg_fusion.nn import GraphHead, LEGO
    torch.manual_seed(0)
    xs = {"a": torch.randn(40, 5).to(device), "b": torch.randn(40, 5).to(device)}
    g = LEGO({"a": 5, "b": 5}, k=4, num_powers=2, backend="sparse").to(device)(xs)
    ei, w = g.to_sparse()
    assert w.device == xs["a"].device
    with bitwise(device):  # the same sums, with and without the sort
        assert torch.equal(abs_degrees(ei, w, 40, coalesced=True), abs_degrees(ei, w, 40))
    head = GraphHead(10, 8, 3).to(device).eval()
    x = torch.cat([xs["a"], xs["b"]], -1)
    assert torch.allclose(head(x, g), head(x, ei, w), atol=1e-6)
