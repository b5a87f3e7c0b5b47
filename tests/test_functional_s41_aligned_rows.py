"""The M-way and scaled sparse fusions on the intersection of the supports
(lego_fuse_cp_sparse, lego_fuse_full_sparse, align_pair, hence
lego_fuse_sparse with term_scale or zeroth="ones"; LEGO takes this support
whenever R^0 = I) select each source's own rows where every source has an
entry: no tensor of the union's or the attributes' size in their backward,
where the union's rows masked to the intersection had a zero-filled
gradient of the union's size. The same values and gradients, bit for bit,
as the masked union. MAP_FROM_BYTES is 0 here: these attributes are small,
and below it select_rows is index_select."""
import pytest
import torch

from pyg_fusion.functional import (_align, graph_powers, lego_fuse_cp_sparse,
                                   lego_fuse_full_sparse, lego_fuse_sparse)
from pyg_fusion.functional.fuse import align_pair

from test_functional_s39_fresh_copies import _graph
from test_functional_s40_place_select import _Made


@pytest.fixture(autouse=True)
def _map_every_size(monkeypatch):
    monkeypatch.setattr(_align, "MAP_FROM_BYTES", 0)


def _sources(dtype=torch.float64, n=60):
    out = []
    for seed in (0, 1):
        edge_index, weight = _graph(n, seed=seed)
        weight = weight.to(dtype).requires_grad_()
        out.append((weight, *graph_powers(edge_index, weight, n, 3, prune_k=4)))
    return out


def _masked_union(ia, xa, ib, xb, n):
    # the intersection as rows of the union with zero rows, masked
    index, (pa, pb) = _align.union_edges([ia, ib], n)
    both = torch.zeros(index.size(1), dtype=torch.bool)
    both[pa] = True
    has_b = torch.zeros_like(both)
    has_b[pb] = True
    both &= has_b
    return index[:, both], [_align.place_rows(x, p, index.size(1))[both]
                            for x, p in ((xa, pa), (xb, pb))]


FUSIONS = {
    "cp": lambda ia, xa, ib, xb, n, gen: lego_fuse_cp_sparse(
        [ia, ib], [xa, xb], [torch.randn(2, 4, dtype=xa.dtype, generator=gen)
                             for _ in range(2)], n, support="intersection"),
    "full": lambda ia, xa, ib, xb, n, gen: lego_fuse_full_sparse(
        [ia, ib], [xa, xb], torch.randn(4, 4, dtype=xa.dtype, generator=gen), n,
        support="intersection", zeroth="ones"),
    "mean": lambda ia, xa, ib, xb, n, gen: lego_fuse_sparse(
        ia, xa, ib, xb, torch.randn(4, 4, dtype=xa.dtype, generator=gen), n,
        support="intersection", term_scale="mean"),
}


@pytest.mark.parametrize("name", sorted(FUSIONS))
def test_intersection_backward_makes_no_gradient_of_the_union_size(name):
    (_, ia, xa), (_, ib, xb) = _sources()
    index, _ = _align.union_edges([ia, ib], 60)
    _, weight = FUSIONS[name](ia, xa, ib, xb, 60, torch.Generator().manual_seed(0))
    with _Made() as made:
        (weight * torch.linspace(-1, 2, weight.numel(), dtype=weight.dtype)).sum().backward()
    big = {index.size(1) * 4, xa.numel(), xb.numel()}
    assert not big & set(made.sizes), name


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_intersection_rows_and_gradients_as_the_masked_union_bit_for_bit(dtype):
    runs = []
    for masked in (True, False):
        (wa, ia, xa), (wb, ib, xb) = _sources(dtype)
        if masked:
            index, (x, y) = _masked_union(ia, xa, ib, xb, 60)
        else:
            index, x, y = align_pair(ia, xa, ib, xb, 60, support="intersection")
        up = torch.randn(x.shape, dtype=dtype, generator=torch.Generator().manual_seed(2))
        up[::3] = -0.0  # gradients of -0.0: the masked union's backward gave 0.0
        ((x * up).sum() + (y * up.flip(0)).sum()).backward()
        runs.append((index, x.detach(), y.detach(), wa.grad, wb.grad))
    assert runs[0][0].size(1) > 0
    assert all(torch.equal(a, b) and torch.equal(a.signbit(), b.signbit())
               for a, b in zip(*runs))


def test_intersection_fusion_gradcheck():
    # the powers' values as placed by graph_powers (_Place), differentiated
    (_, ia, xa), (_, ib, xb) = _sources(n=20)
    factors = [torch.randn(2, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(s))
               for s in (5, 6)]
    columns = tuple(x[:, m].detach().clone().requires_grad_() for x in (xa, xb) for m in range(4))

    def fused(*cols):
        xs = [_align.place(list(cols[4 * i:4 * i + 4]), [torch.arange(x.size(0))] * 4, x.size(0))
              for i, x in enumerate((xa, xb))]
        return lego_fuse_cp_sparse([ia, ib], xs, factors, 20, support="intersection")[1]

    assert fused(*columns).numel() > 0
    assert torch.autograd.gradcheck(fused, columns, fast_mode=True)
    assert torch.autograd.gradgradcheck(fused, columns, fast_mode=True)
