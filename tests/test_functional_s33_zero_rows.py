"""Randomised-property regressions of session 33 (helper D): an all-zero
feature row under the cosine."""
import torch

import pyg_fusion.functional as F
from pyg_fusion.nn import LEGO


def test_a_zero_feature_row_passes_no_gradient_and_both_backends_agree():
    # F.normalize's gradient at a zero row is g / 1e-12: LEGO sent 1e12 x
    # the incoming gradient into the row, and the dense backend (which keeps
    # the row's zero entries) another one than the sparse backend
    g = torch.Generator().manual_seed(107)
    x = torch.randn(5, 3, generator=g, dtype=torch.float64)
    x[2] = 0
    xd, xs = x.clone().requires_grad_(), x.clone().requires_grad_()
    W = torch.randn(5, 5, generator=g, dtype=torch.float64)
    (F.dense_relation_graph(xd) * W).sum().backward()
    ei, w = F.relation_graph(xs)
    (F.edges_to_dense(ei, w)[0] * W).sum().backward()
    assert bool((xd.grad[2] == 0).all()) and bool((xs.grad[2] == 0).all())
    torch.testing.assert_close(xd.grad, xs.grad, rtol=0, atol=1e-12)

    grads = []
    for backend in ("dense", "sparse"):
        torch.manual_seed(0)
        model = LEGO({"a": 3, "b": 2}, 2, fusion="full", zeroth="ones",
                     backend=backend).double().eval()
        xa = x.clone().requires_grad_()
        xb = torch.randn(5, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
        G = model({"a": xa, "b": xb}).to_dense()[0]
        (G * W).sum().backward()
        grads.append(xa.grad)
    assert grads[0].abs().max() < 1e3
    torch.testing.assert_close(grads[0], grads[1], rtol=0, atol=1e-9)
