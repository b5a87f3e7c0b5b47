"""LEGO's sparse backend dropped the entries of a source that are 0 in every
power (to read the same support as the dense backend): with dot similarity
and an all-zero feature row, or orthogonal one-hot rows, those entries are 0
but move with the features, and their gradient was 0 where the dense
backend's is the true derivative. Both backends now agree (float64)."""
import itertools

import pytest
import torch

from pyg_fusion.nn import LEGO


def _features(kind):
    g = torch.Generator().manual_seed(0)
    x = {"a": torch.randn(7, 3, dtype=torch.float64, generator=g),
         "b": torch.randn(7, 3, dtype=torch.float64, generator=g)}
    if kind == "zero_row":
        x["a"][2] = 0
    else:  # one-hot rows: exact zeros between different classes
        x["a"] = torch.nn.functional.one_hot(torch.tensor([0, 1, 2, 0, 1, 2, 0]), 3).double()
    return x


def _fused(backend, x, batch, **kw):
    torch.manual_seed(1)
    m = LEGO({"a": 3, "b": 3}, 2, backend=backend, **kw).double()
    with torch.no_grad():
        for a in m.fusion.A.values():
            a.copy_(torch.randn(a.shape, generator=torch.Generator().manual_seed(2),
                                dtype=a.dtype))

    def run(xa, xb, edges=False):
        out = m({"a": xa, "b": xb}, batch)
        return out.edge_index if edges else out.to_dense()
    return run


def _keys(edge_index):
    return sorted((edge_index[1] * 100 + edge_index[0]).tolist())


CONFIGS = list(itertools.product(["zero_row", "one_hot"], ["dot", "cosine"],
                                 ["identity", "ones"], [None, "row"], [None, "clamp"], [2, None],
                                 ["union", "shared"]))


@pytest.mark.parametrize("kind,metric,zeroth,norm,nonneg,k,support", CONFIGS)
def test_dense_and_sparse_agree_on_zero_entries(kind, metric, zeroth, norm, nonneg, k, support):
    x = _features(kind)
    batch = torch.tensor([0, 0, 0, 0, 1, 1, 1])
    kw = dict(metric=metric, zeroth=zeroth, norm=norm, nonneg=nonneg, k=k,
              threshold=None if k else -1e9, support=support)
    w = torch.randn(2, 4, 4, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    got = {}
    for backend in ("dense", "sparse"):
        f = _fused(backend, x, batch, **kw)
        xa, xb = (x[s].clone().requires_grad_() for s in "ab")
        g = f(xa, xb)
        (g * w).sum().backward()
        got[backend] = (g.detach(), xa.grad, xb.grad)
        # the same entries on both backends (LEGO's edge list: GAT's, SAGE's neighbours)
        got[backend + " edges"] = _keys(f(x["a"], x["b"], edges=True))
    assert got["dense edges"] == got["sparse edges"]
    for d, s in zip(got["dense"], got["sparse"]):
        torch.testing.assert_close(s, d, rtol=0, atol=1e-9)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_gradcheck_through_a_zero_row(backend):
    x = _features("zero_row")
    # a full graph: a kNN choice among the zero row's tied similarities, and
    # zeroth="ones" (1 where some power is non-zero), are not smooth there
    f = _fused(backend, x, None, metric="dot", norm=None, nonneg=None)
    xa = x["a"].clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda a: f(a, x["b"]), (xa, ), fast_mode=True)


@pytest.mark.parametrize("nonneg", [None, "clamp"])
def test_coarsened_source_with_zero_rows(nonneg):
    # a source of finer units pooled to the nodes (assign): its pooled
    # entries that are 0 with a gradient stay on both backends
    g = torch.Generator().manual_seed(4)
    x = {"a": torch.randn(5, 3, generator=g, dtype=torch.float64),
         "c": torch.randn(7, 2, generator=g, dtype=torch.float64)}
    x["c"][[1, 4]] = 0
    assign = {"c": torch.tensor([0, 1, 1, 2, 3, 3, 4])}
    got = {}
    for backend in ("dense", "sparse"):
        torch.manual_seed(1)
        m = LEGO({"a": 3, "c": 2}, 2, backend=backend, metric="dot", nonneg=nonneg,
                 norm=None, k=2, zeroth="ones").double()
        xs = {s: v.clone().requires_grad_() for s, v in x.items()}
        out = m(xs, assign=assign)
        out.to_dense().sum().backward()
        got[backend] = (out.to_dense().detach(), xs["c"].grad, _keys(out.edge_index))
    for d, s in zip(got["dense"][:2], got["sparse"][:2]):
        torch.testing.assert_close(s, d, rtol=0, atol=1e-9)
    assert got["dense"][2] == got["sparse"][2]
