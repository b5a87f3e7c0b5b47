"""FusedGraph: one API on both backends."""
import pytest
import torch
from torch_geometric.data import Batch

from device_checks import bitwise
from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO, FusedGraph, GraphHead


def _batch(device="cpu"):
    g = torch.Generator().manual_seed(0)
    graphs = [MultiSourceData(x_a=torch.randn(n, 3, generator=g, dtype=torch.float64),
                              x_b=torch.randn(n, 2, generator=g, dtype=torch.float64),
                              num_nodes=n)
              for n in (6, 4)]
    return Batch.from_data_list(graphs).to(device)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_both_forms_on_both_backends(backend, device):
    batch = _batch(device)
    torch.manual_seed(0)
    model = LEGO({"a": 3, "b": 2}, 2, k=2, backend=backend).double().to(device)
    g = model(batch)
    assert g.backend == backend
    ei, w = g.edge_index, g.edge_weight
    assert ei.shape == (2, w.numel())
    dense = g.to_dense()
    assert ei.device.type == w.device.type == dense.device.type == device.type
    assert g.dense_mask().device.type == device.type
    assert dense.shape == (2, 6, 6)
    # every non-zero of the dense form is an edge (the edges are G's
    # support, which may hold zeros)
    assert int((dense != 0).sum()) == int((w != 0).sum())
    bi = batch.batch[ei[1]]
    local = ei - batch.ptr[bi]
    assert torch.equal(dense[bi, local[1], local[0]], w)
    assert g.dense_mask().sum(1).tolist() == [6, 4]
    assert g.num_graphs == 2
    assert backend in repr(g)
    # both forms stay differentiable in the fusion operator: G is linear in
    # A, so the gradient of both sums is twice the sum of G at each unit A
    (w.sum() + dense.sum()).backward()
    A = model.fusion.A["a|b"]
    want = torch.zeros_like(A)
    with torch.no_grad():
        start = A.clone()
        for i in range(A.size(0)):
            for j in range(A.size(1)):
                A.zero_()
                A[i, j] = 1.0
                want[i, j] = 2 * model(batch).to_dense().sum()
        A.copy_(start)
    assert A.grad.abs().sum() > 0
    torch.testing.assert_close(A.grad, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_gradient_reaches_terms_that_are_zero_at_the_start(backend, device):
    """At the product start, entries of R_a^2 o R_b^2 outside R_a o R_b are 0
    but depend on A[2, 2]: they stay edges, so a head reading the edge list
    gets the gradient of finite differences (it was off by 0.1 when zeros
    were dropped)."""
    torch.manual_seed(0)
    xs = {"a": torch.randn(30, 8, dtype=torch.float64).to(device),
          "b": torch.randn(30, 6, dtype=torch.float64).to(device)}
    torch.manual_seed(1)
    lego = LEGO({"a": 8, "b": 6}, num_powers=2, k=3, backend=backend).double().to(device)
    head = GraphHead(8, 4, 1, num_layers=1, dropout=0.0).double().to(device)
    A = lego.fusion.A["a|b"]
    g = lego(xs)
    assert g.edge_weight.device.type == device.type
    assert bool((g.edge_weight == 0).any())  # the case under test
    grad = torch.autograd.grad(head(xs["a"], g).pow(2).sum(), A)[0]
    start = A.detach().clone()
    fd = torch.zeros_like(start)
    with torch.no_grad():
        for i in range(start.size(0)):
            for j in range(start.size(1)):
                step = torch.zeros_like(start)
                step[i, j] = 1e-6
                f = []
                for sign in (1, -1):
                    A.copy_(start + sign * step)
                    f.append(head(xs["a"], lego(xs)).pow(2).sum())
                fd[i, j] = (f[0] - f[1]) / 2e-6
        A.copy_(start)
    assert torch.allclose(grad, fd, atol=1e-6)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_empty_graphs_at_the_end_of_a_batch_count(backend, device):
    data = [MultiSourceData(x_a=torch.randn(n, 3), x_b=torch.randn(n, 2)) for n in (5, 6, 0)]
    batch = Batch.from_data_list(data).to(device)
    torch.manual_seed(0)
    model = LEGO({"a": 3, "b": 2}, 2, k=2, backend=backend).to(device)
    # two runs compared bit for bit: on CUDA the sparse sums add by atomics
    with bitwise(device):
        g = model(batch)
        flat = model({"a": batch.x_a, "b": batch.x_b}, batch.batch, batch_size=3)
        dense_g, dense_flat = g.to_dense(), flat.to_dense()
    assert dense_g.device.type == g.dense_mask().device.type == device.type
    assert g.num_graphs == 3 and dense_g.shape == (3, 6, 6)
    assert g.dense_mask().sum(1).tolist() == [5, 6, 0]
    assert flat.num_graphs == 3 and torch.equal(dense_flat, dense_g)
    with pytest.raises(ValueError, match="batch_size must be >= 2"):
        model({"a": batch.x_a, "b": batch.x_b}, batch.batch, batch_size=1)


def test_to_dense_without_batch_keeps_every_node(device):
    g = FusedGraph(num_nodes=5, edge_index=torch.tensor([[0], [1]], device=device),
                   edge_weight=torch.tensor([2.0], device=device))
    assert g.to_dense().shape == (1, 5, 5) and g.to_dense()[0, 1, 0] == 2
    assert g.to_dense().device.type == device.type
    assert g.dense_mask().device.type == device.type and g.dense_mask().sum() == 5


def test_to_sparse_of_a_dense_graph_drops_zeros(device):
    dense = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]], device=device)
    g = FusedGraph(num_nodes=2, dense=dense)
    ei, w = g.to_sparse()
    assert ei.device.type == w.device.type == g.dense_mask().device.type == device.type
    assert torch.equal(ei.cpu(), torch.tensor([[0, 1], [0, 1]])) and w.tolist() == [1.0, 2.0]


def test_repeated_pairs_of_a_user_graph_are_one_entry(device):
    # a user-built FusedGraph's repeated pairs were read as separate entries:
    # GraphHead's degree took |1| + |-0.5| for the entry 0.5 of 0 -> 1, and
    # DegreeVarianceLoss(alpha=0.5) dropped 0.3 + 0.3 as two entries below
    # alpha; both differed from the same graph's dense form, which sums them
    from pyg_fusion.nn import DegreeVarianceLoss
    ei = torch.tensor([[0, 0, 1, 1, 2, 2, 3, 2], [1, 1, 0, 1, 3, 3, 2, 2]], device=device)
    w = torch.tensor([1.0, -0.5, 0.4, 0.3, 0.3, 0.3, 0.9, 1.0], device=device)
    batch = torch.tensor([0, 0, 1, 1], device=device)
    g = FusedGraph(num_nodes=4, batch=batch, edge_index=ei, edge_weight=w)
    assert g.edge_weight.device.type == device.type
    assert g.edge_index.tolist() == [[0, 1, 1, 2, 2, 3], [1, 0, 1, 2, 3, 2]]
    assert g.edge_weight.tolist() == pytest.approx([0.5, 0.4, 0.3, 1.0, 0.6, 0.9])
    assert g.to_dense()[0, 1, 0] == 0.5 and g.to_dense()[1, 1, 0] == pytest.approx(0.6)
    dense = FusedGraph(num_nodes=4, batch=batch, dense=g.to_dense())
    torch.manual_seed(0)
    head = GraphHead(2, 3, 2, num_layers=1, dropout=0.0).to(device)
    x = torch.randn(4, 2).to(device)
    conv = head.convs[0]
    rows = torch.zeros(4, 4, device=device)  # G[i, j] = entry of j -> i, rows normalised by sum |G|
    rows[[1, 0, 1, 2, 3, 2], [0, 1, 1, 2, 2, 3]] = torch.tensor([0.5, 0.4, 0.3, 1.0, 0.6, 0.9],
                                                              device=device)
    rows = rows / rows.abs().sum(1, keepdim=True)
    want = conv.lin_rel(rows @ x) + conv.lin_root(x)
    for graph in (g, dense):
        torch.testing.assert_close(head(x, graph), want)
    # degrees over entries >= 0.5: video 0 (normal) [0, 0.5], video 1 [1.9, 0.6]
    want = ((torch.tensor([0.0, 0.5]).var() - torch.tensor([1.9, 0.6]).var()) ** 2).to(device)
    for graph in (g, dense):
        torch.testing.assert_close(DegreeVarianceLoss(alpha=0.5, k=2)(
            graph, torch.tensor([0, 1], device=device)), want)
    with pytest.raises(ValueError, match="edge_index holds"):
        FusedGraph(num_nodes=3, edge_index=ei, edge_weight=w)


def test_needs_exactly_one_form():
    with pytest.raises(ValueError, match="either edge_index"):
        FusedGraph(num_nodes=2)
    with pytest.raises(ValueError, match="edge_weight is required"):
        FusedGraph(num_nodes=2, edge_index=torch.zeros(2, 1, dtype=torch.long))


def test_print_of_the_operator_shows_its_values(device):
    model = LEGO({"a": 3, "b": 2}, 2).to(device)
    assert model.fusion.A["a|b"].device.type == device.type
    text = repr(model.fusion.A)
    assert "(a|b): [3, 3]" in text and "1." in text and "0." in text


def test_print_of_the_operator_of_a_bfloat16_or_meta_model():
    # numpy has no bfloat16 ("Got unsupported ScalarType BFloat16"), and a
    # model built on the meta device has no values to show
    model = LEGO({"a": 3, "b": 2}, 2).to(torch.bfloat16)
    with torch.no_grad():
        model.fusion.A["a|b"][0, 2] = -0.375
    text = repr(model.fusion.A)
    assert "(a|b): [3, 3]" in text and "-0.375" in text and "1." in text
    with torch.device("meta"):
        meta = LEGO({"a": 3, "b": 2}, 2, fusion="cp", rank=2)
    assert repr(meta.fusion.factors) == ("OperatorDict(\n  (a): [2, 3] (meta)\n"
                                         "  (b): [2, 3] (meta)\n)")
