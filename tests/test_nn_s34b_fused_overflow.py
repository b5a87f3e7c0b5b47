"""A fused graph that overflowed from finite powers (norm=None, dot
similarity, features of 1e80: R reaches 1e160, R_a o R_b is Inf) came out of
LEGO silently on both backends; a head refused it later, naming its own
input. LEGO refuses it where it happens, naming the sources and the remedy."""
import pytest
import torch

from pyg_fusion.nn import LEGO


@pytest.mark.parametrize("fusion", ["pairwise", "cp", "full"])
@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_fused_overflow_is_refused_by_lego(fusion, backend):
    g = torch.Generator().manual_seed(0)
    xs = {s: torch.rand(6, 3, generator=g, dtype=torch.float64) * 1e80 for s in "ab"}
    model = LEGO({"a": 3, "b": 3}, 1, k=2, norm=None, metric="dot", fusion=fusion,
                 backend=backend).double()
    with pytest.raises(ValueError, match=r"the fused graph overflowed: G holds \d+ NaN or "
                                         r"Inf .*a: 1\.\d+e\+160.*normalise the powers of "
                                         r"'a', 'b' \(norm='sym' or 'row'\)"):
        model(xs)
    xs = {s: x / 1e80 for s, x in xs.items()}
    assert bool(torch.isfinite(model(xs).to_dense()).all())
