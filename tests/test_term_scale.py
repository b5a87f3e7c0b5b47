"""Scale-normalised terms of the LEGO operator (``term_scale``): each term
brought to the scale of the product term (per-graph mean absolute or RMS
entry over the support), dense == sparse (one graph and a batch), gradients,
the start, errors."""
import itertools

import pytest
import torch

import pyg_fusion.functional as F
from device_checks import bitwise
from pyg_fusion.functional.term_scale import term_scales
from pyg_fusion.nn import LEGO, LEGOFusion
from pyg_fusion.specs import MethodSpec

N = 9


def _features(m, seed, device="cpu"):
    torch.manual_seed(seed)
    return [torch.randn(N, 3 + i, dtype=torch.float64).to(device) for i in range(m)]


def _sources(m, seed=0, k=4, device="cpu"):
    xs = _features(m, seed, device)
    dense = [F.dense_graph_powers(F.dense_topk(F.dense_relation_graph(x), k), 1 + i % 3)
             for i, x in enumerate(xs)]
    sparse = [F.graph_powers(*F.relation_graph(x, k=k), N, 1 + i % 3) for i, x in enumerate(xs)]
    return dense, sparse


def _flat(sparse):
    return [s[0] for s in sparse], [s[1] for s in sparse]


@pytest.mark.parametrize("kind", ["mean", "rms"])
@pytest.mark.parametrize("zeroth", ["identity", "ones"])
def test_full_fusion_brings_each_term_to_the_product_scale(kind, zeroth, device):
    dense, _ = _sources(3, device=device)
    A = torch.randn(*[pw.size(-3) for pw in dense], dtype=torch.float64).to(device)
    on = torch.stack([(pw != 0).any(0) for pw in dense]).any(0)
    pw = [torch.cat([on.to(p.dtype)[None], p[1:]]) if zeroth == "ones" else p for p in dense]

    def scale(t):
        v = t[on].abs().mean() if kind == "mean" else t[on].square().mean().sqrt()
        return v if v > 0 else torch.ones_like(v)

    ref = scale(pw[0][1] * pw[1][1] * pw[2][1])
    want = torch.zeros(N, N, dtype=torch.float64, device=device)
    for idx in itertools.product(*[range(p.size(0)) for p in pw]):
        t = pw[0][idx[0]] * pw[1][idx[1]] * pw[2][idx[2]]
        want += A[idx] * t * ref / scale(t)
    got = F.lego_fuse_full(dense, A, zeroth=zeroth, term_scale=kind)
    assert got.device.type == device.type
    torch.testing.assert_close(got, want, rtol=0, atol=1e-9)
    # every non-zero term has the product's scale; the product itself is unchanged
    for idx in [(1, 1, 1), (0, 2, 0), (1, 0, 3)]:
        unit = torch.zeros_like(A)
        unit[idx] = 1.0
        t = F.lego_fuse_full(dense, unit, zeroth=zeroth, term_scale=kind)
        if t.abs().sum() > 0:
            assert float(scale(t)) == pytest.approx(float(ref), rel=1e-12)
        if idx == (1, 1, 1):
            torch.testing.assert_close(t, F.lego_fuse_full(dense, unit, zeroth=zeroth),
                                       rtol=1e-12, atol=0)


@pytest.mark.parametrize("kind", ["mean", "rms"])
@pytest.mark.parametrize("zeroth", ["identity", "ones"])
def test_dense_equals_sparse_full_and_pairwise(kind, zeroth, device):
    dense, sparse = _sources(3, seed=1, device=device)
    A = torch.randn(*[pw.size(-3) for pw in dense], dtype=torch.float64).to(device)
    zeros = torch.zeros(N, dtype=torch.long, device=device)
    ei, w = F.lego_fuse_full_sparse(*_flat(sparse), A, N, zeroth=zeroth, term_scale=kind)
    assert ei.device.type == w.device.type == device.type
    got = F.edges_to_dense(ei, w, zeros)[0]
    want = F.lego_fuse_full(dense, A, zeroth=zeroth, term_scale=kind)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-9)
    # two sources: the pairwise functions are the full operator's case
    A2 = A[:, :, 0].contiguous()
    pair = F.lego_fuse(dense[0], dense[1], A2, zeroth=zeroth, term_scale=kind)
    torch.testing.assert_close(pair, F.lego_fuse_full(dense[:2], A2, zeroth=zeroth,
                                                      term_scale=kind), rtol=0, atol=1e-12)
    ei, w = F.lego_fuse_sparse(*sparse[0], *sparse[1], A2, N, zeroth=zeroth, term_scale=kind)
    assert pair.device.type == w.device.type == device.type
    torch.testing.assert_close(F.edges_to_dense(ei, w, zeros)[0], pair, rtol=0, atol=1e-9)


@pytest.mark.parametrize("kind", ["mean", "rms"])
def test_scales_are_per_graph_in_a_batch(kind, device):
    (d1, s1), (d2, s2) = _sources(3, seed=1, device=device), _sources(3, seed=4, device=device)
    A = torch.randn(*[pw.size(-3) for pw in d1], dtype=torch.float64).to(device)
    dense = [torch.stack([a, b]) for a, b in zip(d1, d2)]
    want = F.lego_fuse_full(dense, A, zeroth="ones", term_scale=kind)
    torch.testing.assert_close(want[1], F.lego_fuse_full(d2, A, zeroth="ones", term_scale=kind),
                               rtol=0, atol=1e-12)
    idx = [torch.cat([a[0], b[0] + N], 1) for a, b in zip(s1, s2)]
    val = [torch.cat([a[1], b[1]]) for a, b in zip(s1, s2)]
    batch = torch.arange(2, device=device).repeat_interleave(N)
    ei, w = F.lego_fuse_full_sparse(idx, val, A, 2 * N, zeroth="ones", term_scale=kind,
                                    batch=batch)
    assert want.device.type == w.device.type == device.type
    torch.testing.assert_close(F.edges_to_dense(ei, w, batch), want, rtol=0, atol=1e-9)
    scales = term_scales([pw.movedim(-3, -1) for pw in dense], kind)
    assert scales.device.type == device.type
    assert tuple(scales.shape) == (2, ) + tuple(A.shape) and not torch.equal(scales[0],
                                                                            scales[1])


@pytest.mark.parametrize("kind", ["mean", "rms"])
def test_gradcheck_dense_and_sparse(kind, device):
    dense, sparse = _sources(3, seed=2, device=device)
    A = torch.randn(*[pw.size(-3) for pw in dense], dtype=torch.float64).to(device)
    A.requires_grad_()
    # the support (and so each scale's count) follows the powers' zeros: the
    # powers' gradients are checked on graphs without zeros, the full graphs
    pw = [F.dense_graph_powers(F.dense_relation_graph(x, nonneg="shift"), p.size(-3) - 1)
          .requires_grad_() for x, p in zip(_features(3, seed=2, device=device), dense)]
    assert all((p != 0).any(0).all() for p in pw)
    assert F.lego_fuse_full(pw, A, term_scale=kind).device.type == device.type
    assert torch.autograd.gradcheck(
        lambda a, *p: F.lego_fuse_full(list(p), a, term_scale=kind), (A, *pw), fast_mode=True)
    # the same full graphs as edge lists (entry (i, j) is the edge j -> i)
    i, j = torch.meshgrid(torch.arange(N, device=device), torch.arange(N, device=device),
                          indexing="ij")
    idx = [torch.stack([j.flatten(), i.flatten()])] * 3
    vals = [p.detach().flatten(1).t().clone().requires_grad_() for p in pw]
    sparse_fn = lambda a, *v: F.lego_fuse_full_sparse(  # noqa: E731
        idx, list(v), a, N, term_scale=kind)[1]
    torch.testing.assert_close(sparse_fn(A, *vals).view(N, N),
                               F.lego_fuse_full(pw, A, term_scale=kind), rtol=0, atol=1e-9)
    # gradcheck wants the same bits from two backward passes: on CUDA the
    # per-graph operators' gradient (index_select's backward) adds by atomics
    with bitwise(device):
        assert torch.autograd.gradcheck(sparse_fn, (A, *vals), fast_mode=True)
    A1 = A.detach().clone().requires_grad_()  # kNN graphs, zeroth="ones": A alone moves
    with bitwise(device):
        assert torch.autograd.gradcheck(
            lambda a: F.lego_fuse_full_sparse(*_flat(sparse), a, N, zeroth="ones",
                                              term_scale=kind)[1], (A1, ), fast_mode=True)
    A2 = torch.randn(dense[0].size(-3), dense[1].size(-3), dtype=torch.float64).to(device)
    A2.requires_grad_()
    assert torch.autograd.gradcheck(
        lambda a: F.lego_fuse(dense[0], dense[1], a, term_scale=kind), (A2, ), fast_mode=True)


@pytest.mark.parametrize("mode", ["pairwise", "full"])
def test_start_is_the_plain_product(mode, device):
    dense, _ = _sources(3, device=device)
    sources = "abc" if mode == "full" else "ab"
    powers = {s: torch.stack([pw, pw.flip(-1).flip(-2)]) for s, pw in zip(sources, dense)}
    plain = LEGOFusion(list(sources), {s: powers[s].size(-3) - 1 for s in sources},
                       mode=mode, zeroth="ones").double().to(device).eval()
    scaled = LEGOFusion(list(sources), {s: powers[s].size(-3) - 1 for s in sources},
                        mode=mode, zeroth="ones", term_scale="mean").double().to(device).eval()
    assert scaled(powers).device.type == device.type
    torch.testing.assert_close(scaled(powers), plain(powers), rtol=1e-12, atol=0)
    with torch.no_grad():  # elsewhere the terms weigh differently
        plain.A.add_(0.1) if mode == "full" else [a.add_(0.1) for a in plain.A.values()]
        scaled.load_state_dict(plain.state_dict())
    assert not torch.allclose(scaled(powers), plain(powers))


@pytest.mark.parametrize("zeroth,term_scale", [("ones", "rms"), ("identity", "mean")])
def test_lego_sparse_batch_equals_dense(zeroth, term_scale, device):
    # with R^0 = I the sparse LEGO fuses on the intersection only; the term
    # scales (ratios of moments over the same entries) equal the dense ones
    torch.manual_seed(0)
    xs = {s: torch.randn(14, d, dtype=torch.float64).to(device)
          for s, d in (("a", 4), ("b", 6), ("c", 5))}
    batch = torch.tensor([0] * 6 + [1] * 8, device=device)
    kw = dict(k=3, fusion="full", zeroth=zeroth, term_scale=term_scale, norm="row")
    sparse = LEGO({"a": 4, "b": 6, "c": 5}, 2, backend="sparse", **kw).double()
    dense = LEGO({"a": 4, "b": 6, "c": 5}, 2, backend="dense", **kw).double()
    with torch.no_grad():
        sparse.fusion.A.normal_()
    dense.load_state_dict(sparse.state_dict())
    sparse, dense = sparse.to(device), dense.to(device)
    gs = sparse(xs, batch).to_dense()
    assert gs.device.type == device.type
    torch.testing.assert_close(gs, dense(xs, batch).to_dense(), rtol=0, atol=1e-9)


def test_errors_and_options():
    dense, sparse = _sources(2)
    A = torch.randn(dense[0].size(-3), dense[1].size(-3), dtype=torch.float64)
    with pytest.raises(ValueError, match="term_scale must be one of"):
        F.lego_fuse(*dense, A, term_scale="max")
    with pytest.raises(ValueError, match="term_scale must be one of"):
        F.lego_fuse_full_sparse(*_flat(sparse), A, N, term_scale="sum")
    with pytest.raises(ValueError, match="batch must have one entry per node"):
        F.lego_fuse_sparse(*sparse[0], *sparse[1], A, N, term_scale="mean",
                           batch=torch.zeros(N - 1, dtype=torch.long))
    with pytest.raises(ValueError, match="term_scale must be one of"):
        LEGOFusion(["a", "b"], 2, term_scale="yes")
    with pytest.raises(ValueError, match="term_scale='mean' needs mode='pairwise' or 'full'"):
        LEGOFusion(["a", "b"], 2, mode="cp", term_scale="mean")
    fusion = LEGOFusion(["a", "b"], 2, term_scale="rms")
    assert "term_scale='rms'" in repr(fusion)
    with pytest.raises(ValueError, match="term_scale='none'"):
        fusion.plan({"a": sparse[0], "b": sparse[1]}, N)
    # the option and its flag; a spec saved before it existed loads the plain terms
    assert MethodSpec.create("lego", "vad", {"term_scale": "mean"}).fusion.term_scale == "mean"
    saved = MethodSpec.create("lego", "vad").to_dict()
    del saved["fusion"]["term_scale"]
    assert MethodSpec.from_dict(saved).fusion.term_scale == "none"


@pytest.mark.parametrize("kind", ["mean", "rms"])
def test_a_graph_whose_product_term_is_zero_is_the_same_on_both_backends(kind, device):
    """The factor is a ratio of sums over one support, with no entry count in
    it: the dense backend (union of the supports) and sparse LEGO (their
    intersection) agree also on a graph where the product term is 0."""
    from pyg_fusion.nn import LEGO
    torch.manual_seed(0)
    batch = torch.tensor([0] * 4 + [1] * 5, device=device)
    xs = {"a": torch.randn(9, 3, dtype=torch.float64).to(device),
          "b": torch.randn(9, 3, dtype=torch.float64).to(device)}
    xs["a"][:4] = 0           # dot similarity: graph 0 of source a is all zero
    g = {}
    for backend in ("dense", "sparse"):
        model = LEGO({"a": 3, "b": 3}, 2, k=2, metric="dot", term_scale=kind,
                     backend=backend).double().to(device)
        with torch.no_grad():
            model.fusion.A["a|b"].fill_(0.3)
        g[backend] = model(xs, batch).to_dense()
        assert g[backend].device.type == device.type
    torch.testing.assert_close(g["dense"], g["sparse"], rtol=0, atol=1e-12)
