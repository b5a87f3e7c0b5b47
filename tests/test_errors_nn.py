"""Bad inputs to pyg_fusion.nn (LEGO and its fusion, the heads, the
baselines): each gives a clear error naming the argument (or a defined,
checked behaviour); see tests/bad_inputs.py. AsymFusion's layers:
tests/test_errors_asym.py; pyg_fusion.data: tests/test_errors_data.py."""
import torch
from torch_geometric.loader import DataLoader

from bad_inputs import Case, Defined, case_tests
import pyg_fusion.functional as FN
from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import (LEGO, DegreeVarianceLoss, FusedGraph, GraphHead, GraphPowerExpansion,
                           LabelPropagationHead, LEGOFusion, RelationGraph, RowHead)
from pyg_fusion.nn.baselines import MTN, feature_fuse, graph_fuse_dense, graph_fuse_sparse

g = torch.Generator().manual_seed(0)
XA = torch.randn(6, 3, generator=g)
XB = torch.randn(6, 5, generator=g)
B = torch.tensor([0, 0, 0, 1, 1, 1])
UNSORTED = torch.tensor([0, 1, 0, 1, 0, 1])
EI = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 4]])
IMG = torch.randn(1, 16, 4, 4, generator=g)


def lego(backend="dense", **kw):
    torch.manual_seed(0)
    return LEGO({"a": 3, "b": 5}, 2, k=2, backend=backend, **kw).eval()


def nan(t, i=0):
    t = t.clone()
    t.view(-1)[i] = float("nan")
    return t


def _nan_projection(model: LEGO) -> LEGO:
    with torch.no_grad():
        model.proj["b"].weight[0, 0] = float("nan")
    return model


def _uneven_fused() -> FusedGraph:
    return lego()({"a": XA[:5], "b": XB[:5]}, torch.tensor([0, 0, 0, 1, 1]))


def _graphs(sizes=(3, 4), assign=False):
    out = []
    for i, n in enumerate(sizes):
        gen = torch.Generator().manual_seed(i)
        d = MultiSourceData(x_a=torch.randn(n, 3, generator=gen),
                            x_b=torch.randn(n, 5, generator=gen))
        if assign:
            d.x_f = torch.randn(2 * n, 5, generator=gen)
            d.assign_f = torch.arange(n).repeat_interleave(2)
        out.append(d)
    return out


def _plain_batch():
    # PyG's Data holding only x_<source>: no node count, so no batch vector
    from torch_geometric.data import Batch, Data
    return Batch.from_data_list([Data(x_a=XA[:3], x_b=XB[:3]), Data(x_a=XA[3:], x_b=XB[3:])])


def _dense_equals_sparse_on_loader_batch():
    batch = next(iter(DataLoader(_graphs((4, 5)), batch_size=2)))
    dense = lego("dense")(batch).to_dense()
    sparse = lego("sparse")(batch).to_dense()
    assert torch.allclose(dense, sparse, atol=1e-6)


def _sixteen_bit_sparse_equals_dense():
    # scipy's and torch's CSR products take no 16-bit floats: the sparse
    # backend multiplies in float32 and rounds back
    torch.manual_seed(0)
    x = {"a": torch.randn(24, 3), "b": torch.randn(24, 5)}
    for dtype, tol in ((torch.float16, 2e-3), (torch.bfloat16, 3e-2)):
        ref = lego("dense", prune_k=None).to(dtype)
        model = lego("sparse", prune_k=None).to(dtype)
        xs = {s: v.to(dtype).requires_grad_() for s, v in x.items()}
        out = model(xs)
        assert out.edge_weight.dtype == dtype
        out.edge_weight.float().pow(2).sum().backward()
        assert xs["a"].grad.dtype == dtype and bool(xs["a"].grad.isfinite().all())
        assert torch.allclose(ref(xs).to_dense().float(), out.to_dense().float(), atol=tol)


def _sixteen_bit_zero_rows():
    # an all-zero unit (and the dense backend's zero padding of graphs of
    # different sizes) is cosine 0 to the others, 1 to itself, in 16 bits too
    x = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.6, 0.8], [0.3, 0.1], [0.2, 0.9]])
    b = torch.tensor([0, 0, 0, 1, 1])
    ref = lego("dense", prune_k=None).double()
    for dtype in (torch.float16, torch.bfloat16):
        for backend in ("dense", "sparse"):
            got = lego(backend, prune_k=None).to(dtype)(
                {"a": x.repeat(1, 2)[:, :3].to(dtype), "b": x.repeat(1, 3)[:, :5].to(dtype)}, b)
            want = ref({"a": x.repeat(1, 2)[:, :3].double(),
                        "b": x.repeat(1, 3)[:, :5].double()}, b)
            assert bool(got.edge_weight.isfinite().all())
            assert torch.allclose(got.to_dense().double(), want.to_dense(), atol=3e-2)


def _signed_graphs_normalise_by_absolute_degrees():
    # nonneg=None keeps negative similarities: both backends divide by the
    # row sums of |R|, never by a signed sum near 0 or below it
    torch.manual_seed(0)
    x = {"a": torch.randn(7, 3, dtype=torch.float64), "b": torch.randn(7, 5, dtype=torch.float64)}
    out = {}
    for backend in ("dense", "sparse"):
        m = LEGO({"a": 3, "b": 5}, 1, nonneg=None, norm="row", backend=backend).double()
        out[backend] = m(x).to_dense()[0]
    R = {s: torch.nn.functional.normalize(v, dim=-1) @ torch.nn.functional.normalize(v, dim=-1).T
         for s, v in x.items()}
    want = R["a"] / R["a"].abs().sum(-1, keepdim=True) * R["b"] / R["b"].abs().sum(-1, keepdim=True)
    assert torch.allclose(out["dense"], want, atol=1e-12)
    assert torch.allclose(out["sparse"], want, atol=1e-12)


def _sparse_powers(sources=("a", "b")):
    rg, pe = RelationGraph(k=2), GraphPowerExpansion(2)
    return {s: pe(*rg(x, B), 6) for s, x in zip(sources, (XA, XB))}


def _dense_powers(sources=("a", "b")):
    rg, pe = RelationGraph(k=2), GraphPowerExpansion(2)
    return {s: pe.dense(rg.dense(x.view(2, 3, -1))) for s, x in zip(sources, (XA, XB, XA))}


def _label_propagation_takes_a_fused_graph():
    y = torch.rand(5, 2, generator=torch.Generator().manual_seed(0))
    for backend in ("dense", "sparse"):
        fused = lego(backend)({"a": XA[:5], "b": XB[:5]}, torch.tensor([0, 0, 0, 1, 1]))
        head = LabelPropagationHead()
        assert torch.equal(head(y, fused), head(y, fused.edge_index, fused.edge_weight))


def catalogue():
    fused = _uneven_fused()
    return [
        # LEGO
        Case("LEGO dense batch unsorted", lambda: lego("dense")({"a": XA, "b": XB}, UNSORTED),
             ValueError, r"batch must be sorted"),
        Case("LEGO sparse batch unsorted", lambda: lego("sparse")({"a": XA, "b": XB}, UNSORTED),
             ValueError, r"batch must be sorted"),
        Case("GraphPowerExpansion num_powers < 0", lambda: GraphPowerExpansion(-1),
             ValueError, r"num_powers must be >= 0, got -1"),
        Case("GraphPowerExpansion expand_features x NaN",
             lambda: GraphPowerExpansion(2).expand_features(nan(XA), EI, torch.rand(4)),
             ValueError, r"x contains 1 NaN or Inf"),
        Case("GraphPowerExpansion expand_features weights of another dtype than x",
             lambda: GraphPowerExpansion(2).expand_features(XA, EI, torch.rand(4).double()),
             TypeError, r"edge_weight is torch.float64 but x is torch.float32"),
        Case("RowHead graph NaN", lambda: RowHead(5)(nan(torch.rand(2, 5, 5))),
             ValueError, r"graph contains 1 NaN or Inf"),
        Case("RelationGraph.weights edge_index out of range",
             lambda: RelationGraph().weights(XA, torch.tensor([[0, 9], [1, 2]])),
             ValueError, r"edge_index holds node indices outside \[0, 6\)"),
        Case("LEGO integer features", lambda: lego()({"a": XA.long(), "b": XB}),
             TypeError, r"xs\['a'\] must be a floating-point tensor, got torch.int64"),
        Case("LEGO batch float", lambda: lego()({"a": XA, "b": XB}, B.float()),
             TypeError, r"batch must be torch.long"),
        Case("LEGO batch negative", lambda: lego()({"a": XA, "b": XB}, B - 1),
             ValueError, r"batch holds negative graph ids"),
        Case("LEGO batch length", lambda: lego()({"a": XA, "b": XB}, B[:5]),
             ValueError, r"batch must have one entry per node \(6\)"),
        Case("LEGO source dtype mix", lambda: lego()({"a": XA, "b": XB.double()}, B),
             TypeError, r"xs\['b'\] is torch.float64 but xs\['a'\]"),
        Case("LEGO inputs of another dtype than the model",
             lambda: lego().double()({"a": XA, "b": XB}, B),
             TypeError, r"xs\['a'\] is torch.float32 on cpu but the model's parameters are "
             r"torch.float64"),
        Case("LEGO source width", lambda: lego()({"a": XA, "b": XB[:, :4]}, B),
             ValueError, r"xs\['b'\] has width 4, the model was built for 5"),
        Case("LEGO missing source", lambda: lego()({"a": XA}, B),
             ValueError, r"xs must hold exactly the sources \['a', 'b'\]"),
        Case("LEGO NaN", lambda: lego()({"a": nan(XA), "b": XB}, B),
             ValueError, r"xs\['a'\] contains"),
        # finite inputs, NaN weights of a projection (a diverged step): the
        # error named an "x" the caller never gave
        *[Case(f"LEGO projection NaN, {backend}",
               lambda backend=backend: _nan_projection(lego(backend, proj_channels=4))(
                   {"a": XA, "b": XB}, B),
               ValueError, r"proj\['b'\]\(xs\['b'\]\), the projected features, contains 6 "
               r"NaN") for backend in ("dense", "sparse")],
        Case("LEGO sources of different N", lambda: lego()({"a": XA, "b": XB[:5]}, B),
             ValueError, r"the sources describe different numbers of units"),
        Case("LEGO assign out of range",
             lambda: LEGO({"a": 3, "f": 5}, 1, backend="sparse")(
                 {"a": XA, "f": XB}, B, assign={"f": torch.tensor([0, 1, 2, 3, 4, 9])}),
             ValueError, r"assign\['f'\] holds node ids outside \[0, 6\)"),
        Case("LEGO assign length",
             lambda: LEGO({"a": 3, "f": 5}, 1, backend="sparse")(
                 {"a": XA, "f": XB}, B, assign={"f": torch.tensor([0, 1, 2])}),
             ValueError, r"assign\['f'\] must have one entry per unit of that source \(6\)"),
        *[Case(f"LEGO assign out of graph order, {backend}",
               lambda backend=backend: LEGO({"a": 3, "f": 5}, 1, backend=backend)(
                   {"a": XA, "f": XB}, B, assign={"f": torch.tensor([3, 0, 1, 2, 4, 5])}),
               ValueError, r"batch\[assign\['f'\]\] .*assign must keep the finer units in "
               r"graph order.* must be sorted") for backend in ("dense", "sparse")],
        Case("LEGO a plain Batch without its batch vector", lambda: lego()(_plain_batch()),
             ValueError, r"the Batch holds 2 graphs but no batch vector .*MultiSourceData"),
        Case("LEGO padded mask shape",
             lambda: lego()({"a": XA.view(2, 3, 3), "b": XB.view(2, 3, 5)},
                            mask=torch.ones(2, 4, dtype=torch.bool)),
             ValueError, r"mask must have shape \[2, 3\]"),
        Case("LEGO padded mask float",
             lambda: lego()({"a": XA.view(2, 3, 3), "b": XB.view(2, 3, 5)},
                            mask=torch.ones(2, 3)),
             TypeError, r"mask must be a bool tensor"),
        Case("LEGO N = 0", lambda: lego()({"a": XA[:0], "b": XB[:0]}),
             ValueError, r"the sources hold no units \(N = 0\)"),
        Case("LEGO backend", lambda: LEGO({"a": 3}, backend="gpu"),
             ValueError, r"backend must be one of"),
        Case("LEGO data lacks a source", lambda: lego()(MultiSourceData(x_a=XA)),
             ValueError, r"the data lacks x_<source> for \['b'\]"),
        Case("LEGO xs not a dict", lambda: lego()([XA, XB]),
             TypeError, r"xs must be a dict \{source: \[N, d\] or \[B, N, d\]\} of the sources "
             r"\['a', 'b'\] or a Data, got list"),
        Case("LEGO num_powers lacks a source", lambda: LEGO({"a": 3, "b": 5}, {"a": 2}),
             ValueError, r"num_powers must be an int or give P for each of \['a', 'b'\]"),
        Case("LEGO threshold NaN (dense backend too)",
             lambda: LEGO({"a": 3, "b": 5}, threshold=float("nan"), backend="dense"),
             ValueError, r"threshold must be a finite number, got nan"),
        Case("LEGO mask with [N, d] inputs",
             lambda: lego()({"a": XA, "b": XB}, mask=torch.ones(1, 6, dtype=torch.bool)),
             ValueError, r"mask goes with padded \[B, N, d\] inputs"),
        Case("LEGO batch with padded inputs",
             lambda: lego()({"a": XA.view(2, 3, 3), "b": XB.view(2, 3, 5)}, B),
             ValueError, r"batch and batch_size go with the \[N, d\] input form"),
        Case("LEGO intersection with zeroth='ones'",
             lambda: LEGO({"a": 3, "b": 5}, support="intersection", zeroth="ones"),
             ValueError, r"support='intersection' would drop the single-source terms"),
        Case("LEGOFusion rank", lambda: LEGOFusion(["a", "b"], 2, mode="cp", rank=0),
             ValueError, r"rank must be >= 1"),
        Case("LEGOFusion mode", lambda: LEGOFusion(["a", "b"], 2, mode="tucker"),
             ValueError, r"mode must be one of"),
        # ignored without a word before: the pairwise operator has no rank, a
        # CP or full operator no pair to share A between
        Case("LEGO rank of a pairwise operator", lambda: LEGO({"a": 3, "b": 5}, rank=3),
             ValueError, r"rank=3 is the rank of the CP operator: it needs fusion='cp', "
             r"got fusion='pairwise'$"),
        Case("LEGOFusion rank of a pairwise operator",
             lambda: LEGOFusion(["a", "b"], 2, rank=3),
             ValueError, r"it needs mode='cp', got mode='pairwise'$"),
        # LEGO's operator is its fusion (its mode is the powers'): the rules
        # said mode=, naming the other argument
        Case("LEGO fusion unknown", lambda: LEGO({"a": 3, "b": 5}, fusion="tucker"),
             ValueError, r"^fusion must be one of"),
        Case("LEGO term_scale of a CP operator",
             lambda: LEGO({"a": 3, "b": 5}, fusion="cp", term_scale="mean"),
             ValueError, r"^term_scale='mean' needs fusion='pairwise' or 'full' \(a CP"),
        Case("LEGO init mean with R^0 = I", lambda: LEGO({"a": 3, "b": 5}, init="mean"),
             ValueError, r"^init='mean' needs fusion='pairwise' or 'full' and zeroth='ones'"),
        Case("LEGO shared with a CP operator",
             lambda: LEGO({"a": 3, "b": 5}, fusion="cp", shared=True),
             ValueError, r"needs fusion='pairwise', got fusion='cp'$"),
        Case("LEGOFusion shared with a CP operator",
             lambda: LEGOFusion(["a", "b"], 2, mode="cp", shared=True),
             ValueError, r"shared=True .* needs mode='pairwise'"),
        # a '.' failed in torch's ModuleDict ('module name can't contain "."');
        # a '|' made two pairs one key of A, so one shared operator: sources
        # a, a|b, b|c, c held 5 operators for their 6 pairs
        Case("LEGO source name with a dot", lambda: LEGO({"i3d.v1": 3, "clip": 5}),
             ValueError, r"in_channels must name each source by a non-empty string without "
             r"'\.' .*got 'i3d\.v1'"),
        Case("LEGO source name not a string", lambda: LEGO({0: 3, 1: 5}),
             ValueError, r"in_channels must name each source .*got 0"),
        Case("LEGOFusion source names whose pair keys collide",
             lambda: LEGOFusion(["a", "a|b", "b|c", "c"], 1),
             ValueError, r"sources must name each source .*'\|' \(it joins the names of a "
             r"pair\), got 'a\|b'"),
        Case("LEGOFusion.plan num_nodes too small (scipy read out of bounds, aborted)",
             lambda: LEGOFusion(["a", "b"], 2).plan(_sparse_powers(), 3),
             ValueError, r"powers\['a'\]\[0\] holds node indices outside \[0, 3\)"),
        Case("LEGOFusion.plan lacks a source",
             lambda: LEGOFusion(["a", "b"], 2).plan(_sparse_powers(("a", )), 6),
             ValueError, r"powers must hold exactly the sources \['a', 'b'\], got \['a'\]; it "
             r"lacks \['b'\]$"),
        Case("LEGOFusion a source it does not fuse",
             lambda: LEGOFusion(["a", "b"], 2)(_dense_powers(("a", "b", "c"))),
             ValueError, r"got \['a', 'b', 'c'\]; the model was not built for \['c'\]$"),
        Case("LEGOFusion dense and sparse powers mixed",
             lambda: LEGOFusion(["a", "b"], 2)({"a": _sparse_powers()["a"],
                                                "b": _dense_powers()["b"]}, 6),
             TypeError, r"powers must be all dense or all sparse, got \{'a': 'sparse', "),
        Case("LEGOFusion powers a list", lambda: LEGOFusion(["a", "b"], 2)(
            list(_dense_powers().values())), TypeError, r"powers must be a dict \{source: .*\} of the sources \['a', 'b'\], got list"),
        Case("LEGOFusion powers a triple",
             lambda: LEGOFusion(["a", "b"], 2)({"a": (*_sparse_powers()["a"], None),
                                                "b": _sparse_powers()["b"]}, 6),
             TypeError, r"powers\['a'\] must be dense powers .* or a pair .* got tuple of 3"),
        Case("LEGOFusion.fuse_planned of another fusion's plan",
             lambda: LEGOFusion(["c", "d"], 2).fuse_planned(
                 LEGOFusion(["a", "b"], 2).plan(_sparse_powers(), 6)),
             ValueError, r"plan must come from plan\(\) of a fusion of these options .*'c', 'd'"),
        Case("LEGO batch on another device", lambda: lego()({"a": XA, "b": XB}, B.to("meta")),
             ValueError, r"batch is on meta but xs\['a'\] on cpu"),
        # heads
        Case("GraphHead x of another dtype than the model",
             lambda: GraphHead(3, 8, 2)(XA.double(), fused.edge_index, fused.edge_weight.double()),
             TypeError, r"x is torch.float64 on cpu but the model's parameters are torch.float32"),
        Case("GraphHead graph of another dtype than x", lambda: GraphHead(3, 8, 2)(
            XA[:5], fused.edge_index, fused.edge_weight.double()),
             TypeError, r"edge_weight is torch.float64 but x is torch.float32"),
        Case("GraphHead edge_weight besides a FusedGraph",
             lambda: GraphHead(3, 8, 2)(XA[:5], fused, fused.edge_weight),
             ValueError, r"edge_weight goes with an edge_index; a FusedGraph carries"),
        Case("RowHead graph of another dtype than the model",
             lambda: RowHead(3)(torch.rand(2, 3, 3, dtype=torch.float64)),
             TypeError, r"graph is torch.float64 on cpu but the model's parameters"),
        Case("LabelPropagationHead y rows != fused graph's nodes",
             lambda: LabelPropagationHead()(torch.rand(4, 2), fused),
             ValueError, r"y has 4 rows but graph has 5 nodes"),
        Case("DegreeVarianceLoss a dense tensor",
             lambda: DegreeVarianceLoss()(fused.to_dense(), torch.tensor([0, 1])),
             TypeError, r"graph must be a FusedGraph \(the output of LEGO\), got Tensor"),
        Defined("LabelPropagationHead takes a FusedGraph", _label_propagation_takes_a_fused_graph),
        Case("RowHead graphs of different sizes", lambda: RowHead(3)(fused),
             ValueError, r"RowHead scores rows of a fixed N = 3; the graph batch holds "
                         r"graphs of \[2, 3\] nodes"),
        Case("RowHead wrong N", lambda: RowHead(4)(torch.zeros(2, 3, 3)),
             ValueError, r"RowHead expects fused graphs \[B, 4, 4\], got \(2, 3, 3\)"),
        Case("RowHead integer graph", lambda: RowHead(3)(torch.zeros(2, 3, 3, dtype=torch.long)),
             TypeError, r"graph must be a floating-point tensor"),
        Case("GraphHead width", lambda: GraphHead(4, 8, 2)(XB, EI, torch.ones(4)),
             ValueError, r"x has 5 channels .* in_channels = 4"),
        Case("GraphHead edge_index out of range",
             lambda: GraphHead(3, 8, 2)(XA[:4], EI, torch.ones(4)),
             ValueError, r"edge_index holds node indices outside \[0, 4\)"),
        Case("GraphHead edge_weight length", lambda: GraphHead(3, 8, 2)(XA, EI, torch.ones(3)),
             ValueError, r"edge_weight must have one entry per edge \(4\)"),
        Case("GraphHead NaN in x",
             lambda: GraphHead(3, 8, 2)(XA.clone().fill_(float("nan")), EI, torch.ones(4)),
             ValueError, r"x contains 18 NaN or Inf"),
        Case("LEGO features whose squares overflow float32",
             lambda: LEGO({"a": 3, "b": 5}, 1, k=2, metric="dot")({"a": XA * 1e20, "b": XB}),
             ValueError, r"xs\['a'\] holds values up to .* where the squared norms .* "
                         r"overflow torch.float32: scale the features"),
        Case("relation_graph features whose squares overflow float32",
             lambda: FN.relation_graph(XA * 1e20, k=2, metric="rbf"),
             ValueError, r"x holds values up to .* overflow torch.float32"),
        Case("GraphHead edge_weight missing", lambda: GraphHead(3, 8, 2)(XA, EI),
             ValueError, r"edge_weight is required"),
        Case("GraphHead rows != fused graph's nodes", lambda: GraphHead(3, 8, 2)(XA[:4], fused),
             ValueError, r"x has 4 rows but graph has 5 nodes"),
        Case("GraphHead x 1-D", lambda: GraphHead(3, 8, 2)(XA[0], EI, torch.ones(4)),
             ValueError, r"x must have 2 dimensions"),
        Case("GraphHead num_layers", lambda: GraphHead(3, 8, 2, num_layers=0),
             ValueError, r"num_layers must be >= 1"),
        Case("GraphHead num_layers float", lambda: GraphHead(3, 8, 2, num_layers=2.0),
             TypeError, r"num_layers must be an int, got 2.0"),
        Case("GraphHead in_channels 0", lambda: GraphHead(0, 8, 2),
             ValueError, r"in_channels must be >= 1, got 0"),
        Case("GraphHead hidden_channels negative", lambda: GraphHead(3, -1, 2),
             ValueError, r"hidden_channels must be >= 1, got -1"),
        Case("MTN dilation 0", lambda: MTN(3, 8, dilations=(1, 0)),
             ValueError, r"dilations\[1\] must be >= 1, got 0"),
        Case("MTN dilation float", lambda: MTN(3, 8, dilations=(1.5, )),
             TypeError, r"dilations\[0\] must be an int, got 1.5"),
        Case("LEGO in_channels 0", lambda: LEGO({"a": 0, "b": 3}),
             ValueError, r"in_channels\['a'\] must be >= 1, got 0"),
        Case("LEGO proj_channels 0", lambda: LEGO({"a": 3, "b": 3}, proj_channels=0),
             ValueError, r"proj_channels must be >= 1, got 0"),
        Case("DegreeVarianceLoss labels", lambda: DegreeVarianceLoss()(fused, torch.tensor([1])),
             ValueError, r"labels must have one entry per video \(2\)"),
        Case("DegreeVarianceLoss alpha NaN", lambda: DegreeVarianceLoss(alpha=float("nan")),
             ValueError, r"alpha must be a number \(or None\), got nan"),
        Case("DegreeVarianceLoss k", lambda: DegreeVarianceLoss(k=0),
             ValueError, r"k must be >= 1, got 0"),
        Case("RowHead hidden_channels 0", lambda: RowHead(4, hidden_channels=0),
             ValueError, r"hidden_channels must be >= 1, got 0"),
        Case("LabelPropagationHead scale 0", lambda: LabelPropagationHead(scale=0),
             ValueError, r"scale must be a finite number > 0"),
        Case("LabelPropagationHead alpha", lambda: LabelPropagationHead(alpha=1.0),
             ValueError, r"alpha must be in \[0, 1\), got 1.0"),
        Case("LabelPropagationHead num_layers", lambda: LabelPropagationHead(num_layers=-1),
             ValueError, r"num_layers must be >= 0, got -1"),
        Case("dense_to_edges float mask",
             lambda: FN.dense_to_edges(torch.rand(2, 3, 3), torch.ones(2, 3)),
             TypeError, r"mask must be a bool tensor, got torch.float32"),
        # "meta": a second device on any machine (CUDA and CPU tensors read alike)
        Case("graph_fuse_dense device", lambda: graph_fuse_dense(
                 [torch.rand(3, 3), torch.rand(3, 3, device="meta")], "mean"),
             ValueError, r"graphs\[1\] is on meta but graphs\[0\] on cpu"),
        Case("graph_fuse_sparse weight device", lambda: graph_fuse_sparse(
                 [(EI, torch.rand(4, device="meta"))], 5, "add"),
             ValueError, r"graphs\[0\] edge_weight is on meta but graphs\[0\] edge_index"),
        Case("feature_fuse device", lambda: feature_fuse(
                 [XA, XA.to("meta")], "add"),
             ValueError, r"xs\[1\] is on meta but xs\[0\] on cpu"),
        Defined("dense == sparse on a loader batch", _dense_equals_sparse_on_loader_batch),
        Defined("16-bit features on the sparse backend", _sixteen_bit_sparse_equals_dense),
        Defined("16-bit all-zero units and padding", _sixteen_bit_zero_rows),
        Defined("signed graphs normalise by absolute degrees",
                _signed_graphs_normalise_by_absolute_degrees),
    ]


CASES = catalogue()
test_clear_error, test_defined_behaviour = case_tests(CASES)
