"""Randomised-property regressions of session 33 (helper D): graph powers
that overflow inside LEGO."""
import pytest
import torch

from pyg_fusion.nn import LEGO


@pytest.mark.parametrize("fusion", ["pairwise", "cp", "full"])
@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_powers_that_overflow_are_named_by_their_source(fusion, backend):
    # unnormalised powers of dot similarities of large features overflow
    # float32 at R^2: the fusion's check said 'powers_a' / 'attr_a' /
    # 'attrs[0] contains 30 NaN or Inf value(s)', arguments LEGO's user never
    # gave, one per backend and form, with no word of the source or the cause
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(6, 4, generator=g) * 1e10, "b": torch.randn(6, 3, generator=g)}
    model = LEGO({"a": 4, "b": 3}, 3, k=3, norm=None, metric="dot", fusion=fusion,
                 backend=backend)
    with pytest.raises(ValueError, match=r"the graph powers of source 'a' overflowed: R\^2 "
                                         r"holds \d+ NaN or Inf .*norm=None.*norm='sym' or "
                                         r"'row'"):
        model(xs)
    # features of a scale that does not overflow: fused as before
    xs["a"] = xs["a"] / 1e10
    assert bool(torch.isfinite(model(xs).to_dense()).all())
