"""Bad inputs to pyg_fusion.functional: each gives a clear error naming the
argument (or a defined, checked behaviour); see tests/bad_inputs.py. The
AsymFusion exchanges: tests/test_errors_exchanges.py; label propagation:
tests/test_errors_label_prop.py."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.functional.order import locality_order
from bad_inputs import Case, Defined, case_tests

g = torch.Generator().manual_seed(0)
X = torch.randn(6, 4, generator=g)
B = torch.tensor([0, 0, 0, 1, 1, 1])
UNSORTED = torch.tensor([0, 1, 0, 1, 0, 1])
NEG = torch.tensor([-1, 0, 0, 1, 1, 1])
EI = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4]])
EW = torch.rand(4, generator=g)
ADJ = torch.rand(5, 5, generator=g)
PW = torch.rand(3, 5, 5, generator=g)            # P + 1 = 3 powers of N = 5
A = torch.zeros(3, 3)
ATTR = torch.rand(4, 3, generator=g)             # [E, P+1] on EI
DEG = torch.rand(6, generator=g)
LAB = torch.tensor([0, 1])


def nan(t, i=0):
    t = t.clone()
    t.view(-1)[i] = float("nan")
    return t


def inf(t, i=0):
    t = t.clone()
    t.view(-1)[i] = float("inf")
    return t


def _degree_loss_sorted_batch_matches_per_video():
    # the rule for batch vectors is "sorted or an error": the sorted form
    # equals the loss computed on videos in any graph order after sorting
    deg = torch.rand(8, dtype=torch.float64)
    batch = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])
    labels = torch.tensor([1, 0])
    swapped = F.degree_variance_loss(torch.cat([deg[4:], deg[:4]]), batch,
                                     torch.tensor([0, 1]))
    assert torch.allclose(F.degree_variance_loss(deg, batch, labels), swapped)


def _relation_single_node():
    ei, w = F.relation_graph(torch.randn(1, 3), k=2)
    assert ei.tolist() == [[0], [0]] and w.tolist() == [1.0]


def catalogue():
    return [
        # relation graphs
        Case("edges_to_dense batch unsorted",
             lambda: F.edges_to_dense(EI, None, torch.tensor([1, 1, 0, 0, 0])),
             ValueError, r"batch must be sorted"),
        Case("edges_to_dense node count given as batch", lambda: F.edges_to_dense(EI, EW, 5),
             TypeError, r"batch must be a torch.Tensor .*got int; a node count is max_num_nodes="),
        Case("edges_to_dense edge between graphs",
             lambda: F.edges_to_dense(torch.tensor([[0], [3]]), None,
                                      torch.tensor([0, 0, 1, 1, 1])),
             ValueError, r"edge_index links nodes of different graphs of batch"),
        Case("relation_graph batch unsorted", lambda: F.relation_graph(X, UNSORTED, k=2),
             ValueError, r"batch must be sorted.*entry 2 is 0 after 1"),
        Case("relation_graph batch float", lambda: F.relation_graph(X, B.float(), k=2),
             TypeError, r"batch must be torch.long"),
        Case("relation_graph batch negative", lambda: F.relation_graph(X, NEG, k=2),
             ValueError, r"batch holds negative graph ids"),
        Case("relation_graph batch length", lambda: F.relation_graph(X, B[:5], k=2),
             ValueError, r"batch must have one entry per unit \(6\)"),
        Case("relation_graph batch 2-D", lambda: F.relation_graph(X, B.view(2, 3), k=2),
             ValueError, r"batch must have 1 dimensions"),
        Case("relation_graph x NaN", lambda: F.relation_graph(nan(X), k=2),
             ValueError, r"x contains 1 NaN or Inf"),
        Case("relation_graph x int", lambda: F.relation_graph(X.long(), k=2),
             TypeError, r"x must be a floating-point"),
        Case("relation_graph k = 0", lambda: F.relation_graph(X, k=0),
             ValueError, r"k must be >= 1"),
        Case("relation_graph metric", lambda: F.relation_graph(X, k=2, metric="l1"),
             ValueError, r"metric must be one of"),
        Case("relation_graph x 1-D", lambda: F.relation_graph(X[0], k=2),
             ValueError, r"x must have 2 dimensions"),
        Case("relation_graph batch device/kind", lambda: F.relation_graph(X, [0] * 6, k=2),
             TypeError, r"batch must be a torch.Tensor"),
        Case("relation_graph threshold NaN",
             lambda: F.relation_graph(X, threshold=float("nan")),
             ValueError, r"threshold must be a finite number"),
        Case("dense_relation_graph mask shape",
             lambda: F.dense_relation_graph(X.view(2, 3, 4), mask=torch.ones(2, 4, dtype=torch.bool)),
             ValueError, r"mask must have shape \[2, 3\]"),
        Case("dense_relation_graph mask float",
             lambda: F.dense_relation_graph(X.view(2, 3, 4), mask=torch.ones(2, 3)),
             TypeError, r"mask must be a bool tensor"),
        Case("dense_relation_graph mask with [N, d]",
             lambda: F.dense_relation_graph(X, mask=torch.ones(1, 6, dtype=torch.bool)),
             ValueError, r"mask needs x of shape \[B, N, d\]"),
        Case("dense_relation_graph gamma", lambda: F.dense_relation_graph(X, "rbf", gamma=-1),
             ValueError, r"gamma must be a positive number"),
        Case("dense_relation_graph shift+rbf",
             lambda: F.dense_relation_graph(X, "rbf", nonneg="shift"),
             ValueError, r"nonneg='shift'"),
        Case("dense_relation_graph N = 0", lambda: F.dense_relation_graph(X[:0]),
             ValueError, r"x holds no units"),
        # powers
        Case("dense_graph_powers mask shape",
             lambda: F.dense_graph_powers(ADJ.expand(2, 5, 5), 2,
                                          mask=torch.ones(2, 4, dtype=torch.bool)),
             ValueError, r"mask must have shape \[2, 5\]"),
        Case("dense_graph_powers mask float",
             lambda: F.dense_graph_powers(ADJ.expand(2, 5, 5), 2, mask=torch.ones(2, 5)),
             TypeError, r"mask must be a bool"),
        Case("dense_graph_powers mask with [N, N]",
             lambda: F.dense_graph_powers(ADJ, 2, mask=torch.ones(1, 5, dtype=torch.bool)),
             ValueError, r"mask needs adj of shape \[B, N, N\]"),
        Case("dense_graph_powers non-square", lambda: F.dense_graph_powers(ADJ[:4], 2),
             ValueError, r"adj must be square"),
        Case("dense_graph_powers num_powers", lambda: F.dense_graph_powers(ADJ, -1),
             ValueError, r"num_powers must be >= 0"),
        Case("dense_graph_powers norm", lambda: F.dense_graph_powers(ADJ, 2, norm="l2"),
             ValueError, r"norm must be one of"),
        Case("dense_graph_powers NaN", lambda: F.dense_graph_powers(nan(ADJ), 2),
             ValueError, r"adj contains"),
        Case("graph_powers edge_index out of range",
             lambda: F.graph_powers(EI, EW, 4, 2),
             ValueError, r"edge_index holds node indices outside \[0, 4\)"),
        Case("graph_powers num_nodes 0", lambda: F.graph_powers(EI, EW, 0, 2),
             ValueError, r"num_nodes must be >= 1"),
        # "meta": a second device on any machine (a CUDA weight with CPU edges reads alike)
        Case("graph_powers edge_weight device", lambda: F.graph_powers(EI, EW.to("meta"), 5, 2),
             ValueError, r"edge_weight is on meta but edge_index on cpu"),
        Case("locality_order batch device",
             lambda: locality_order(EI, 6, B.to("meta")),
             ValueError, r"batch is on meta but edge_index on cpu"),
        Case("graph_powers edge_weight length", lambda: F.graph_powers(EI, EW[:3], 5, 2),
             ValueError, r"edge_weight must have one entry per edge \(4\)"),
        Case("graph_powers edge_index float", lambda: F.graph_powers(EI.float(), EW, 5, 2),
             TypeError, r"edge_index must be torch.long"),
        Case("graph_powers edge_index [3, E]",
             lambda: F.graph_powers(torch.zeros(3, 4, dtype=torch.long), EW, 5, 2),
             ValueError, r"edge_index must have shape \[2, E\]"),
        Case("graph_powers edge_weight NaN", lambda: F.graph_powers(EI, nan(EW), 5, 2),
             ValueError, r"edge_weight contains"),
        # pairwise fusion
        Case("lego_fuse float32 with float64 powers",
             lambda: F.lego_fuse(PW, PW.double(), A),
             TypeError, r"powers_b is torch.float64 but powers_a is torch.float32"),
        Case("lego_fuse A float64 with float32 powers",
             lambda: F.lego_fuse(PW, PW, A.double()),
             TypeError, r"A is torch.float64 but powers_a"),
        Case("lego_fuse A shape", lambda: F.lego_fuse(PW, PW, torch.zeros(2, 3)),
             ValueError, r"A must have shape \[P\+1, Q\+1\] = \[3, 3\]"),
        Case("lego_fuse powers 2-D", lambda: F.lego_fuse(PW[0], PW, A),
             ValueError, r"powers_a and powers_b must be \[\.\.\., P\+1, N, N\]"),
        Case("lego_fuse N mismatch", lambda: F.lego_fuse(PW, PW[:, :4, :4], A),
             ValueError, r"powers_a .* and powers_b .* must describe the same N"),
        Case("lego_fuse A NaN", lambda: F.lego_fuse(PW, PW, nan(A)),
             ValueError, r"A contains"),
        Case("lego_fuse powers Inf", lambda: F.lego_fuse(inf(PW), PW, A),
             ValueError, r"powers_a contains"),
        Case("lego_fuse_sparse edge_index_a out of range",
             lambda: F.lego_fuse_sparse(EI, ATTR, EI, ATTR, A, 3),
             ValueError, r"edge_index_a holds node indices outside \[0, 3\)"),
        Case("lego_fuse_sparse num_nodes too small for b",
             lambda: F.lego_fuse_sparse(EI[:, :1], ATTR[:1], EI, ATTR, A, 2),
             ValueError, r"edge_index_b holds node indices outside \[0, 2\)"),
        Case("lego_fuse_sparse num_nodes 0",
             lambda: F.lego_fuse_sparse(EI, ATTR, EI, ATTR, A, 0),
             ValueError, r"num_nodes must be >= 1"),
        Case("lego_fuse_sparse dtype mix",
             lambda: F.lego_fuse_sparse(EI, ATTR, EI, ATTR.double(), A, 5),
             TypeError, r"attr_b is torch.float64 but attr_a"),
        Case("lego_fuse_sparse attr rows",
             lambda: F.lego_fuse_sparse(EI, ATTR[:3], EI, ATTR, A, 5),
             ValueError, r"attr_a must be \[E, P\+1\] with one row per edge \(4\)"),
        Case("lego_fuse_sparse support",
             lambda: F.lego_fuse_sparse(EI, ATTR, EI, ATTR, A, 5, support="all"),
             ValueError, r"support must be one of"),
        Case("lego_fuse_sparse edge_index float",
             lambda: F.lego_fuse_sparse(EI, ATTR, EI.double(), ATTR, A, 5),
             TypeError, r"edge_index_b must be torch.long"),
        Case("lego_fuse_sparse A dtype", lambda: F.lego_fuse_sparse(EI, ATTR, EI, ATTR,
                                                                   A.double(), 5),
             TypeError, r"A is torch.float64 but attr_a"),
        # CP fusion
        Case("lego_fuse_cp powers of rank 2",
             lambda: F.lego_fuse_cp([PW[0], PW[0]], [torch.ones(1, 5)] * 2),
             ValueError, r"powers\[0\] must be \[\.\.\., P_m\+1, N, N\].*got shape \(5, 5\)"),
        Case("lego_fuse_cp powers of rank 1",
             lambda: F.lego_fuse_cp([PW, PW[0, 0]], [torch.ones(1, 3)] * 2),
             ValueError, r"powers\[1\] must be \[\.\.\., P_m\+1, N, N\]"),
        Case("lego_fuse_cp factor count",
             lambda: F.lego_fuse_cp([PW, PW], [torch.ones(1, 3)]),
             ValueError, r"factors must hold one \[R, P_m\+1\] tensor per source \(2\)"),
        Case("lego_fuse_cp factor shape",
             lambda: F.lego_fuse_cp([PW, PW], [torch.ones(1, 3), torch.ones(2, 3)]),
             ValueError, r"factors\[1\] must have shape \[R, P_m\+1\] = \[1, 3\]"),
        Case("lego_fuse_cp dtype mix",
             lambda: F.lego_fuse_cp([PW, PW.double()], [torch.ones(1, 3)] * 2),
             TypeError, r"powers\[1\] is torch.float64 but powers\[0\]"),
        Case("lego_fuse_cp no powers", lambda: F.lego_fuse_cp([], []),
             ValueError, r"powers must hold at least one source"),
        Case("lego_fuse_cp factors dtype",
             lambda: F.lego_fuse_cp([PW, PW], [torch.ones(1, 3, dtype=torch.float64)] * 2),
             TypeError, r"factors\[0\] is torch.float64 but powers\[0\]"),
        Case("lego_fuse_cp_sparse edge index out of range",
             lambda: F.lego_fuse_cp_sparse([EI, EI], [ATTR, ATTR], [torch.ones(1, 3)] * 2, 4),
             ValueError, r"edge_indices\[0\] holds node indices outside \[0, 4\)"),
        Case("lego_fuse_cp_sparse lists", lambda: F.lego_fuse_cp_sparse([EI], [ATTR, ATTR],
                                                                        [torch.ones(1, 3)], 5),
             ValueError, r"edge_indices and attrs must be non-empty lists of equal length"),
        Case("lego_fuse_cp_sparse num_nodes 0",
             lambda: F.lego_fuse_cp_sparse([EI], [ATTR], [torch.ones(1, 3)], 0),
             ValueError, r"num_nodes must be >= 1"),
        # coarsening
        Case("coarsen assign out of range",
             lambda: F.coarsen(EI, EW, torch.tensor([0, 0, 1, 1, 3]), 2),
             ValueError, r"assign holds parents outside \[0, 2\)"),
        Case("coarsen assign float",
             lambda: F.coarsen(EI, EW, torch.tensor([0., 0, 1, 1, 1]), 2),
             TypeError, r"assign must be torch.long"),
        Case("coarsen num_parents 0", lambda: F.coarsen(EI, EW, torch.zeros(5).long(), 0),
             ValueError, r"num_parents must be >= 1"),
        Case("coarsen edge_weight NaN",
             lambda: F.coarsen(EI, nan(EW), torch.tensor([0, 0, 1, 1, 1]), 2),
             ValueError, r"edge_weight contains"),
        Case("coarsen reduce", lambda: F.coarsen(EI, EW, torch.tensor([0, 0, 1, 1, 1]), 2,
                                                reduce="max"),
             ValueError, r"reduce must be one of"),
        Case("dense_coarsen NaN", lambda: F.dense_coarsen(nan(ADJ), torch.tensor([0, 0, 1, 1, 1]), 2),
             ValueError, r"adj contains 1 NaN or Inf"),
        Case("dense_coarsen Inf", lambda: F.dense_coarsen(inf(ADJ, 7), torch.tensor([0, 0, 1, 1, 1]), 2),
             ValueError, r"adj contains 1 NaN or Inf"),
        Case("dense_coarsen assign out of range",
             lambda: F.dense_coarsen(ADJ, torch.tensor([0, 0, 1, 1, 2]), 2),
             ValueError, r"assign holds parents outside \[0, 2\) \(min 0, max 2\)"),
        Case("dense_coarsen assign negative",
             lambda: F.dense_coarsen(ADJ, torch.tensor([0, -1, 1, 1, 1]), 2),
             ValueError, r"assign holds parents outside"),
        Case("dense_coarsen adj vs assign",
             lambda: F.dense_coarsen(ADJ, torch.tensor([0, 0, 1, 1]), 2),
             ValueError, r"adj must be \[N_f, N_f\] = \[4, 4\]"),
        Case("dense_coarsen reduce",
             lambda: F.dense_coarsen(ADJ, torch.tensor([0, 0, 1, 1, 1]), 2, reduce="max"),
             ValueError, r"reduce must be one of"),
        Case("dense_coarsen adj int",
             lambda: F.dense_coarsen(ADJ.long(), torch.tensor([0, 0, 1, 1, 1]), 2),
             TypeError, r"adj must be a floating-point"),
        # degree loss
        Case("degree loss N = 0",
             lambda: F.degree_variance_loss(DEG[:0], B[:0], LAB[:0], num_graphs=0),
             ValueError, r"degrees holds no nodes \(N = 0\)"),
        Case("degree loss batch unsorted", lambda: F.degree_variance_loss(DEG, UNSORTED, LAB),
             ValueError, r"batch must be sorted"),
        Case("degree loss batch interleaved",
             lambda: F.degree_variance_loss(DEG, torch.tensor([0, 0, 1, 1, 0, 0]), LAB),
             ValueError, r"batch must be sorted.*entry 4 is 0 after 1"),
        Case("degree loss batch float", lambda: F.degree_variance_loss(DEG, B.double(), LAB),
             TypeError, r"batch must be torch.long"),
        Case("degree loss batch negative", lambda: F.degree_variance_loss(DEG, NEG, LAB),
             ValueError, r"batch holds negative graph ids"),
        Case("degree loss labels count",
             lambda: F.degree_variance_loss(DEG, B, torch.tensor([0, 1, 1])),
             ValueError, r"labels must have one entry per video \(2\)"),
        Case("degree loss labels values",
             lambda: F.degree_variance_loss(DEG, B, torch.tensor([0, 2])),
             ValueError, r"labels must be video labels 0 .* or 1"),
        Case("edges_to_dense negative index", lambda: F.edges_to_dense(torch.tensor([[-1], [0]])),
             ValueError, r"edge_index holds negative node indices \(min -1\); expected node "
             r"indices >= 0"),
        Case("edges_to_dense index beyond max_num_nodes",
             lambda: F.edges_to_dense(EI, EW, max_num_nodes=3),
             ValueError, r"edge_index holds node indices outside \[0, 3\)"),
        Case("edges_to_dense batch graph beyond max_num_nodes",
             lambda: F.edges_to_dense(EI, EW, torch.zeros(5, dtype=torch.long), max_num_nodes=3),
             ValueError, r"max_num_nodes=3 is smaller than a graph of batch \(5 nodes\)"),
        Case("edges_to_dense batch beyond batch_size",
             lambda: F.edges_to_dense(torch.tensor([[3], [4]]), None,
                                      torch.tensor([0, 0, 0, 1, 1]), batch_size=1),
             ValueError, r"batch_size=1 but batch holds graph 1"),
        Case("dense_shared_support_graphs sources of different N",
             lambda: F.dense_shared_support_graphs({"a": torch.rand(1, 3, 2),
                                                    "b": torch.rand(1, 4, 2)}),
             ValueError, r"xs must hold \[B, N, d_s\] padded graphs of the same B and N"),
        Case("dense_shared_support_graphs mask shape",
             lambda: F.dense_shared_support_graphs({"a": torch.rand(1, 3, 2)},
                                                   torch.ones(1, 2, dtype=torch.bool)),
             ValueError, r"mask must have shape \[1, 3\]"),
        Case("dense_to_edges not square", lambda: F.dense_to_edges(torch.ones(2, 3)),
             ValueError, r"adj must be square \[N, N\] or \[B, N, N\], got \(2, 3\)"),
        Case("edges_to_dense edge_weight length", lambda: F.edges_to_dense(EI, EW[:3]),
             ValueError, r"edge_weight must have one entry per edge \(4\), got 3"),
        Case("edges_to_dense float edge_index", lambda: F.edges_to_dense(EI.float(), EW),
             TypeError, r"edge_index must be torch.long"),
        Case("normalize edge_weight NaN", lambda: F.normalize(EI, nan(EW), 5),
             ValueError, r"edge_weight contains 1 NaN or Inf"),
        Case("normalize edge_index out of range", lambda: F.normalize(EI, EW, 4),
             ValueError, r"edge_index holds node indices outside \[0, 4\)"),
        Case("pair_similarity x NaN", lambda: F.pair_similarity(nan(X), EI[1], EI[0]),
             ValueError, r"x contains 1 NaN or Inf"),
        Case("pair_similarity x 1-D", lambda: F.pair_similarity(X[0], EI[1], EI[0]),
             ValueError, r"x must have 2 dimensions"),
        Case("pair_similarity row out of range",
             lambda: F.pair_similarity(X, EI[1] + 3, EI[0]),
             ValueError, r"row holds unit indices outside \[0, 6\)"),
        Case("pair_similarity col float", lambda: F.pair_similarity(X, EI[1], EI[0].float()),
             TypeError, r"col must be torch.long"),
        Case("pair_similarity lengths", lambda: F.pair_similarity(X, EI[1], EI[0, :2]),
             ValueError, r"row and col must have one entry per pair, got 4 and 2"),
        Case("dense_topk adj NaN", lambda: F.dense_topk(nan(ADJ), 2),
             ValueError, r"adj contains 1 NaN or Inf"),
        Case("dense_topk adj not square", lambda: F.dense_topk(ADJ[:3], 2),
             ValueError, r"adj must be square matrices"),
        Case("graph_degrees edge_weight NaN", lambda: F.graph_degrees(EI, nan(EW), 5),
             ValueError, r"edge_weight contains 1 NaN or Inf"),
        Case("degree loss k", lambda: F.degree_variance_loss(DEG, B, LAB, k=0),
             ValueError, r"k must be >= 1"),
        Case("degree loss degrees NaN", lambda: F.degree_variance_loss(nan(DEG), B, LAB),
             ValueError, r"degrees contains"),
        Case("degree loss num_graphs too small",
             lambda: F.degree_variance_loss(DEG, B, LAB[:1], num_graphs=1),
             ValueError, r"num_graphs must be >= 2"),
        Case("graph_degrees edge_index out of range", lambda: F.graph_degrees(EI, EW, 3),
             ValueError, r"edge_index holds node indices outside \[0, 3\)"),
        Case("graph_degrees edge_weight length", lambda: F.graph_degrees(EI, EW[:2], 5),
             ValueError, r"edge_weight must have one entry per edge \(4\)"),
        Case("dense_graph_degrees non-square", lambda: F.dense_graph_degrees(ADJ[:3]),
             ValueError, r"adj must be square"),
        # defined behaviours
        Defined("degree loss on sorted batches in any video order",
                _degree_loss_sorted_batch_matches_per_video),
        Defined("relation graph of one node", _relation_single_node),
        # public twins of checked operators check as their twins do
        Case("dense_normalize NaN", lambda: F.dense_normalize(nan(ADJ)),
             ValueError, r"adj contains 1 NaN or Inf"),
        Case("dense_normalize not square", lambda: F.dense_normalize(ADJ[:, :4]),
             ValueError, r"adj must be square \[\.\.\., N, N\], got \(5, 4\)"),
        Case("dense_normalize int", lambda: F.dense_normalize(ADJ.long()),
             TypeError, r"adj must be a floating-point tensor"),
        Case("dense_graph_degrees NaN (as graph_degrees' weights)",
             lambda: F.dense_graph_degrees(nan(ADJ)), ValueError, r"adj contains 1 NaN or Inf"),
        Case("shared_support_graphs a list", lambda: F.shared_support_graphs([X, X], B, k=2),
             TypeError, r"xs must be a dict source -> features, got list"),
        Case("shared_support_graphs NaN names the source",
             lambda: F.shared_support_graphs({"a": X, "b": nan(X)}, B, k=2),
             ValueError, r"xs\['b'\] contains 1 NaN or Inf"),
        Case("shared_support a non-tensor", lambda: F.shared_support({"a": X, "b": None}, k=2),
             TypeError, r"xs\['b'\] must be a torch.Tensor, got NoneType"),
        Case("dense_shared_support_graphs [N, d]",
             lambda: F.dense_shared_support_graphs({"a": X.view(2, 3, 4), "b": X}, k=2),
             ValueError, r"xs\['b'\] must have 3 dimensions"),
    ]


CASES = catalogue()
test_clear_error, test_defined_behaviour = case_tests(CASES)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("where", [0, 7, -1])
def test_finiteness_check_finds_every_non_finite_value(dtype, bad, where):
    # the check reads the extremes (aminmax): NaN and +-Inf anywhere are found
    from pyg_fusion.functional._checks import check_finite
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(0)).to(dtype)
    assert check_finite("x", x) is x
    x.view(-1)[where] = bad
    with pytest.raises(ValueError, match=r"x contains 1 NaN or Inf value"):
        check_finite("x", x)
    assert check_finite("x", torch.empty(0, 4, dtype=dtype)).numel() == 0
