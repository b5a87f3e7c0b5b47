"""term_scale="rms" of float16 powers: the squares of entries ~1/N (a
row-normalised 300-node graph) underflowed float16, so the scale of the
product term was 23% low and the factor of the Hadamard identity
(zeroth="ones") rounded to 0: its term was dropped from G without a word
(12.5% off). The moments and factors are taken in float32, the scaled
operator rounded once; the reference is float64 and written here."""
import pytest
import torch

import pyg_fusion.functional as F


def _reference(p, A, term_scale):
    # G = sum_pq A_pq T_pq s(T_11) / s(T_pq) over the support (zeroth="ones")
    support = (p != 0).any(0)
    ones = support.double()
    powers = [ones, p[1]]
    f = (lambda t: t.abs()) if term_scale == "mean" else (lambda t: t * t)

    def scale(t):
        m = f(t)[support].mean()
        return m if term_scale == "mean" else m.sqrt()
    ref = scale(powers[1] * powers[1])
    return sum(A[i, j] * powers[i] * powers[j] * ref / scale(powers[i] * powers[j])
               for i in range(2) for j in range(2))


@pytest.mark.parametrize("term_scale", ["mean", "rms"])
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_term_scales_of_16_bit_powers_are_close_to_float64(term_scale, dtype):
    n = 300
    x = torch.randn(n, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    p = F.dense_graph_powers(F.dense_relation_graph(x), 1, "row")
    A = torch.tensor([[0.5, 0.0], [0.0, 1.0]], dtype=torch.float64)
    ref = _reference(p, A, term_scale)
    torch.testing.assert_close(F.lego_fuse(p, p, A, zeroth="ones", term_scale=term_scale), ref)
    tol = 3e-2 * ref.abs().max().item()
    got = F.lego_fuse(p.to(dtype), p.to(dtype), A.to(dtype), zeroth="ones",
                      term_scale=term_scale)
    assert got.dtype == dtype
    torch.testing.assert_close(got.double(), ref, rtol=0, atol=tol)
    ei, w = F.relation_graph(x, k=n)
    idx, attr = F.graph_powers(ei, w, n, 1, norm="row")
    idx, got = F.lego_fuse_sparse(idx, attr.to(dtype), idx, attr.to(dtype), A.to(dtype), n,
                                  zeroth="ones", term_scale=term_scale)
    assert got.dtype == dtype
    torch.testing.assert_close(got.double(), ref[idx[1], idx[0]], rtol=0, atol=tol)
