"""The shifts of AsymFusion's graph variant at the ends of their ranges.

edge_shift's weighted mean with weights at the ends of a dtype's range:

Weights past the dtype's range (1e39 given in float64 for float32 features,
1e5 for float16 ones) or whose sums overflow (3e38 in float32) made the output
NaN / Inf without a word; weights below float32's tiny (1e-39) gave a fraction
of the mean (the denominator was clamped at tiny). A weighted mean does not
change with its weights' scale: every case gives the mean of unit weights.
temporal_shift by more than int64 holds failed in torch's arithmetic."""
import pytest
import torch

from pyg_fusion.functional import edge_shift

EDGES = torch.tensor([[0, 1, 2, 2], [1, 0, 0, 1]])


@pytest.mark.parametrize("dtype,weight,wdtype", [
    (torch.float32, 1e39, torch.float64), (torch.float32, 3e38, torch.float32),
    (torch.float32, 1e-39, torch.float32), (torch.float16, 1e5, torch.float32),
    (torch.float64, 1e300, torch.float64)])
def test_the_mean_does_not_change_with_the_weights_scale(dtype, weight, wdtype):
    x = torch.randn(3, 10, generator=torch.Generator().manual_seed(0)).to(dtype)
    ref = edge_shift(x, EDGES)
    out = edge_shift(x, EDGES, edge_weight=torch.full((4, ), weight, dtype=wdtype))
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, ref, rtol=2e-3 if dtype == torch.float16 else 1e-5,
                               atol=1e-3 if dtype == torch.float16 else 1e-6)


def test_ordinary_weights_give_the_same_numbers():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(6, 10, generator=gen)
    edges = torch.randint(0, 6, (2, 20), generator=gen)
    w = torch.rand(20, generator=gen) * 3
    k = 8  # 4 * (10 // 5)
    num = torch.zeros(6, k).index_add_(0, edges[1], x[edges[0], :k] * w[:, None])
    den = torch.zeros(6).index_add_(0, edges[1], w)
    expected = torch.where(den[:, None] > 0, num / den.clamp_min(1e-30)[:, None], 0.0)
    out = edge_shift(x, edges, edge_weight=w)
    torch.testing.assert_close(out[:, :k], expected, rtol=1e-6, atol=1e-7)
    assert not out[:, k:].any()


def test_a_temporal_shift_past_int64_moves_everything_out():
    """shift=10**30 failed in torch: "can't convert negative int to unsigned"."""
    from pyg_fusion.functional import temporal_shift
    from pyg_fusion.nn.asym import AsymGraphFusion
    x = torch.randn(6, 10, generator=torch.Generator().manual_seed(0))
    for shift in (6, 2 ** 63, 10 ** 30):
        assert not temporal_shift(x, shift).any()
    assert temporal_shift(x, 5)[5, :4].equal(x[0, :4])
    model = AsymGraphFusion({"a": 3, "b": 3}, 10, steps=10 ** 30)
    assert model({"a": torch.randn(4, 3), "b": torch.randn(4, 3)})["a"].shape == (4, 10)
