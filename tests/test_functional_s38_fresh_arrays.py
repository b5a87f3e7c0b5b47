"""Fewer fresh arrays in the sparse step, the same entries: the product
backward's segment tables in int32 where they fit (read on CPU through
numpy's take, _csr.take_at), and the sortedness check of edge lists in
chunks (_csr.is_coalesced)."""
import pytest
import torch

from pyg_fusion.functional import _csr, _spgemm_backward

from test_csr import _random_pattern


def test_take_at_reads_an_int32_index_and_keeps_the_source_type():
    src = torch.tensor([5, 7, 9, 11], dtype=torch.int32)
    out = _csr.take_at(src, torch.tensor([3, 0, 2], dtype=torch.int32))
    assert out.dtype == torch.int32 and out.tolist() == [11, 5, 9]


def test_backward_segment_tables_are_int32_with_the_entries_of_int64_ones():
    n = 31
    ptr, col = _random_pattern(n, 0.2, 7)
    entry = torch.randperm(col.numel(), generator=torch.Generator().manual_seed(1))
    wide = _spgemm_backward._segments(ptr, col, entry, n, torch.long)
    narrow = _spgemm_backward._segments(ptr, col, entry, n, torch.int32)
    assert wide[0] == narrow[0]
    for a, b in zip(wide[1:3], narrow[1:3]):
        assert torch.equal(a, b)
    for a, b in zip(wide[3:], narrow[3:]):  # columns, entry numbers
        assert a.dtype == torch.long and b.dtype == torch.int32 and torch.equal(a, b.long())


@pytest.mark.parametrize("chunk", [1, 2, 3, 1 << 20])
def test_is_coalesced_in_chunks_finds_a_step_back_or_repeat_anywhere(chunk, monkeypatch):
    # the CPU check runs in chunks overlapping by one entry: a repeat or a
    # step back at any place, chunk boundaries included, is found
    monkeypatch.setattr(_csr, "COALESCED_CHUNK", chunk)
    n = 5
    row = torch.tensor([0, 0, 1, 1, 2, 3, 3, 4])
    col = torch.tensor([1, 3, 0, 4, 2, 0, 1, 4])
    assert _csr.is_coalesced(row, col, n)
    assert _csr.is_coalesced(row[:1], col[:1], n) and _csr.is_coalesced(row[:0], col[:0], n)
    for i in range(1, row.numel()):
        for c in (col[i - 1], col[i - 1] - 1):  # a repeat, a step back
            if row[i] == row[i - 1] and c >= 0:
                bad = col.clone()
                bad[i] = c
                assert not _csr.is_coalesced(row, bad, n)
        swapped = row.clone()
        swapped[i - 1], swapped[i] = row[i], row[i - 1]
        if row[i] != row[i - 1]:
            assert not _csr.is_coalesced(swapped, col, n)
