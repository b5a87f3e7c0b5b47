"""LEGOFusion's beyond-the-paper options: the intersection support (same
values, fewer edges) and training on all pairs."""
import pytest
import torch
from pyg_fusion.functional import edges_to_dense
from pyg_fusion.functional.fuse import align_pair

import pyg_fusion.functional as F
from device_checks import bitwise
from pyg_fusion.nn import LEGO, LEGOFusion


def _powers(seed=0, n=12, dtype=torch.float64, device="cpu"):
    # drawn on the CPU (the same features on every device), then moved
    g = torch.Generator().manual_seed(seed)
    xs = {s: torch.randn(n, d, generator=g, dtype=dtype).to(device)
          for s, d in (("a", 5), ("b", 3), ("c", 4))}
    return {s: F.graph_powers(*F.relation_graph(x, k=2), n, 2) for s, x in xs.items()}, n


def test_intersection_support_keeps_every_nonzero_value_and_drops_the_rest(device):
    powers, n = _powers(device=device)
    A = torch.randn(3, 3, dtype=torch.float64).to(device)
    ei_u, w_u = F.lego_fuse_sparse(*powers["a"], *powers["b"], A, n)
    ei_i, w_i = F.lego_fuse_sparse(*powers["a"], *powers["b"], A, n, support="intersection")
    assert ei_i.size(1) < ei_u.size(1) and w_i.device.type == device.type
    assert torch.equal(edges_to_dense(ei_u, w_u, max_num_nodes=n),
                       edges_to_dense(ei_i, w_i, max_num_nodes=n))
    # the dropped entries are those one of the inputs lacks
    has = [set(map(tuple, p[0].t().tolist())) for p in (powers["a"], powers["b"])]
    assert set(map(tuple, ei_i.t().tolist())) == has[0] & has[1]
    # CP form, three sources
    factors = [torch.randn(2, 3, dtype=torch.float64).to(device) for _ in range(3)]
    args = ([powers[s][0] for s in "abc"], [powers[s][1] for s in "abc"], factors, n)
    ei_u, w_u = F.lego_fuse_cp_sparse(*args)
    ei_i, w_i = F.lego_fuse_cp_sparse(*args, support="intersection")
    assert ei_i.size(1) < ei_u.size(1)
    assert torch.allclose(edges_to_dense(ei_u, w_u, max_num_nodes=n),
                          edges_to_dense(ei_i, w_i, max_num_nodes=n))
    with pytest.raises(ValueError, match="support"):
        F.lego_fuse_sparse(*powers["a"], *powers["b"], A, n, support="both")


@pytest.mark.parametrize("support", ["union", "intersection"])
def test_sparse_fusion_on_the_common_entries_equals_the_aligned_form(support, device):
    # lego_fuse_sparse evaluates x^T A y only where both inputs have an
    # entry; on arbitrary attributes (column 0 not an identity, supports
    # partly shared) it must equal the bilinear form on align_pair's rows,
    # values and gradients, including the zeros off the intersection.
    powers, n = _powers(3, device=device)
    g = torch.Generator().manual_seed(3)
    ins = [(powers[s][0], torch.randn(powers[s][1].shape, generator=g, dtype=torch.float64)
            .to(device).requires_grad_()) for s in "ab"]
    A = torch.randn(3, 3, dtype=torch.float64, generator=g).to(device).requires_grad_()
    ei, w = F.lego_fuse_sparse(*ins[0], *ins[1], A, n, support=support)
    ref_ei, xa, yb = align_pair(*ins[0], *ins[1], n, support=support)
    ref = ((xa @ A) * yb).sum(-1)
    assert torch.equal(ei, ref_ei) and w.device.type == device.type
    assert torch.allclose(w, ref, rtol=0, atol=1e-12)
    up = torch.randn(w.shape, generator=g, dtype=torch.float64).to(device)
    grads = torch.autograd.grad((w * up).sum(), [ins[0][1], ins[1][1], A])
    ref_grads = torch.autograd.grad((ref * up).sum(), [ins[0][1], ins[1][1], A])
    for got, want in zip(grads, ref_grads):
        assert torch.allclose(got, want, rtol=0, atol=1e-12)


def test_intersection_support_gradcheck(device):
    powers, n = _powers(1, n=7, device=device)
    attr_a = powers["a"][1].clone().requires_grad_()
    A = torch.randn(3, 3, dtype=torch.float64).to(device).requires_grad_()

    def f(attr, A):
        return F.lego_fuse_sparse(powers["a"][0], attr, *powers["b"], A, n,
                                  support="intersection")[1]
    assert f(attr_a, A).device.type == device.type
    with bitwise(device):  # the reentrancy check: the backward's index_add_ on CUDA
        assert torch.autograd.gradcheck(f, (attr_a, A))


def test_all_pairs_in_training_is_the_evaluated_mean(device):
    powers, n = _powers(2, device=device)
    sample = LEGOFusion(["a", "b", "c"], 2).double().to(device)
    every = LEGOFusion(["a", "b", "c"], 2, pairs="all", support="intersection").double()
    every = every.to(device)
    every.load_state_dict(sample.state_dict())
    with torch.no_grad():
        for a in sample.A.values():
            a.normal_()
        every.load_state_dict(sample.state_dict())
    sample.eval()
    every.train()
    assert len(every.active_pairs()) == 3
    dense = lambda g: edges_to_dense(g[0], g[1], max_num_nodes=n)  # noqa: E731
    assert torch.allclose(dense(every(powers, n)), dense(sample(powers, n)))
    sample.train()
    assert len(sample.active_pairs()) == 1
    assert "pairs='all'" in repr(every) and "support='intersection'" in repr(every)
    with pytest.raises(ValueError, match="pairs"):
        LEGOFusion(["a", "b"], 2, pairs="some")


def test_lego_passes_the_options_and_backends_still_agree(device):
    torch.manual_seed(0)
    xs = {s: torch.randn(9, d, dtype=torch.float64, device=device) for s, d in (("a", 4),
                                                                              ("b", 6))}
    sparse = LEGO({"a": 4, "b": 6}, 2, k=3, support="intersection",
                  backend="sparse").double().to(device)
    dense = LEGO({"a": 4, "b": 6}, 2, k=3, backend="dense").double().to(device)
    dense.load_state_dict(sparse.state_dict())
    assert sparse.fusion.support == "intersection"
    assert torch.allclose(sparse(xs).to_dense(), dense(xs).to_dense())


def test_planned_fusion_equals_the_fusion_of_the_powers(device):
    powers, n = _powers(4, device=device)
    fusion = LEGOFusion(["a", "b", "c"], 2).double().to(device)
    with torch.no_grad():
        for a in fusion.A.values():
            a.normal_()
    plan = fusion.plan(powers, n)
    dense = lambda g: edges_to_dense(g[0], g[1], max_num_nodes=n)  # noqa: E731
    fusion.eval()
    assert torch.allclose(dense(fusion.fuse_planned(plan)), dense(fusion(powers, n)))
    fusion.train()  # one sampled pair: the same pair in both calls
    torch.manual_seed(5)
    planned = dense(fusion.fuse_planned(plan))
    torch.manual_seed(5)
    assert torch.allclose(planned, dense(fusion(powers, n)))
    # gradients reach A through the plan
    fusion.fuse_planned(plan)[1].sum().backward()
    assert sum(a.grad.abs().sum() for a in fusion.A.values() if a.grad is not None) > 0
    with pytest.raises(ValueError, match="pairwise"):
        LEGOFusion(["a", "b"], 2, mode="cp").plan(powers, n)


@pytest.mark.parametrize("other", [dict(zeroth="ones"), dict(num_powers=3)])
def test_a_plan_is_fused_only_by_a_fusion_of_its_options(other):
    # a plan of zeroth='identity' (hop scores with R^0 = I, on the
    # intersection) fused by a zeroth='ones' fusion gave another G, silently;
    # one of other powers failed in torch ('mat1 and mat2 shapes')
    powers, n = _powers()
    plan = LEGOFusion(["a", "b", "c"], 2).double().plan(powers, n)
    fusion = LEGOFusion(["a", "b", "c"], **{"num_powers": 2, **other}).double()
    with pytest.raises(ValueError, match=r"plan must come from plan\(\) of a fusion of these "
                                         r"options \(pairs, zeroth, support, num_powers\)"):
        fusion.fuse_planned(plan)
    with pytest.raises(TypeError, match="plan's hop scores is torch.float64"):
        LEGOFusion(["a", "b", "c"], 2).fuse_planned(plan)


@pytest.mark.parametrize("backend", ["auto", "torch"])
@pytest.mark.parametrize("support", ["union", "intersection"])
def test_sparse_fusion_of_shuffled_edge_lists_equals_the_sorted_ones(backend, support,
                                                                     monkeypatch, device):
    # each input's entries are found in the other through their edges, not
    # their order: shuffled inputs give the same fused graph
    from pyg_fusion.functional import _csr
    monkeypatch.setattr(_csr, "BACKEND", backend)
    powers, n = _powers(4, device=device)
    g = torch.Generator().manual_seed(4)
    A = torch.randn(3, 3, dtype=torch.float64, generator=g).to(device)
    # b: a's support (the intersection is all of it) plus c's, other values
    ei_b, _ = F.lego_fuse_sparse(*powers["a"], *powers["c"], A, n)
    ins = [powers["a"], (ei_b, torch.randn(ei_b.size(1), 3, dtype=torch.float64, generator=g)
                         .to(device))]
    ref_ei, ref_w = F.lego_fuse_sparse(*ins[0], *ins[1], A, n, support=support)
    assert (ref_w != 0).sum() > 10
    shuffled = []
    for ei, attr in ins:
        perm = torch.randperm(ei.size(1), generator=g).to(device)
        shuffled += [ei[:, perm], attr[perm]]
    ei, w = F.lego_fuse_sparse(*shuffled, A, n, support=support)
    assert torch.equal(ei, ref_ei) and torch.equal(w, ref_w)


@pytest.mark.parametrize("mode", ["pairwise", "cp", "full"])
@pytest.mark.parametrize("zeroth", ["identity", "ones"])
def test_fusion_without_zeros_is_the_fusion_with_its_zeros_dropped(mode, zeroth, device):
    # LEGO asks for keep_zeros=False (FusedGraph drops zeros): the non-zero
    # entries are the same, bit for bit
    powers, n = _powers(5, device=device)
    torch.manual_seed(5)
    fusion = LEGOFusion(["a", "b", "c"], 2, mode=mode, pairs="all", zeroth=zeroth).double()
    with torch.no_grad():
        for p in fusion.parameters():
            p.copy_(torch.randn(p.shape, dtype=p.dtype))
    fusion = fusion.to(device)
    ei, w = fusion(powers, n)
    ei_nz, w_nz = fusion(powers, n, keep_zeros=False)
    keep = w != 0
    assert torch.equal(ei_nz[:, w_nz != 0], ei[:, keep]) and torch.equal(w_nz[w_nz != 0], w[keep])
    if zeroth == "identity":
        assert ei_nz.size(1) < ei.size(1)


@pytest.mark.parametrize("mode", ["pairwise", "cp", "full"])
def test_powers_of_another_p_name_the_powers(mode):
    # a standalone LEGOFusion fed P = 2 for source 'a' blamed A's (or the CP
    # factors') shape, which the user never gave
    fusion = LEGOFusion(["a", "b"], num_powers={"a": 3, "b": 1}, mode=mode)
    dense = {"a": torch.rand(1, 3, 4, 4), "b": torch.rand(1, 2, 4, 4)}
    with pytest.raises(ValueError) as err:
        fusion(dense)
    assert str(err.value) == ("powers['a'] holds P = 2 (powers['a']: [..., P+1, N, N], got "
                              "(1, 3, 4, 4)), but the operator was built for num_powers['a'] = 3")
    ei = torch.tensor([[0, 1], [1, 0]])
    sparse = {"a": (ei, torch.rand(2, 4)), "b": (ei, torch.rand(2, 3))}
    calls = [lambda: fusion(sparse, 2)] + ([lambda: fusion.plan(sparse, 2)]
                                           if mode == "pairwise" else [])
    for call in calls:
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == ("powers['b'] holds P = 2 (powers['b'][1]: [E, P+1], got "
                                  "(2, 3)), but the operator was built for num_powers['b'] = 1")
    right = {"a": torch.rand(1, 4, 4, 4), "b": dense["b"]}  # the product start
    torch.testing.assert_close(fusion(right), right["a"][:, 1] * right["b"][:, 1])


def test_cp_start_noise_is_as_documented():
    # the docstring wrote N(0, 0.1), which reads as a variance of 0.1 too:
    # the noise has standard deviation 0.1 (variance 0.01), on every entry
    import inspect
    doc = " ".join(inspect.getdoc(LEGOFusion).split())
    assert "plus Gaussian noise of standard deviation 0.1" in doc and "N}(0, 0.1)" not in doc
    torch.manual_seed(0)
    fusion = LEGOFusion(["a", "b"], num_powers=3, mode="cp", rank=5000)
    for f in fusion.factors.values():
        noise = f.detach() - torch.tensor([0.0, 1.0, 0.0, 0.0])
        assert abs(float(noise.std()) - 0.1) < 0.002 and abs(float(noise.mean())) < 0.002
        assert abs(float(noise[:, 0].std()) - 0.1) < 0.005  # entries that start at 0 too
