"""Relationship graphs (pyg_fusion.functional.relation_graph and its
similarities): against the dense reference of lego_reference.py, batched
and chunked, thresholded, the kNN search paths (PyG's, faiss's) and the
pair similarities' fast paths with their gradients."""
import numpy as np
import pytest
import torch
from pyg_fusion.functional import edges_to_dense

import pyg_fusion.functional as F
from device_checks import bitwise
from lego_reference import ref_knn, ref_powers, ref_relation
from test_lego_functional import batch_of


@pytest.mark.parametrize("metric,nonneg", [("cosine", "clamp"), ("cosine", "shift"),
                                           ("cosine", None), ("rbf", "clamp"),
                                           ("dot", None)])
def test_relation_graph_matches_reference(metric, nonneg, device):
    torch.manual_seed(0)
    x = torch.randn(9, 5, dtype=torch.float64)
    ref = ref_relation(x.numpy(), metric, nonneg)
    x = x.to(device)
    dense = F.dense_relation_graph(x, metric, nonneg)
    assert dense.device.type == device.type
    np.testing.assert_allclose(dense.cpu().numpy(), ref, atol=1e-12)
    ei, w = F.relation_graph(x, metric=metric, nonneg=nonneg)
    assert ei.device.type == w.device.type == device.type
    np.testing.assert_allclose(edges_to_dense(ei, w)[0].cpu().numpy(), ref, atol=1e-12)
    ei, w = F.relation_graph(x, k=3, metric=metric, nonneg=nonneg)
    assert ei.device.type == w.device.type == device.type
    assert ei.size(1) == 9 * 4  # k neighbours plus the self loop
    np.testing.assert_allclose(edges_to_dense(ei, w)[0].cpu().numpy(), ref_knn(ref, 3),
                               atol=1e-12)


def test_relation_graph_batched_never_links_graphs_and_chunks_agree(device):
    torch.manual_seed(1)
    sizes = [5, 1, 8, 3]
    batch = batch_of(sizes, device)
    x = torch.randn(batch.numel(), 4).to(device)
    full = F.relation_graph(x, batch, k=4)
    assert full[0].device.type == full[1].device.type == device.type
    for chunk in (1, 3, 7, 1000):
        ei, w = F.relation_graph(x, batch, k=4, chunk_size=chunk)
        assert torch.equal(ei, full[0]) and torch.allclose(w, full[1])
    ei = full[0]
    assert torch.equal(batch[ei[0]], batch[ei[1]])
    # graphs smaller than k keep every neighbour they have (in-degree: each
    # node receives from its neighbours)
    deg = torch.bincount(ei[1], minlength=batch.numel())
    expected = torch.cat([torch.full((s, ), min(4, s - 1) + 1) for s in sizes])
    assert torch.equal(deg.cpu(), expected)
    # edges sorted by target then source
    key = ei[1] * batch.numel() + ei[0]
    assert torch.all(key[1:] > key[:-1])


def test_relation_graph_threshold(device):
    torch.manual_seed(2)
    x = torch.randn(10, 3, dtype=torch.float64)
    ref = ref_relation(x.numpy())
    keep = (ref >= 0.4) | np.eye(10, dtype=bool)
    ei, w = F.relation_graph(x.to(device), threshold=0.4)
    assert ei.device.type == w.device.type == device.type
    np.testing.assert_allclose(edges_to_dense(ei, w)[0].cpu().numpy(), ref * keep,
                               atol=1e-12)
    assert ei.size(1) == int(keep.sum())


def test_defined_edge_cases(device):
    # N = 1: the self loop of weight 1
    ei, w = F.relation_graph(torch.randn(1, 4).to(device), k=3)
    assert ei.device.type == w.device.type == device.type
    assert ei.tolist() == [[0], [0]] and w.tolist() == [1.0]
    assert F.dense_relation_graph(torch.randn(1, 4).to(device)).tolist() == [[1.0]]
    # an all-zero row: similarity 0 with others, 1 with itself
    x = torch.randn(4, 3).to(device)
    x[2] = 0
    d = F.dense_relation_graph(x)
    assert d.device.type == device.type
    assert d[2].tolist() == [0.0, 0.0, 1.0, 0.0] and d[:, 2].tolist() == [0.0, 0.0, 1.0, 0.0]
    ei, w = F.relation_graph(x)
    assert torch.allclose(edges_to_dense(ei, w)[0], d)
    p = F.dense_graph_powers(d, 3)
    assert p.device.type == device.type
    # the all-zero unit is its own component: every power keeps its self loop only
    e2 = torch.tensor([0.0, 0.0, 1.0, 0.0], dtype=p.dtype, device=device)
    assert (p[:, 2] == e2).all() and (p[:, :, 2] == e2).all()
    np.testing.assert_allclose(p.cpu().numpy(), ref_powers(d.double().cpu().numpy(), 3),
                               rtol=0, atol=1e-6)


@pytest.mark.parametrize("bad,match", [
    (dict(x=torch.tensor([[0.0, float("nan")]])), "NaN"),
    (dict(x=torch.tensor([[0.0, float("inf")]])), "NaN or Inf"),
    (dict(x=torch.randn(3, 2), k=0), "k must be >= 1"),
    (dict(x=torch.zeros(0, 2)), "N = 0"),
    (dict(x=torch.randn(3, 2), metric="rbf", nonneg="shift"), "shift"),
    (dict(x=torch.randn(3, 2), metric="l1"), "metric must be one of"),
    (dict(x=torch.randn(3, 2), batch=torch.tensor([1, 0, 0])), "sorted"),
    (dict(x=torch.randn(3, 2), batch=torch.tensor([0, 0])), "one entry per unit"),
    (dict(x=torch.randint(0, 3, (3, 2))), "floating-point"),
])
def test_relation_graph_errors(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        F.relation_graph(**bad)


def test_pyg_knn_gives_the_same_graph_when_available(device):
    from pyg_fusion.functional.relation import _pyg_knn_available
    if not _pyg_knn_available():
        pytest.skip("PyG's knn_graph needs pyg-lib >= 0.6 (not installed)")
    torch.manual_seed(11)
    batch = batch_of([20, 7, 13], device)
    x = torch.randn(batch.numel(), 6).to(device)
    for metric in ("cosine", "rbf"):
        a = F.relation_graph(x, batch, k=5, metric=metric, use_pyg=True)
        b = F.relation_graph(x, batch, k=5, metric=metric, use_pyg=False)
        assert a[0].device.type == device.type
        assert torch.equal(a[0], b[0]) and torch.allclose(a[1], b[1])


def test_pyg_knn_only_when_asked_for(monkeypatch, device):
    """PyG's knn_graph orders tied neighbours as it likes: with it present
    and no faiss (a CUDA machine without faiss's GPU index), the default
    search is still the torch path, whose graph equals the dense backend's."""
    import pyg_fusion.functional.relation as R

    def no(*args, **kwargs):
        raise AssertionError("PyG's knn_graph was used without use_pyg=True")

    monkeypatch.setattr(R, "_pyg_knn_available", lambda: True)
    monkeypatch.setattr(R, "_pyg_knn_pairs", no)
    monkeypatch.setattr(R, "load_faiss", lambda: None)
    x = torch.randn(12, 4).repeat(2, 1).to(device)  # duplicated units: every neighbour tied
    ei, _ = F.relation_graph(x, k=3)
    from pyg_fusion.nn import RelationGraph
    dense = RelationGraph(k=3).dense(x)
    assert ei.device.type == dense.device.type == device.type
    assert torch.equal(F.edges_to_dense(ei, torch.ones(ei.size(1), device=device),
                                        max_num_nodes=24)[0] != 0, dense != 0)


@pytest.mark.parametrize("metric,nonneg", [("cosine", "clamp"), ("rbf", "clamp"), ("dot", None)])
def test_pair_similarity_regular_rows_equal_the_gathered_form(metric, nonneg, device):
    # kNN rows (the same count per unit) take a broadcast path: the numbers
    # and gradients must be those of the plain gather x[row], x[col].
    from pyg_fusion.functional.similarity import _rows_per_unit
    torch.manual_seed(12)
    x = torch.randn(40, 6, dtype=torch.float64).to(device).requires_grad_()
    ei, _ = F.relation_graph(x, k=5, metric=metric, nonneg=nonneg)
    ei = ei.flip(0)  # (row, col) of R: pair_similarity's arguments
    assert _rows_per_unit(ei[0], 40) == 6
    assert _rows_per_unit(ei[0][:-1], 40) is None
    shuffled = torch.randperm(ei.size(1)).to(device)
    g = torch.randn(ei.size(1), dtype=torch.float64).to(device)
    fast = F.pair_similarity(x, ei[0], ei[1], metric, nonneg)
    assert fast.device.type == device.type
    grad_fast, = torch.autograd.grad(fast, x, g)
    # The same pairs shuffled are not in row order: the gather path.
    slow = F.pair_similarity(x, ei[0, shuffled], ei[1, shuffled], metric, nonneg)
    grad_slow, = torch.autograd.grad(slow, x, g[shuffled])
    torch.testing.assert_close(fast[shuffled], slow, rtol=0, atol=1e-14)
    torch.testing.assert_close(grad_fast, grad_slow, rtol=0, atol=1e-12)


@pytest.mark.parametrize("metric", ["cosine", "dot"])
@pytest.mark.parametrize("backend", ["auto", "torch"])
def test_pair_similarity_row_blocks_gradcheck(metric, backend, monkeypatch, device):
    # backend "auto": the backward by scipy's sparse-dense products on CPU;
    # "torch": by torch's ops (on CUDA both are torch's)
    from pyg_fusion.functional import _csr, _pair_dot
    monkeypatch.setattr(_csr, "BACKEND", backend)
    monkeypatch.setattr(_pair_dot, "_ROWDOT_BLOCK", 20)  # several row blocks
    torch.manual_seed(13)
    x = torch.randn(11, 4, dtype=torch.float64).to(device).requires_grad_()
    ei, _ = F.relation_graph(x, k=3, metric=metric, nonneg=None)
    ei = ei.flip(0)  # (row, col) of R
    with bitwise(device):  # the reentrancy check: the torch backward's index_add_ on CUDA
        assert torch.autograd.gradcheck(
            lambda x: F.pair_similarity(x, ei[0], ei[1], metric, None), (x, ))
    blocked = F.pair_similarity(x, ei[0], ei[1], metric, None)
    assert blocked.device.type == device.type
    xn = torch.nn.functional.normalize(x, dim=-1) if metric == "cosine" else x
    plain = (xn[ei[0]] * xn[ei[1]]).sum(-1)
    if metric == "cosine":
        plain = torch.where(ei[0] == ei[1], torch.ones_like(plain), plain)
    torch.testing.assert_close(blocked, plain, rtol=0, atol=1e-14)


def test_unit_rows_is_normalize_with_its_gradient(device):
    # the cosine's normalisation: F.normalize's values bitwise (a zero row
    # included), its gradient to rounding (0 at the zero row, where
    # F.normalize's is 1e12 x g), gradcheck and gradgradcheck
    from pyg_fusion.functional.similarity import unit_rows
    torch.manual_seed(14)
    for dtype in (torch.float32, torch.float64):
        x = torch.randn(3, 9, 5, dtype=dtype).to(device)
        x[1, 4] = 0
        a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
        y = unit_rows(a)
        assert y.device.type == device.type
        assert torch.equal(y, torch.nn.functional.normalize(b, dim=-1))
        g = torch.randn_like(x)
        y.backward(g)
        torch.nn.functional.normalize(b, dim=-1).backward(g)
        tol = 1e-12 if dtype == torch.float64 else 1e-5
        assert bool((a.grad[1, 4] == 0).all())
        b.grad[1, 4] = 0
        torch.testing.assert_close(a.grad, b.grad, rtol=tol, atol=tol)
    x = torch.randn(6, 4, dtype=torch.float64).to(device).requires_grad_()
    assert torch.autograd.gradcheck(unit_rows, (x, ))
    assert torch.autograd.gradgradcheck(unit_rows, (x, ))


def test_faiss_gpu_index_only_within_its_selection_limit():
    """faiss's GPU indexes select at most 2048 results per query; a larger k
    stays in the torch search rather than failing inside faiss."""
    from types import SimpleNamespace

    from pyg_fusion.functional._knn import FAISS_GPU_MAX_K, faiss_gpu
    gpu_build = SimpleNamespace(StandardGpuResources=object, get_num_gpus=lambda: 1)
    assert faiss_gpu(gpu_build, FAISS_GPU_MAX_K - 2)
    assert not faiss_gpu(gpu_build, FAISS_GPU_MAX_K - 1)
    assert not faiss_gpu(SimpleNamespace(StandardGpuResources=object, get_num_gpus=lambda: 0), 4)
    assert not faiss_gpu(SimpleNamespace(), 4)  # the faiss-cpu wheel
