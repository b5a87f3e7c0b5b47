"""Our layers inside a user's own model: second derivatives (gradient
penalties, MAML-style inner loops), parametrized parameters, and state
dicts of models rebuilt with their sources in another order."""
import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

import pyg_fusion.functional as F
from device_checks import bitwise
from pyg_fusion.nn import LEGO

D = torch.float64
N = 6
# self loops, a repeated edge, a negative weight and an isolated node (5)
EI = [[0, 1, 1, 2, 0, 3, 3, 2, 4], [1, 0, 0, 2, 0, 4, 3, 0, 3]]


def _weights(device):
    w = torch.rand(9, generator=torch.Generator().manual_seed(0), dtype=D) + 0.2
    w[4] = -0.7
    return w.to(device).requires_grad_()


@pytest.mark.parametrize("prune_k", [None, 2])
def test_sparse_powers_have_exact_second_derivatives(prune_k, device):
    # The product's backward was once_differentiable: autograd.grad(...,
    # create_graph=True) pruned it, and the penalty's gradient lost the terms
    # through the powers (silently, where power 1 still carried a gradient).
    ei, w = torch.tensor(EI, device=device), _weights(device)

    def powers(w):
        return F.graph_powers(ei, w, N, 3, norm="sym", prune_k=prune_k)[1]
    with bitwise(device):
        assert gradcheck(powers, (w, ))
        assert gradgradcheck(powers, (w, ))


def _lego_penalty_gradients(backend, device):
    g = torch.Generator().manual_seed(3)
    xs = {"a": torch.randn(9, 3, generator=g, dtype=D).to(device),
          "b": torch.randn(9, 4, generator=g, dtype=D).to(device)}
    model = LEGO({"a": 3, "b": 4}, 2, proj_channels=2, k=3, backend=backend, pairs="all").double().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=torch.Generator().manual_seed(4), dtype=D))
    model = model.to(device)
    params = list(model.parameters())
    up = torch.randn(9, 9, generator=torch.Generator().manual_seed(5), dtype=D).to(device)
    loss = (model(xs).to_dense() * up).sum()
    grads = torch.autograd.grad(loss, params, create_graph=True)
    penalty = sum((gr ** 2).sum() for gr in grads)
    return torch.autograd.grad(penalty, params)


def test_gradient_penalty_through_lego_is_the_same_on_both_backends(device):
    # The user's case: the squared-gradient penalty's gradient in A was 0 on
    # the sparse backend where the dense one (and finite differences) gave
    # the terms through the powers.
    with bitwise(device):
        sparse = _lego_penalty_gradients("sparse", device)
    dense = _lego_penalty_gradients("dense", device)
    assert any(bool(d.abs().gt(1e-6).any()) for d in dense)
    for a, b in zip(sparse, dense):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-10)

