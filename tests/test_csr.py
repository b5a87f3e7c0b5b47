"""The CSR layout's helpers (pyg_fusion.functional._csr, ._align, ._topk)
against plain references, on both backends (scipy on CPU, the torch path of
other devices)."""
import pytest
import scipy.sparse as sp
import torch

from torch_geometric.utils.sparse import index2ptr, ptr2index

from pyg_fusion.functional import _align, _csr, _topk


@pytest.fixture(params=["auto", "torch"])
def backend(request, monkeypatch):
    monkeypatch.setattr(_csr, "BACKEND", request.param)
    return request.param


def _random_pattern(n, density, seed, device="cpu"):
    gen = torch.Generator().manual_seed(seed)
    mask = (torch.rand(n, n, generator=gen) < density).to(device)
    row, col = mask.nonzero(as_tuple=True)
    # contiguous: torch's COO -> CSR kernel reads its input so (see _csr.index2ptr)
    return index2ptr(row.contiguous(), n), col.contiguous()


def _keys(ptr, col, n):
    return (ptr2index(ptr) * n + col).tolist()


def test_union_is_the_sorted_union_with_positions(backend, device):
    n = 23
    patterns = [_random_pattern(n, d, s, device) for s, d in enumerate((0.1, 0.3, 0.0, 0.05))]
    ptr, col, positions = _align.union(patterns, n)
    assert {t.device.type for t in (ptr, col, *positions)} == {device.type}
    keys = _keys(ptr, col, n)
    assert keys == sorted(set().union(*[_keys(p, c, n) for p, c in patterns]))
    for (p, c), pos in zip(patterns, positions):
        assert [keys[i] for i in pos.tolist()] == _keys(p, c, n)


def test_union_of_more_inputs_than_one_merge_marks(monkeypatch):
    # the CPU union marks each input by one bit; longer lists merge in groups
    monkeypatch.setattr(_align, "UNION_GROUP", 2)
    n = 19
    patterns = [_random_pattern(n, 0.1 + 0.05 * s, s) for s in range(7)]
    ptr, col, positions = _align.union(patterns, n)
    keys = _keys(ptr, col, n)
    assert keys == sorted(set().union(*[_keys(p, c, n) for p, c in patterns]))
    for (p, c), pos in zip(patterns, positions):
        assert [keys[i] for i in pos.tolist()] == _keys(p, c, n)


def test_union_reads_every_bit_of_wide_marks():
    # 12 inputs: the marks need int16, so bits 8-11 are read past one byte
    n = 17
    patterns = [_random_pattern(n, 0.05 + 0.03 * s, 40 + s) for s in range(12)]
    ptr, col, positions = _align.union(patterns, n)
    keys = _keys(ptr, col, n)
    assert keys == sorted(set().union(*[_keys(p, c, n) for p, c in patterns]))
    for (p, c), pos in zip(patterns, positions):
        assert [keys[i] for i in pos.tolist()] == _keys(p, c, n)


def test_union_edges_takes_unsorted_input_and_rejects_repeats(backend, device):
    n = 6
    a = torch.tensor([[3, 0, 5, 1], [2, 2, 0, 4]], device=device)  # (source, target), unsorted
    b = torch.tensor([[0, 1], [2, 2]], device=device)
    index, (pa, pb) = _align.union_edges([a, b], n)
    assert index.device.type == device.type
    order = (index[1] * n + index[0]).tolist()
    assert order == sorted(order) and len(set(order)) == len(order)
    assert torch.equal(index[:, pa], a) and torch.equal(index[:, pb], b)
    with pytest.raises(ValueError, match="edge_index_b holds repeated edges"):
        _align.union_edges([a, torch.tensor([[0, 0], [2, 2]], device=device)], n,
                         ["edge_index_a", "edge_index_b"])


def test_sample_reads_values_at_a_pattern_rows_in_any_order():
    n = 17
    ptr_s, col_s = _random_pattern(n, 0.3, 1)
    val_s = torch.randn(col_s.numel(), dtype=torch.float64)
    val_s[::5] = 0.0  # stored zeros read as 0
    ptr_p, col_p = _random_pattern(n, 0.3, 2)
    dense = torch.zeros(n, n, dtype=torch.float64)
    dense[ptr2index(ptr_s), col_s] = val_s
    expected = dense[ptr2index(ptr_p), col_p]
    # reverse the columns of every row of the sampled matrix
    flip = torch.cat([torch.arange(int(ptr_s[i + 1]) - 1, int(ptr_s[i]) - 1, -1)
                      for i in range(n)])
    for order in (torch.arange(col_s.numel()), flip):
        c, v = col_s[order], val_s[order]
        mat = sp.csr_matrix((v.numpy(), c.numpy(), ptr_s.numpy()), shape=(n, n))
        assert torch.equal(_csr.sample_scipy(mat, ptr_p, col_p), expected)


def test_topk_rows_keeps_the_largest_and_breaks_ties_by_column(backend, device):
    # Rows of lengths 0..40 (several buckets), magnitudes with many ties.
    lengths = torch.arange(41)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)])
    gen = torch.Generator().manual_seed(3)
    val = torch.randint(-3, 4, (int(ptr[-1]), ), generator=gen).double()
    k = 4
    ascending = torch.cat([torch.arange(int(d)) for d in lengths])
    # columns ascending, then descending within each row
    for col in (ascending, torch.cat([torch.arange(int(d)).flip(0) for d in lengths])):
        new_ptr, keep = _topk.topk_rows(ptr.to(device), col.to(device), val.to(device), k)
        assert new_ptr.device.type == keep.device.type == device.type
        kept = keep.nonzero().squeeze(1)
        expected = []
        for i in range(lengths.numel()):
            entries = list(range(int(ptr[i]), int(ptr[i + 1])))
            # largest magnitude first, then the smaller column
            best = sorted(entries, key=lambda e: (-abs(float(val[e])), int(col[e])))[:k]
            expected += sorted(best)
        assert kept.tolist() == expected
        assert torch.equal((new_ptr[1:] - new_ptr[:-1]).cpu(), lengths.clamp(max=k))
    # no row > k
    short_ptr, none = _topk.topk_rows(ptr[:6].to(device), ascending[:10].to(device),
                                      val[:10].to(device), k)
    assert none is None and torch.equal(short_ptr.cpu(), ptr[:6])


def _reference_topk(ptr, col, val, k):
    # largest magnitude first, then the smaller column; kept entries in order
    kept = []
    for i in range(ptr.numel() - 1):
        entries = range(int(ptr[i]), int(ptr[i + 1]))
        kept += sorted(sorted(entries, key=lambda e: (-abs(float(val[e])), int(col[e])))[:k])
    return kept


@pytest.mark.parametrize("block", [1 << 20, 7, 1])
@pytest.mark.parametrize("select", [512, 10])
def test_topk_rows_blocks_buckets_hubs_and_ties(block, select, backend, monkeypatch, device):
    # Empty rows, rows of exactly k and k + 1 entries, rows in a dozen
    # buckets (widths 4 to 70), a hub row of every column, rows all tied (surplus ties),
    # a tie only at the k-th place, zeros; int32 and int64 indices; blocks
    # of one row (block 1), of a few rows, and one block; on CPU tables
    # selected whole or (select 10) wider ones by their runs of 5 columns
    # (other devices select by torch.topk: select changes nothing there).
    monkeypatch.setattr(_topk, "TOPK_BLOCK", block)
    monkeypatch.setattr(_topk, "SELECT_WIDTH", select)
    k, n = 3, 60
    gen = torch.Generator().manual_seed(5)
    lengths = [0, 3, 4, 0, 5, 7, 12, 13, 25, 48, n, 6, 6, 9, 0, 2, 40, n]
    rows = []
    for i, d in enumerate(lengths):
        c = torch.randperm(n, generator=gen)[:d]
        v = torch.randn(d, generator=gen, dtype=torch.float64)
        if i in (5, 10):  # all tied: the k smallest columns
            v = torch.full((d, ), -2.0, dtype=torch.float64).where(c % 2 == 0, 2.0)
        if i in (11, 12):  # the k-th tied with the (k+1)-th, sign apart
            v = torch.tensor([5.0, 4.0, 1.0, -1.0, 1.0, 0.5], dtype=torch.float64)
        if i == 13:  # ties above the k-th only
            v = torch.tensor([3.0, 3.0, 3.0, 1.0, 0.0, 0.0, 2.0, 0.0, 0.0],
                             dtype=torch.float64)
        if i == 17:  # zeros tie at the k-th place
            v = torch.zeros(d, dtype=torch.float64)
            v[:2] = 1.0
        rows.append((c, v))
    ptr = torch.tensor([0] + lengths).cumsum(0)
    col = torch.cat([c for c, _ in rows])
    val = torch.cat([v for _, v in rows])
    expected = _reference_topk(ptr, col, val, k)
    for index_type in (torch.long, torch.int32):
        new_ptr, keep = _topk.topk_rows(ptr.to(device, index_type), col.to(device, index_type),
                                        val.to(device), k)
        assert keep.device.type == device.type
        assert keep.nonzero().squeeze(1).tolist() == expected
        assert new_ptr.tolist() == [0] + torch.tensor(lengths).clamp(max=k).cumsum(0).tolist()


@pytest.mark.parametrize("select", [512, 14])
def test_topk_rows_random_ties_against_the_reference(select, backend, monkeypatch, device):
    # Many rows in several buckets, magnitudes from few values (ties at
    # every place), blocks of a few rows, tables selected whole or by runs
    # of 7 columns: the same kept set as the reference.
    monkeypatch.setattr(_topk, "TOPK_BLOCK", 100)
    monkeypatch.setattr(_topk, "SELECT_WIDTH", select)
    gen = torch.Generator().manual_seed(8)
    n, k = 200, 5
    lengths = torch.randint(0, 60, (n, ), generator=gen)
    col = torch.cat([torch.randperm(n, generator=gen)[:int(d)] for d in lengths])
    val = torch.randint(-4, 5, (col.numel(), ), generator=gen).float()
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)])
    _, keep = _topk.topk_rows(ptr.to(device), col.to(device), val.to(device), k)
    assert keep.device.type == device.type
    assert keep.nonzero().squeeze(1).tolist() == _reference_topk(ptr, col, val, k)


def test_to_edge_index_takes_int32_and_gives_int64(device):
    n = 17
    ptr, col = _random_pattern(n, 0.3, 9, device)
    ref = torch.stack([col, ptr2index(ptr)])  # (source = column, target = row)
    for dtype in (torch.int32, torch.int64):
        out = _csr.to_edge_index(ptr.to(dtype), col.to(dtype))
        assert out.dtype == torch.int64 and out.device.type == device.type
        assert torch.equal(out, ref)


def test_common_edges_lists_the_intersection_in_order(backend, device):
    # each input's own numbers of the edges every input has, in the order of
    # the intersection sorted by target, then source; inputs in any order
    n = 17
    gen = torch.Generator().manual_seed(5)
    lists = []
    for density in (0.5, 0.4, 0.6):
        ptr, col = _random_pattern(n, density, int(torch.randint(100, (1, ), generator=gen)),
                                   device)
        ei = torch.stack([col, ptr2index(ptr)])
        lists.append(ei[:, torch.randperm(ei.size(1), generator=gen).to(device)])
    for inputs in (lists[:2], lists):
        own = _align.common_edges(inputs, n)
        sets = [set(map(tuple, ei.t().tolist())) for ei in inputs]
        want = sorted(set.intersection(*sets), key=lambda e: (e[1], e[0]))
        assert want
        for ei, o in zip(inputs, own):
            assert o.dtype == torch.long and o.device.type == device.type
            assert list(map(tuple, ei[:, o].t().tolist())) == want
    with pytest.raises(ValueError, match="edge_index_b holds repeated edges"):
        _align.common_edges([lists[0], torch.tensor([[0, 0], [2, 2]], device=device)], n,
                          ["edge_index_a", "edge_index_b"])


def test_place_puts_each_vector_in_its_column_and_saves_int32_positions(device):
    gen = torch.Generator().manual_seed(6)
    size = 11
    positions = [torch.randperm(size, generator=gen)[:k].to(device) for k in (3, 7, 0, 11)]
    values = [torch.randn(p.numel(), dtype=torch.float64, generator=gen).to(device)
              .requires_grad_() for p in positions]
    out = _align.place(values, positions, size)
    assert out.device.type == device.type
    ref = torch.stack([v.new_zeros(size).index_copy(0, p, v) for v, p in zip(values, positions)],
                      -1)
    assert torch.equal(out, ref)
    assert all(t.dtype == torch.int32 for t in out.grad_fn.saved_tensors)
    assert torch.autograd.gradcheck(lambda *v: _align.place(list(v), positions, size), values)
    assert torch.autograd.gradgradcheck(lambda *v: _align.place(list(v), positions, size), values)
