"""The CSR product ``topk_rows(A @ B)`` (pyg_fusion.functional._spgemm): its
backward (._spgemm_backward), which enumerates the forward's candidates block
by block, against gradcheck and against autograd of the dense product, on
both backends, every device and with workspaces small enough to take many
blocks and chunks."""
import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from torch_geometric.utils.sparse import index2ptr, ptr2index

from pyg_fusion.functional import _csr, _spgemm, _spgemm_backward
from pyg_fusion.functional._spgemm import spgemm_topk

from device_checks import bitwise


@pytest.fixture(params=["auto", "torch"])
def backend(request, monkeypatch):
    monkeypatch.setattr(_csr, "BACKEND", request.param)
    return request.param


@pytest.fixture(params=["one block", "many blocks"])
def workspace(request, monkeypatch):
    if request.param == "many blocks":
        # At most 2 rows per block, 1 where a block's table would pass 12
        # cells; at most 16 candidates per chunk (a longer row still makes a
        # chunk of its own).
        monkeypatch.setattr(_spgemm_backward, "ROWS", 2)
        monkeypatch.setattr(_spgemm_backward, "WORKSPACE", 12)
        monkeypatch.setattr(_spgemm_backward, "CHUNK", 16)
        # the forward's rows in blocks of at most 20 candidates (a row with
        # more makes a block of its own)
        monkeypatch.setattr(_spgemm, "PRODUCT_BLOCK", 20)
    return request.param


@pytest.fixture(params=["a", "g"])
def side(request, monkeypatch):
    # The triples enumerated from A's entries or from G's non-zero entries
    # ("auto" picks one of the two).
    monkeypatch.setattr(_spgemm_backward, "SIDE", request.param)
    return request.param


def _csr_matrix(mask, seed):
    """CSR triple of a float64 matrix with mixed signs on the pattern ``mask``."""
    gen = torch.Generator().manual_seed(seed)
    row, col = mask.nonzero(as_tuple=True)
    val = torch.randn(col.numel(), generator=gen, dtype=torch.float64)
    return index2ptr(row, mask.size(0)), col, val


def _random(n, density, seed, empty_rows=()):
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(n, n, generator=gen) < density
    mask[list(empty_rows)] = False
    return _csr_matrix(mask, seed + 100)


def _star(n):
    mask = torch.eye(n, dtype=torch.bool)
    mask[0, :] = mask[:, 0] = True
    return mask


CASES = {
    "random": lambda: (_random(16, 0.3, 1, empty_rows=(3, 9)), _random(16, 0.25, 2, (5, ))),
    "star": lambda: (_csr_matrix(_star(16), 3), _csr_matrix(_star(16), 4)),
    "empty A": lambda: (_random(16, 0.0, 5), _random(16, 0.3, 6)),
}


def _on(operands, device):
    return tuple(tuple(t.to(device) for t in triple) for triple in operands)


def _dense(ptr, col, val, n):
    out = torch.zeros(n, n, dtype=val.dtype, device=val.device)
    out[ptr2index(ptr), col] = val
    return out


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("k", [None, 2])
def test_backward_equals_autograd_of_the_dense_product(case, k, backend, workspace, side,
                                                       device):
    (pa, ca, va), (pb, cb, vb) = _on(CASES[case](), device)
    n = pa.numel() - 1
    va, vb = va.clone().requires_grad_(), vb.clone().requires_grad_()
    ptr, col, val = spgemm_topk((pa, ca, va), (pb, cb, vb), n, k)
    gen = torch.Generator().manual_seed(7)
    # A loss that reaches about half of C's entries (G = 0 on the others).
    weight = torch.randn(val.numel(), dtype=torch.float64, generator=gen)
    weight = (weight * (torch.rand(val.numel(), generator=gen) < 0.5)).to(device)
    (val * weight).sum().backward()
    # Reference: the dense product, read at the entries that were kept.
    da = _dense(pa, ca, va.detach(), n).requires_grad_()
    db = _dense(pb, cb, vb.detach(), n).requires_grad_()
    rows = ptr2index(ptr)
    kept = (da @ db)[rows, col]
    torch.testing.assert_close(val.detach(), kept.detach(), rtol=1e-12, atol=1e-12)
    (kept * weight).sum().backward()
    torch.testing.assert_close(va.grad, da.grad[ptr2index(pa), ca], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(vb.grad, db.grad[ptr2index(pb), cb], rtol=1e-12, atol=1e-12)
    if k is not None:
        assert int((ptr[1:] - ptr[:-1]).max()) <= k


@pytest.mark.parametrize("case", ["random", "star"])
@pytest.mark.parametrize("k", [None, 2])
def test_gradcheck(case, k, backend, workspace, side, device):
    (pa, ca, va), (pb, cb, vb) = _on(CASES[case](), device)
    n = pa.numel() - 1
    # Many blocks: the whole Jacobian (a backward per entry of C, each in
    # blocks of 2 rows) took 1-7 s a case; fast mode checks one random
    # projection of it, and test_backward_equals_autograd_of_the_dense_product
    # compares these workspaces' gradients entry by entry with the dense
    # product's. One block: the whole Jacobian. On CUDA index_add_'s atomic
    # sums are made deterministic: gradcheck runs each backward twice and
    # wants the same bits.
    with bitwise(device):
        assert torch.autograd.gradcheck(
            lambda va, vb: spgemm_topk((pa, ca, va), (pb, cb, vb), n, k)[2],
            (va.requires_grad_(), vb.requires_grad_()), fast_mode=workspace == "many blocks")


def test_square_of_one_matrix_and_one_sided_gradients(workspace, side, device):
    # R^2 = A @ A: both operands are the same tensor, their gradients add up.
    (pa, ca, va), = _on((_random(16, 0.3, 8, empty_rows=(0, 15)), ), device)
    n = 16
    with bitwise(device):
        assert torch.autograd.gradcheck(
            lambda v: spgemm_topk((pa, ca, v), (pa, ca, v), n, 3)[2], (va.requires_grad_(), ))
    # Only B needs a gradient: the dense product's, at B's entries.
    vb = va.detach().clone().requires_grad_()
    ptr, col, _ = spgemm_topk((pa, ca, va.detach()), (pa, ca, vb), n, 3)
    spgemm_topk((pa, ca, va.detach()), (pa, ca, vb), n, 3)[2].sum().backward()
    db = _dense(pa, ca, va.detach(), n).requires_grad_()
    (_dense(pa, ca, va.detach(), n) @ db)[ptr2index(ptr), col].sum().backward()
    assert vb.grad.abs().sum() > 0
    torch.testing.assert_close(vb.grad, db.grad[ptr2index(pa), ca], rtol=1e-12, atol=1e-12)


def test_backward_is_bitwise_reproducible_and_independent_of_the_blocks(monkeypatch, device):
    (pa, ca, va), (pb, cb, vb) = _on(CASES["random"](), device)
    n = pa.numel() - 1

    def grads():
        a, b = va.clone().requires_grad_(), vb.clone().requires_grad_()
        with bitwise(device):  # on CUDA, index_add_'s atomic sums in a fixed order
            spgemm_topk((pa, ca, a), (pb, cb, b), n, 3)[2].pow(2).sum().backward()
        assert a.grad.device.type == device.type
        return a.grad, b.grad

    first, again = grads(), grads()
    assert all(torch.equal(x, y) for x, y in zip(first, again))
    monkeypatch.setattr(_spgemm_backward, "ROWS", 1)
    monkeypatch.setattr(_spgemm_backward, "CHUNK", 1)
    for x, y in zip(first, grads()):
        torch.testing.assert_close(x, y, rtol=1e-14, atol=1e-14)
    for enumerate_from in ("a", "g"):
        monkeypatch.setattr(_spgemm_backward, "SIDE", enumerate_from)
        for x, y in zip(first, grads()):
            torch.testing.assert_close(x, y, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("k", [None, 2])
@pytest.mark.parametrize("signs", ["positive", "mixed"])
def test_scipy_kernel_sized_by_candidates_equals_the_public_product(case, k, signs,
                                                                     monkeypatch):
    # The forward calls scipy's SMMP kernel with the output sized by the
    # candidates; scipy's own `A @ B` (symbolic pass first) and the torch
    # path give the same CSR result (mixed signs: the pattern path).
    (pa, ca, va), (pb, cb, vb) = CASES[case]()
    if signs == "positive":
        va, vb = va.abs() + 0.1, vb.abs() + 0.1
    n = pa.numel() - 1
    a, b = (pa, ca, va), (pb, cb, vb)
    kernel = spgemm_topk(a, b, n, k)
    monkeypatch.setattr(_spgemm, "_csr_matmat", None)
    public = spgemm_topk(a, b, n, k)
    monkeypatch.setattr(_csr, "BACKEND", "torch")
    device_path = spgemm_topk(a, b, n, k)
    for x, y, z in zip(kernel, public, device_path):
        assert torch.equal(x, y)
        if not x.is_floating_point():  # scipy's int32 indices, the torch path's int64
            assert x.dtype == torch.int32 and z.dtype == torch.long
            x = x.long()
        torch.testing.assert_close(x, z, rtol=1e-12, atol=1e-12)


def test_a_scipy_kernel_with_another_signature_falls_back_to_the_public_product(monkeypatch):
    # The SMMP kernel is private to scipy: if a release changes its
    # arguments, the product falls back to scipy's public `A @ B`.
    (pa, ca, va), (pb, cb, vb) = CASES["random"]()
    n = pa.numel() - 1
    expected = spgemm_topk((pa, ca, va), (pb, cb, vb), n, 2)

    def changed(*args):
        raise TypeError("csr_matmat() takes 10 positional arguments")
    monkeypatch.setattr(_spgemm, "_csr_matmat", changed)
    for x, y in zip(expected, spgemm_topk((pa, ca, va), (pb, cb, vb), n, 2)):
        assert torch.equal(x, y)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("k", [None, 2])
@pytest.mark.parametrize("signs", ["positive", "mixed"])
def test_forward_in_blocks_of_rows_equals_one_block(case, k, signs, monkeypatch):
    # rows are independent: blocks of rows (each pruned before the next)
    # give the same CSR result, bit for bit, on both value paths
    (pa, ca, va), (pb, cb, vb) = CASES[case]()
    if signs == "positive":
        va, vb = va.abs() + 0.1, vb.abs() + 0.1
    n = pa.numel() - 1
    whole = spgemm_topk((pa, ca, va), (pb, cb, vb), n, k)
    for block in (1, 7):
        monkeypatch.setattr(_spgemm, "PRODUCT_BLOCK", block)
        candidates = _spgemm._candidates(_csr.to_scipy(pa, ca, va, n),
                                         _csr.to_scipy(pb, cb, vb, n))
        assert candidates.sum() > block or case == "empty A"  # more than one block
        for x, y in zip(whole, spgemm_topk((pa, ca, va), (pb, cb, vb), n, k)):
            assert x.dtype == y.dtype and torch.equal(x, y)


@pytest.mark.parametrize("chunk", [1, 5, 1 << 20])
def test_candidates_per_row_equal_the_lengths_of_the_rows_of_b_each_entry_reaches(chunk,
                                                                                 monkeypatch):
    # counted in runs of at most `chunk` entries of A (a longer row makes a
    # run of its own); empty rows of A and of B count 0
    monkeypatch.setattr(_spgemm, "CANDIDATE_CHUNK", chunk)
    (pa, ca, va), (pb, cb, vb) = CASES["random"]()
    n = pa.numel() - 1
    counts = _spgemm._candidates(_csr.to_scipy(pa, ca, va, n), _csr.to_scipy(pb, cb, vb, n))
    length = pb[1:] - pb[:-1]
    expected = torch.zeros(n, dtype=torch.long).index_add_(0, ptr2index(pa), length[ca])
    assert counts.dtype == np.int64 and torch.equal(torch.from_numpy(counts), expected)
    assert counts[3] == counts[9] == 0


def test_row_runs_are_the_longest_under_the_limit():
    before = np.array([0, 3, 3, 10, 11, 12, 30, 31])  # rows of 3, 0, 7, 1, 1, 18, 1
    assert _csr.row_runs(before, 10) == [(0, 3), (3, 5), (5, 6), (6, 7)]
    assert _csr.row_runs(before, 100) == [(0, 7)]
    assert _csr.row_runs(np.zeros(1, dtype=np.int64), 10) == []


def test_entries_ptr_is_the_pointer_of_their_rows(device):
    # _entries_ptr: the CSR pointer of some entries (ascending) of a pattern,
    # one binary search per row: the pointer of their rows, empty rows
    # included, for few entries, every entry and none
    (pa, ca, _), = _on((_random(40, 0.2, 11, empty_rows=(0, 7, 8, 39)), ), device)
    rows = ptr2index(pa)
    for entries in (torch.tensor([0, 3, int(ca.numel()) - 1], device=device),
                    torch.arange(ca.numel(), device=device),
                    torch.zeros(0, dtype=torch.long, device=device)):
        got = _spgemm_backward._entries_ptr(pa, entries)
        assert torch.equal(got, index2ptr(rows[entries], 40)) and got.dtype == torch.long


def test_product_backward_makes_no_row_for_each_entry():
    # the loss reaches most entries of C: the rows of all of C's entries
    # (int64, C's size) were made to build the pointer of G's entries
    n = 40
    (pa, ca, va), = _on((_random(n, 0.2, 13), ), "cpu")
    va = va.clone().requires_grad_()
    ptr, col, val = spgemm_topk((pa, ca, va), (pa, ca, va.detach()), n, 6)
    made = []

    class _Made(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            if func.overloadpacket.__name__ == "repeat_interleave":
                made.append(out.numel())
            return out

    weight = torch.linspace(0.5, 2, val.numel())
    weight[::5] = 0  # G: 4 of 5 of C's entries (those sizes are G's)
    with _Made():
        (val * weight).sum().backward()
    assert made and col.numel() not in made


def test_transpose_by_scipy_equals_the_stable_sort(monkeypatch):
    pa, ca, _ = _random(40, 0.2, 12, empty_rows=(0, 7, 39))
    scipy_t = _spgemm_backward._transpose(pa, ca, 40)
    monkeypatch.setattr(_csr, "BACKEND", "torch")
    torch_t = _spgemm_backward._transpose(pa, ca, 40)
    assert all(torch.equal(x.long(), y) for x, y in zip(scipy_t, torch_t))
    # scipy's int32 rows and entry numbers kept as they are (no int64 copy);
    # the pointer int64, as the torch path's
    assert [x.dtype for x in scipy_t] == [torch.long, torch.int32, torch.int32]
    assert all(x.dtype == torch.long for x in torch_t)


@pytest.mark.parametrize("side_", ["a", "g"])
def test_backward_of_a_loss_on_one_entry_equals_the_dense_product(backend, side_, monkeypatch,
                                                                   device):
    # G with one non-zero entry (LEGO's sparse output reaches few entries of
    # each product): its row comes from the binary search of _rows.
    monkeypatch.setattr(_spgemm_backward, "SIDE", side_)
    (pa, ca, va), (pb, cb, vb) = _on(CASES["random"](), device)
    n = pa.numel() - 1
    va, vb = va.clone().requires_grad_(), vb.clone().requires_grad_()
    ptr, col, val = spgemm_topk((pa, ca, va), (pb, cb, vb), n, 3)
    e = val.numel() // 2
    val[e].backward()
    da = _dense(pa, ca, va.detach(), n).requires_grad_()
    db = _dense(pb, cb, vb.detach(), n).requires_grad_()
    (da @ db)[ptr2index(ptr)[e], col[e]].backward()
    torch.testing.assert_close(va.grad, da.grad[ptr2index(pa), ca], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(vb.grad, db.grad[ptr2index(pb), cb], rtol=1e-12, atol=1e-12)
