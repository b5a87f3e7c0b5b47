"""With signed weights (nonneg=None) a power's sum may cancel to exactly 0 at
an entry whose gradient is not 0. The sparse backend kept such an entry as an
edge of weight 0; the dense backend did not look for it, so the same LEGO gave
one edge fewer dense than sparse, and a layer reading the dense edge list had
no entry through which that gradient reaches the features. Both keep it now."""
import torch

from pyg_fusion.nn import LEGO

# dot similarities of these rows are never 0, but R^2[0, 1] of their kNN graph is
XA = torch.tensor([[-2., 1, -2], [-2, 1, 1], [2, 2, -2], [-2, 1, 1], [2, 2, 1], [-2, -1, 1]],
                  dtype=torch.float64)
XB = torch.rand(6, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64) + 1


def _run(backend, xa, xb):
    torch.manual_seed(0)
    m = LEGO({"a": 3, "b": 3}, 2, metric="dot", nonneg=None, norm=None, k=2,
             backend=backend).double()
    with torch.no_grad():
        for a in m.fusion.A.values():
            a.copy_(torch.rand(a.shape, generator=torch.Generator().manual_seed(1),
                               dtype=a.dtype) + 1)
    return m({"a": xa, "b": xb})


def test_dense_keeps_the_entries_of_a_power_that_cancel_as_sparse_does():
    assert bool((XA @ XA.t()).ne(0).all())
    keys, grads = {}, {}
    for backend in ("dense", "sparse"):
        xa = XA.clone().requires_grad_()
        g = _run(backend, xa, XB)
        ei, w = g.edge_index, g.edge_weight
        key = ei[1] * 6 + ei[0]
        keys[backend] = key.tolist()
        assert bool(w.eq(0).any())
        # a loss read through the edge list, as a GNN layer reads it
        weights = torch.sin(key.to(w.dtype))
        grads[backend] = torch.autograd.grad((w * weights).sum(), xa)[0]
        assert torch.allclose(g.to_dense(), _run("sparse", XA, XB).to_dense())
    assert keys["dense"] == keys["sparse"]
    assert torch.allclose(grads["dense"], grads["sparse"])
