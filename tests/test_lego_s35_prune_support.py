"""``prune_k`` kept different entries on the two backends where a row of a
product had fewer than ``prune_k`` non-zero entries: the dense powers kept
the whole row (every zero, on the product's support or not) and the sparse
product the ``prune_k`` of its support, zeros by smaller column; the values
agreed, the gradients through the kept zeros did not (LEGO with dot
similarities of zero or integer features). Both now follow one rule: a
prune ranks the entries of the product's support only (the entries a path
of edges reaches, zero weights included; ``dense_graph_powers``' ``support``,
LEGO's relationship graphs' edges), ties to the smaller column."""
import pytest
import torch

import pyg_fusion.functional as F
from pyg_fusion.nn import LEGO

D = torch.float64


def _graph():
    # node 0 has edges to 1..5, all but one of weight 0: its rows of R^2
    # have fewer non-zeros than prune_k=2 but more entries on the support
    ei = torch.tensor([[1, 2, 3, 4, 5, 0, 1, 0, 2, 3, 0, 5],
                       [0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 4, 5]])
    w = torch.tensor([1.5, 0, 0, 0, 0, 0.7, 1, 0, 0.4, 1, 0, 0], dtype=D)
    return ei, w


@pytest.mark.parametrize("norm", [None, "row"])
@pytest.mark.parametrize("prune_k", [1, 2, 3])
def test_dense_powers_on_a_support_are_the_sparse_ones(norm, prune_k):
    ei, w = _graph()
    up = torch.randn(6, 6, 4, generator=torch.Generator().manual_seed(0), dtype=D)
    ws = w.clone().requires_grad_()
    idx, attr = F.graph_powers(ei, ws, 6, 3, norm=norm, prune_k=prune_k)
    sparse = torch.zeros(6, 6, 4, dtype=D).index_put((idx[1], idx[0]), attr)
    (attr * up[idx[1], idx[0]]).sum().backward()
    adj = torch.zeros(6, 6, dtype=D).index_put((ei[1], ei[0]), w).requires_grad_()
    support = torch.zeros(6, 6, dtype=torch.bool).index_put((ei[1], ei[0]),
                                                            torch.tensor(True))
    dense = F.dense_graph_powers(adj, 3, norm, prune_k=prune_k, support=support)
    (dense.permute(1, 2, 0) * up).sum().backward()
    assert torch.equal(dense.detach().permute(1, 2, 0), sparse.detach())
    torch.testing.assert_close(adj.grad[ei[1], ei[0]], ws.grad, rtol=0, atol=1e-12)


def test_a_support_of_another_shape_is_refused():
    with pytest.raises(ValueError, match="support must be a bool tensor of adj's shape"):
        F.dense_graph_powers(torch.eye(3), 2, prune_k=1, support=torch.ones(2, 2).bool())


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_pruned_powers_on_a_support_pass_gradcheck(backend):
    ei, w = _graph()
    # no zero and no tied weights: finite differences keep the kept entries
    w = (w + 0.3 + 0.07 * torch.arange(w.numel(), dtype=D)).requires_grad_()
    support = torch.zeros(6, 6, dtype=torch.bool).index_put((ei[1], ei[0]),
                                                            torch.tensor(True))
    if backend == "sparse":
        f = lambda w: F.graph_powers(ei, w, 6, 3, norm="sym", prune_k=2)[1]  # noqa: E731
    else:
        f = lambda w: F.dense_graph_powers(  # noqa: E731
            torch.zeros(6, 6, dtype=D).index_put((ei[1], ei[0]), w), 3, "sym", prune_k=2,
            support=support)
    assert torch.autograd.gradcheck(f, (w, ))


def _features(kind, n, d, g):
    if kind == "zero":
        x = torch.randn(n, d, generator=g, dtype=D)
        x[0] = x[-1] = 0
    elif kind == "int":
        x = torch.randint(-1, 2, (n, d), generator=g).to(D)
    elif kind == "onehot":
        x = torch.nn.functional.one_hot(torch.randint(0, d, (n, ), generator=g), d).to(D)
    else:  # a duplicated unit
        x = torch.randn(n, d, generator=g, dtype=D)
        x[-1] = x[0]
    return x


# the cases of a seeded property check that found the defect (metric dot:
# exact zeros of zero and integer features)
CASES = [
    dict(kinds="zero int", sizes=[5], P=3,
         kw=dict(nonneg=None, norm=None, fusion="pairwise", zeroth="ones", support="shared",
                 k=7, prune_k=4)),
    dict(kinds="dup int", sizes=[3], P=3, seed=4,
         kw=dict(nonneg=None, norm=None, fusion="cp", rank=2, zeroth="identity",
                 support="shared", prune_k=2)),
    dict(kinds="onehot int", sizes=[6, 2], P=2, seed=0,
         kw=dict(nonneg="clamp", norm="row", fusion="cp", rank=2, zeroth="ones",
                 support="shared", prune_k=2)),
    dict(kinds="onehot zero", sizes=[5], P=2, seed=2,
         kw=dict(nonneg="clamp", norm=None, fusion="pairwise", zeroth="ones", support="union",
                 prune_k=1), assign=[0, 0, 2, 2, 4]),
    dict(kinds="zero onehot", sizes=[4, 0, 3], P=3,
         kw=dict(nonneg=None, norm="sym", fusion="full", zeroth="identity", support="union",
                 k=2, prune_k=2)),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_lego_backends_prune_alike(case):
    c = CASES[case]
    g = torch.Generator().manual_seed(c.get("seed", case))
    n, kinds = sum(c["sizes"]), c["kinds"].split()
    x = {"a": _features(kinds[0], n, 3, g), "b": _features(kinds[1], n, 2, g)}
    dims, assign = {"a": 3, "b": 2}, None
    if "assign" in c:  # b pooled from finer units
        assign = {"b": torch.tensor(c["assign"])}
        x["b"] = _features(kinds[1], len(c["assign"]), 2, g)
    batch = torch.cat([torch.full((s, ), i) for i, s in enumerate(c["sizes"])])
    up = None
    got = {}
    for backend in ("dense", "sparse"):
        torch.manual_seed(0)
        m = LEGO(dims, c["P"], metric="dot", backend=backend, **c["kw"]).double().eval()
        with torch.no_grad():
            gg = torch.Generator().manual_seed(1)
            for p in m.fusion.parameters():
                p.copy_(torch.randn(p.shape, generator=gg, dtype=p.dtype))
        xs = {s: v.clone().requires_grad_() for s, v in x.items()}
        out = m(xs, batch, assign=assign, batch_size=len(c["sizes"]))
        dense = out.to_dense()
        if up is None:
            up = torch.randn(dense.shape, generator=torch.Generator().manual_seed(2), dtype=D)
        (dense * up).sum().backward()
        ei = out.edge_index
        got[backend] = (dense.detach(), [xs[s].grad for s in "ab"],
                        sorted((ei[1] * 100 + ei[0]).tolist()))
    (vd, gd, ed), (vs, gs, es) = got["dense"], got["sparse"]
    torch.testing.assert_close(vd, vs, rtol=1e-9, atol=1e-9)
    for a, b in zip(gd, gs):
        torch.testing.assert_close(a, b, rtol=1e-7, atol=1e-7 * max(1.0, float(a.abs().max())))
    assert ed == es
