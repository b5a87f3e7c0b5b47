"""torch.func over LEGO. vmap over the features (per-sample graphs,
per-sample gradients) failed deep in the input checks with torch's
"vmap: It looks like you're calling .item() on a Tensor", naming no argument
and no way round it; it is refused naming the argument and what works (one
padded batch, which gives the same graphs). jacfwd and hessian of the dense
backend failed on the unit rows' Function ("does not have vmap support"),
and forward mode (jvp) of an rbf graph on torch.cdist (no forward AD): they
now agree with jacrev and autograd."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.nn import LEGO

VMAP = r"xs\['a'\] is checked for NaN and Inf on the host, which torch.func.vmap cannot do"


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_vmap_over_lego_is_refused_naming_what_works(backend):
    torch.manual_seed(0)
    m = LEGO({"a": 3, "b": 3}, 2, k=3, backend=backend).double()
    xs = torch.randn(4, 6, 3, dtype=torch.float64), torch.randn(4, 6, 3, dtype=torch.float64)

    def one(a, b):
        return m({"a": a, "b": b}).to_dense()[0]
    with pytest.raises(RuntimeError, match=VMAP + r".*pass the samples as one batch"):
        torch.func.vmap(one)(*xs)
    with pytest.raises(RuntimeError, match=VMAP):
        torch.func.vmap(torch.func.grad(lambda a, b: one(a, b).sum()))(*xs)
    with pytest.raises(RuntimeError, match=r"^x is checked for NaN and Inf"):
        torch.func.vmap(F.dense_relation_graph)(xs[0])
    # what works: the samples as one padded batch, the same graphs
    batched = m({"a": xs[0], "b": xs[1]}).to_dense()
    for i in range(4):
        torch.testing.assert_close(batched[i], one(xs[0][i], xs[1][i]))


@pytest.mark.parametrize("metric", ["cosine", "dot", "rbf"])
def test_forward_mode_jacobians_of_the_dense_backend(metric):
    torch.manual_seed(0)
    m = LEGO({"a": 3, "b": 3}, 2, k=3, metric=metric, backend="dense").double()
    xa, xb = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)

    def f(a):
        return m({"a": a, "b": xb}).to_dense()
    jacobian = torch.func.jacrev(f)(xa)
    torch.testing.assert_close(torch.func.jacfwd(f)(xa), jacobian)
    tangent = torch.randn_like(xa)
    torch.testing.assert_close(torch.func.jvp(f, (xa,), (tangent,))[1],
                               (jacobian * tangent).sum((-1, -2)))

    def loss(a):
        return f(a).pow(2).sum()
    torch.testing.assert_close(torch.func.hessian(loss)(xa),
                               torch.autograd.functional.hessian(loss, xa))
