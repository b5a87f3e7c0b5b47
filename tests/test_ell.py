"""The padded-row (ELL) helpers match a plain per-row Python reference."""
import pytest
import torch

from pyg_fusion.functional import _ell


def _random_table(rows, width, num_nodes, seed, empty_rows=()):
    gen = torch.Generator().manual_seed(seed)
    # Few distinct columns per row so that duplicates are common.
    col = torch.randint(0, num_nodes, (rows, width), generator=gen)
    pad = torch.rand(rows, width, generator=gen) < 0.3
    col[pad] = num_nodes
    for r in empty_rows:
        col[r] = num_nodes
    return col


def _reference(cand, num_nodes):
    uniq = [sorted({int(c) for c in row if c < num_nodes}) for row in cand]
    width = max(max(len(u) for u in uniq), 1)
    out = torch.full((cand.size(0), width), num_nodes, dtype=torch.long)
    inverse = torch.zeros_like(cand)
    for i, u in enumerate(uniq):
        out[i, :len(u)] = torch.tensor(u, dtype=torch.long)
        slot = {c: j for j, c in enumerate(u)}
        for j, c in enumerate(cand[i].tolist()):
            inverse[i, j] = slot.get(c, max(len(u) - 1, 0))
    return out, inverse, width


@pytest.mark.parametrize("rows,width,num_nodes", [(7, 12, 5), (30, 40, 25), (16, 9, 300),
                                                  (1, 3, 1), (3, 10, 40000)])
@pytest.mark.parametrize("int32_keys", [True, False])
def test_coalesce_rows_equals_the_reference(rows, width, num_nodes, int32_keys, monkeypatch):
    if not int32_keys:  # the int64 keys of very large tables
        monkeypatch.setattr(_ell, "_INT32_KEYS", 0)
    cand = _random_table(rows, width, num_nodes, seed=rows + width,
                         empty_rows=(0, ) if rows > 1 else ())
    ref = _reference(cand, num_nodes)
    out_col, inverse, w = _ell._coalesce_rows(cand, num_nodes)
    assert w == ref[2]
    assert torch.equal(out_col, ref[0])
    assert torch.equal(inverse, ref[1])


def test_coalesce_rows_all_padding():
    cand = torch.full((6, 4), 10, dtype=torch.long)
    out_col, inverse, w = _ell._coalesce_rows(cand, 10)
    assert w == 1 and torch.equal(out_col, torch.full((6, 1), 10))
    assert torch.equal(inverse, torch.zeros(6, 4, dtype=torch.long))


@pytest.mark.parametrize("bound", [50, 40000 ** 2])  # int32 and int64 keys
def test_unique_keys_is_torch_unique(bound):
    keys = torch.randint(0, min(bound, 10**9), (500, ), generator=torch.Generator().manual_seed(3))
    keys = torch.cat([keys, keys[:100]])  # repeats
    uniq, inverse = _ell.unique_keys(keys, bound)
    ref, ref_inverse = torch.unique(keys, sorted=True, return_inverse=True)
    assert torch.equal(uniq, ref) and torch.equal(inverse, ref_inverse)
    assert uniq.dtype == torch.long
    empty = torch.zeros(0, dtype=torch.long)
    assert all(t.numel() == 0 for t in _ell.unique_keys(empty, bound))


def test_spspmm_row_blocks_give_the_same_product(monkeypatch):
    # A kNN-like table with padding, and a product in blocks of a few rows:
    # the same columns, values and gradients as in one block.
    gen = torch.Generator().manual_seed(5)
    n, wa, wb = 37, 6, 4
    col_a = torch.sort(torch.randint(0, n, (n, wa), generator=gen), dim=1).values
    col_a[::5, -2:] = n
    col_b = torch.sort(torch.randint(0, n, (n, wb), generator=gen), dim=1).values
    val_a = torch.rand(n, wa, dtype=torch.float64, generator=gen).masked_fill(col_a == n, 0)
    val_b = torch.rand(n, wb, dtype=torch.float64, generator=gen)
    results = []
    for cells in (1 << 30, 3 * wa * wb):
        monkeypatch.setattr(_ell, "_PRODUCT_CELLS", cells)
        va, vb = val_a.clone().requires_grad_(), val_b.clone().requires_grad_()
        col, val = _ell.ell_spspmm(col_a, va, col_b, vb, n)
        val.backward(torch.arange(val.numel(), dtype=val.dtype).view_as(val))
        results.append((col, val.detach(), va.grad, vb.grad))
    for a, b in zip(*results):
        assert torch.equal(a, b)
    dense_a = torch.zeros(n, n + 1, dtype=torch.float64).scatter_add_(1, col_a, val_a)[:, :n]
    dense_b = torch.zeros(n, n + 1, dtype=torch.float64).scatter_add_(1, col_b, val_b)[:, :n]
    col, val = results[0][:2]
    dense_c = torch.zeros(n, n + 1, dtype=torch.float64).scatter_add_(1, col, val)[:, :n]
    torch.testing.assert_close(dense_c, dense_a @ dense_b)
