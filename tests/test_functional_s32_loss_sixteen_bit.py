"""degree_variance_loss of float16 degrees (a model in .half(), outside
autocast): the loss of degrees of spread 0.015 (4.4e-8) came out 6e-8,
float16's smallest step, and a loss past 65504 came out inf. The loss is
taken in float32 for 16-bit degrees, as under autocast; the reference is
float64 on the same (rounded) degrees."""
import pytest
import torch

import pyg_fusion.functional as F


@pytest.mark.parametrize("scale", [0.015, 30.0])
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_degree_variance_loss_of_16_bit_degrees_is_float32_and_close(scale, dtype):
    g = torch.Generator().manual_seed(0)
    batch = torch.arange(8).repeat_interleave(32)
    labels = torch.tensor([0, 1] * 4)
    spread = torch.where(labels[batch] == 0, 2.0, 1.0)
    degrees = (1 + scale * spread * torch.randn(256, dtype=torch.float64, generator=g))
    degrees = degrees.to(dtype).requires_grad_()
    got = F.degree_variance_loss(degrees, batch, labels)
    want = F.degree_variance_loss(degrees.detach().double(), batch, labels)
    assert got.dtype == torch.float32 and torch.isfinite(got)
    torch.testing.assert_close(got.double(), want, rtol=1e-3, atol=0)
    got.backward()
    assert degrees.grad.dtype == dtype and torch.isfinite(degrees.grad).all()
