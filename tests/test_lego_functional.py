"""LEGO's functional operators after the relationship graphs: graph powers
(dense, sparse, pruned), the pairwise and CP fusions, coarsening and the
degree-variance loss, against the dense reference of lego_reference.py and
gradcheck. The relationship graphs: tests/test_lego_relation.py."""
import numpy as np
import pytest
import torch
from pyg_fusion.functional import edges_to_dense

import pyg_fusion.functional as F
from device_checks import bitwise
from lego_reference import ref_fuse, ref_knn, ref_powers, ref_relation


def batch_of(sizes, device="cpu"):
    return torch.cat([torch.full((s, ), i, dtype=torch.long) for i, s in enumerate(sizes)]
                     ).to(device)


def to_dense(edge_index, attr, batch):
    return edges_to_dense(edge_index, attr, batch)


@pytest.mark.parametrize("norm", ["sym", "row", None])
@pytest.mark.parametrize("mode", ["matrix", "hadamard"])
def test_powers_dense_sparse_reference(norm, mode, device):
    torch.manual_seed(3)
    sizes = [6, 3, 9]
    batch = batch_of(sizes, device)
    x = torch.randn(batch.numel(), 4, dtype=torch.float64).to(device)
    ei, w = F.relation_graph(x, batch, k=3)
    idx, attr = F.graph_powers(ei, w, batch.numel(), 4, norm=norm, mode=mode)
    assert idx.device.type == attr.device.type == device.type
    assert attr.shape == (idx.size(1), 5)
    assert torch.equal(batch[idx[0]], batch[idx[1]])  # block-diagonal stays so
    sparse = to_dense(idx, attr, batch).permute(0, 3, 1, 2).cpu()
    for g, s in enumerate(sizes):
        xg = x[batch == g].cpu().numpy()
        adj = ref_knn(ref_relation(xg), 3)
        ref = ref_powers(adj, 4, norm, mode)
        np.testing.assert_allclose(sparse[g, :, :s, :s].numpy(), ref, atol=1e-9)
        dense = F.dense_graph_powers(torch.from_numpy(adj).to(device), 4, norm, mode)
        assert dense.device.type == device.type
        np.testing.assert_allclose(dense.cpu().numpy(), ref, atol=1e-9)


def test_powers_float32_dense_equals_sparse(device):
    torch.manual_seed(4)
    x = torch.randn(24, 8).to(device)
    ei, w = F.relation_graph(x)
    idx, attr = F.graph_powers(ei, w, 24, 3)
    dense = F.dense_graph_powers(F.dense_relation_graph(x), 3)
    sparse = edges_to_dense(idx, attr)[0].permute(2, 0, 1)
    assert dense.device.type == sparse.device.type == device.type
    assert (dense - sparse).abs().max() < 1e-5


def test_pruned_powers_are_the_dense_twin_and_bounded(device):
    torch.manual_seed(5)
    x = torch.randn(60, 6, dtype=torch.float64).to(device)
    ei, w = F.relation_graph(x, k=5)
    idx, attr = F.graph_powers(ei, w, 60, 3, prune_k=8)
    assert idx.device.type == attr.device.type == device.type
    counts = [torch.bincount(idx[1][attr[:, p] != 0], minlength=60).max().item()
              for p in range(4)]
    assert counts[2] <= 8 and counts[3] <= 8
    dense = F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(x), 5), 3, prune_k=8)
    sparse = edges_to_dense(idx, attr)[0].permute(2, 0, 1)
    assert (dense - sparse).abs().max() < 1e-12
    exact = F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(x), 5), 3)
    # the approximation error is real but bounded by the pruned mass
    err = (exact[3] - dense[3]).abs().sum() / exact[3].abs().sum()
    assert 0 < err < 0.5


def test_powers_errors():
    ei = torch.tensor([[0, 1], [1, 0]])
    w = torch.ones(2)
    with pytest.raises(ValueError, match="num_powers must be >= 0"):
        F.graph_powers(ei, w, 2, -1)
    with pytest.raises(ValueError, match="outside"):
        F.graph_powers(ei, w, 1, 2)
    with pytest.raises(ValueError, match="one entry per edge"):
        F.graph_powers(ei, torch.ones(3), 2, 2)
    with pytest.raises(ValueError, match="empty graph"):
        F.dense_graph_powers(torch.zeros(0, 0), 2)
    with pytest.raises(ValueError, match="square"):
        F.dense_graph_powers(torch.zeros(2, 3), 2)
    with pytest.raises(ValueError, match="num_nodes must be >= 1"):
        F.graph_powers(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), 0, 2)
    with pytest.raises(ValueError, match="norm must be one of"):
        F.graph_powers(ei, w, 2, 2, norm="l2")


def test_zero_powers_is_identity(device):
    ei, attr = F.graph_powers(torch.tensor([[0, 1], [1, 0]], device=device),
                              torch.ones(2, device=device), 3, 0)
    assert ei.device.type == attr.device.type == device.type
    assert ei.tolist() == [[0, 1, 2], [0, 1, 2]] and attr[:, 0].tolist() == [1.0] * 3


@pytest.mark.parametrize("dtype,tol", [(torch.float32, 1e-5), (torch.float64, 1e-9)])
def test_fusion_dense_sparse_and_loops(dtype, tol, device):
    torch.manual_seed(6)
    sizes = [7, 4, 10]
    batch = batch_of(sizes, device)
    n = batch.numel()
    xa, xb = torch.randn(n, 5, dtype=dtype), torch.randn(n, 3, dtype=dtype)
    A = torch.randn(4, 3, dtype=dtype)
    xa, xb, A = xa.to(device), xb.to(device), A.to(device)
    pa = F.graph_powers(*F.relation_graph(xa, batch, k=3), n, 3)
    pb = F.graph_powers(*F.relation_graph(xb, batch, k=4), n, 2)
    ei, w = F.lego_fuse_sparse(*pa, *pb, A, n)
    assert ei.device.type == w.device.type == device.type
    sparse = edges_to_dense(ei, w, batch)
    for g, s in enumerate(sizes):
        m = batch == g
        ra = F.dense_topk(F.dense_relation_graph(xa[m]), 3)
        rb = F.dense_topk(F.dense_relation_graph(xb[m]), 4)
        dense = F.lego_fuse(F.dense_graph_powers(ra, 3), F.dense_graph_powers(rb, 2), A)
        assert dense.device.type == device.type
        assert (dense - sparse[g, :s, :s]).abs().max() < tol
        ref = ref_fuse(ref_powers(ref_knn(ref_relation(xa[m].double().cpu().numpy()), 3), 3),
                       ref_powers(ref_knn(ref_relation(xb[m].double().cpu().numpy()), 4), 2),
                       A.double().cpu().numpy())
        np.testing.assert_allclose(dense.double().cpu().numpy(), ref, atol=tol)


def test_cp_rank1_equals_pairwise_outer_product(device):
    torch.manual_seed(7)
    x = {m: torch.randn(12, 4, dtype=torch.float64).to(device) for m in "ab"}
    pw = {m: F.dense_graph_powers(F.dense_relation_graph(x[m]), 3) for m in "ab"}
    a, b = torch.randn(1, 4, dtype=torch.float64), torch.randn(1, 4, dtype=torch.float64)
    a, b = a.to(device), b.to(device)
    cp = F.lego_fuse_cp([pw["a"], pw["b"]], [a, b])
    pair = F.lego_fuse(pw["a"], pw["b"], a.t() @ b)
    assert cp.device.type == pair.device.type == device.type
    assert (cp - pair).abs().max() < 1e-12
    sp = {m: F.graph_powers(*F.relation_graph(x[m], k=4), 12, 3) for m in "ab"}
    ei, w = F.lego_fuse_cp_sparse([sp["a"][0], sp["b"][0]], [sp["a"][1], sp["b"][1]], [a, b], 12)
    ei2, w2 = F.lego_fuse_sparse(*sp["a"], *sp["b"], a.t() @ b, 12)
    assert ei.device.type == w.device.type == device.type
    assert torch.equal(ei, ei2) and (w - w2).abs().max() < 1e-12


def test_fusion_errors():
    p = torch.rand(4, 5, 5)
    with pytest.raises(ValueError, match=r"A must have shape \[P\+1, Q\+1\] = \[4, 4\]"):
        F.lego_fuse(p, p, torch.rand(3, 4))
    with pytest.raises(ValueError, match="same N units"):
        F.lego_fuse(p, torch.rand(4, 6, 6), torch.rand(4, 4))
    with pytest.raises(ValueError, match="NaN"):
        F.lego_fuse(p, p, torch.full((4, 4), float("nan")))
    with pytest.raises(ValueError, match=r"factors\[1\]"):
        F.lego_fuse_cp([p, p], [torch.rand(2, 4), torch.rand(3, 4)])


def _grad_inputs(device="cpu"):
    torch.manual_seed(8)
    return tuple(torch.randn(*shape, dtype=torch.float64).to(device).requires_grad_()
                 for shape in ((5, 3), (5, 4), (3, 3)))


def test_gradcheck_features_to_fusion_sparse(device):
    def sparse(xa, xb, A):
        pa = F.graph_powers(*F.relation_graph(xa, k=3), 5, 2)
        pb = F.graph_powers(*F.relation_graph(xb, k=3), 5, 2, prune_k=4)
        return F.lego_fuse_sparse(*pa, *pb, A, 5)[1]

    assert sparse(*_grad_inputs(device)).device.type == device.type
    # gradcheck runs the backward twice and wants the same bits (its
    # reentrancy check): on CUDA the backward's index_add_ adds by atomics
    with bitwise(device):
        assert torch.autograd.gradcheck(sparse, _grad_inputs(device), fast_mode=True)


def test_gradcheck_features_to_fusion_dense(device):
    def dense(xa, xb, A):
        pa = F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(xa), 3), 2)
        pb = F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(xb), 3), 2, prune_k=4)
        return F.lego_fuse(pa, pb, A)

    assert dense(*_grad_inputs(device)).device.type == device.type
    assert torch.autograd.gradcheck(dense, _grad_inputs(device), fast_mode=True)


def test_gradcheck_cp_rbf_row_hadamard(device):
    def cp(xa, xb, A):
        pa = F.graph_powers(*F.relation_graph(xa, metric="rbf"), 5, 2, norm="row")
        pb = F.graph_powers(*F.relation_graph(xb), 5, 2, mode="hadamard")
        return F.lego_fuse_cp_sparse([pa[0], pb[0]], [pa[1], pb[1]], [A, A * 2], 5)[1]

    assert cp(*_grad_inputs(device)).device.type == device.type
    with bitwise(device):  # the reentrancy check: backward by atomics on CUDA
        assert torch.autograd.gradcheck(cp, _grad_inputs(device), fast_mode=True)


def test_coarsen_matches_dense_sts(device):
    torch.manual_seed(9)
    x = torch.randn(15, 4, dtype=torch.float64).to(device)
    assign = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 4, 4], device=device)
    ei, w = F.relation_graph(x, k=4)
    dense_fine = edges_to_dense(ei, w)[0]
    for reduce in ("sum", "mean"):
        ci, cw = F.coarsen(ei, w, assign, 5, reduce)
        ref = F.dense_coarsen(dense_fine, assign, 5, reduce)
        assert ci.device.type == cw.device.type == ref.device.type == device.type
        s = np.eye(5)[assign.cpu().numpy()]
        manual = s.T @ dense_fine.cpu().numpy() @ s
        if reduce == "mean":
            size = s.sum(0)
            manual = manual / np.outer(size, size)
        np.testing.assert_allclose(edges_to_dense(ci, cw, max_num_nodes=5)[0].cpu().numpy(),
                                   manual, atol=1e-12)
        np.testing.assert_allclose(ref.cpu().numpy(), manual, atol=1e-12)
    with pytest.raises(ValueError, match="assign holds parents outside"):
        F.coarsen(ei, w, assign, 3)
    assert torch.autograd.gradcheck(lambda w: F.coarsen(ei, w, assign, 5)[1], (w.clone().requires_grad_(), ))


def test_degree_variance_loss_by_hand(device):
    deg = torch.tensor([1.0, 2.0, 3.0, 5.0, 0.5, 0.5, 4.0, 0.0], device=device)
    batch = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1], device=device)
    labels = torch.tensor([0, 1], device=device)
    loss = F.degree_variance_loss(deg, batch, labels, k=2)
    expected = (torch.tensor([1.0, 2, 3, 5]).var() - torch.tensor([4.0, 0.5]).var()) ** 2
    assert loss.device.type == device.type
    assert torch.allclose(loss.cpu(), expected)
    assert F.degree_variance_loss(deg, batch, torch.tensor([0, 0], device=device)).item() == 0
    with pytest.raises(ValueError, match="labels must have one entry per video"):
        F.degree_variance_loss(deg, batch, torch.tensor([0, 1, 1], device=device))


@pytest.mark.parametrize("prune_k", [None, 5])
@pytest.mark.parametrize("mode", ["matrix", "hadamard"])
def test_scipy_and_torch_csr_backends_agree(prune_k, mode, monkeypatch):
    # The device path (torch CSR products, sorts) run on CPU against scipy's.
    from pyg_fusion.functional import _csr
    torch.manual_seed(10)
    batch = batch_of([9, 2, 14])
    x = torch.randn(batch.numel(), 5, dtype=torch.float64)
    for ei, w in (F.relation_graph(x, batch, k=4), F.relation_graph(x, batch, threshold=0.3)):
        a = F.graph_powers(ei, w, batch.numel(), 3, prune_k=prune_k, mode=mode)
        monkeypatch.setattr(_csr, "BACKEND", "torch")
        b = F.graph_powers(ei, w, batch.numel(), 3, prune_k=prune_k, mode=mode)
        monkeypatch.setattr(_csr, "BACKEND", "auto")
        assert torch.equal(a[0], b[0])
        assert (a[1] - b[1]).abs().max() < 1e-12


@pytest.mark.parametrize("backend", ["auto", "torch"])
@pytest.mark.parametrize("mode", ["matrix", "hadamard"])
def test_pruned_powers_gradcheck(backend, mode, monkeypatch, device):
    # (on CUDA "auto" is the torch path too)
    from pyg_fusion.functional import _csr
    monkeypatch.setattr(_csr, "BACKEND", backend)
    torch.manual_seed(11)
    x = torch.randn(7, 3, dtype=torch.float64).to(device)
    ei, w = F.relation_graph(x, threshold=-0.5)
    assert F.graph_powers(ei, w, 7, 3, prune_k=3, mode=mode)[1].device.type == device.type
    with bitwise(device):  # the reentrancy check: the product's backward by atomics on CUDA
        assert torch.autograd.gradcheck(
            lambda w: F.graph_powers(ei, w, 7, 3, prune_k=3, mode=mode)[1],
            (w.clone().requires_grad_(), ))


def _star(n, device="cpu"):
    from torch_geometric.utils import coalesce
    hub = torch.zeros(n - 1, dtype=torch.long, device=device)
    leaves = torch.arange(1, n, device=device)
    ei = torch.cat([torch.stack([hub, leaves]), torch.stack([leaves, hub]),
                    torch.arange(n, device=device).repeat(2, 1)], 1)
    return coalesce(ei, num_nodes=n)


@pytest.mark.parametrize("prune_k", [None, 4])
def test_star_and_threshold_graphs_equal_the_dense_reference(prune_k, device):
    # Rows of very different lengths (one hub row holding every node).
    torch.manual_seed(12)
    star = _star(40, device)
    x = torch.randn(40, 4, dtype=torch.float64)
    graphs = [(star, torch.rand(star.size(1), dtype=torch.float64).to(device)),
              F.relation_graph(x.to(device), threshold=0.2)]
    for ei, w in graphs:
        for mode in ("matrix", "hadamard"):
            idx, attr = F.graph_powers(ei, w, 40, 3, prune_k=prune_k, mode=mode)
            assert idx.device.type == attr.device.type == device.type
            sparse = edges_to_dense(idx, attr, max_num_nodes=40)[0].permute(2, 0, 1)
            adj = edges_to_dense(ei, w, max_num_nodes=40)[0]
            dense = F.dense_graph_powers(adj, 3, mode=mode, prune_k=prune_k)
            assert (dense - sparse).abs().max() < 1e-9


def test_star_powers_keep_no_table_of_n_by_max_degree(monkeypatch, device):
    # The only padded tables of the CSR layout are the top-k tables
    # (_topk._bucket_layout): at most ~1.2x the entries of the product they
    # prune (a star's square is dense: its N^2 entries are the product, not
    # padding), never N rows by the hub's degree on top of them.
    from pyg_fusion.functional import _spgemm, _topk
    n, k = 800, 4
    cells, entries = [], []
    layout = _topk._bucket_layout
    topk = _spgemm.topk_rows

    def counted_layout(length, k, widths):
        out = layout(length, k, widths)
        cells.append(sum(rows * width for _, _, rows, width in out[2]))
        return out

    def counted_topk(ptr, col, val, k, *rank):
        entries.append(col.numel())
        return topk(ptr, col, val, k, *rank)

    monkeypatch.setattr(_topk, "_bucket_layout", counted_layout)
    monkeypatch.setattr(_spgemm, "topk_rows", counted_topk)
    star = _star(n, device)
    idx, attr = F.graph_powers(star, torch.rand(star.size(1), dtype=torch.float64).to(device),
                               n, 3, prune_k=k)
    assert idx.device.type == attr.device.type == device.type
    assert cells and sum(cells) <= 1.25 * sum(entries)
    # R^1 keeps the hub's row; every row of R^2, R^3 keeps at most k entries
    for p in (2, 3):
        assert torch.bincount(idx[1][attr[:, p] != 0], minlength=n).max() <= k












