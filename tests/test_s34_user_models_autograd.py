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



@pytest.mark.parametrize("side", ["a", "g"])
def test_second_derivatives_over_many_blocks_and_chunks_from_either_side(side, monkeypatch):
    # the backward accumulates chunk by chunk in place: recorded as such
    from pyg_fusion.functional import _spgemm_backward
    monkeypatch.setattr(_spgemm_backward, "SIDE", side)
    monkeypatch.setattr(_spgemm_backward, "CHUNK", 4)
    monkeypatch.setattr(_spgemm_backward, "ROWS", 3)
    g = torch.Generator().manual_seed(0)
    ei = torch.unique(torch.randint(0, 8, (2, 20), generator=g), dim=1)
    w = (torch.rand(ei.size(1), generator=g, dtype=D) + 0.2).requires_grad_()
    assert gradgradcheck(lambda w: F.graph_powers(ei, w, 8, 2, norm="row", prune_k=3)[1], (w, ))

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


class _Symmetric(torch.nn.Module):
    # a constraint a user registers on the operator (with its right_inverse,
    # so that the operator can be assigned)
    def forward(self, a):
        return (a + a.t()) / 2

    def right_inverse(self, a):
        return a


@pytest.mark.parametrize("kw,owner,leaf", [
    (dict(shared=True), "", "A"), (dict(), "A", "a|b"), (dict(mode="full"), "", "A"),
    (dict(mode="cp", rank=2), "factors", "a")])
def test_lego_fusion_with_a_parametrized_operator(kw, owner, leaf):
    from torch.nn.utils import parametrize

    from pyg_fusion.nn import LEGOFusion
    torch.manual_seed(0)
    plain = LEGOFusion(["a", "b"], 2, lambda_anchor=1.0, **kw)
    torch.manual_seed(0)
    op = LEGOFusion(["a", "b"], 2, lambda_anchor=1.0, **kw)
    parametrization = torch.nn.Identity() if kw.get("mode") == "cp" else _Symmetric()
    parametrization.right_inverse = lambda a: a
    parametrize.register_parametrization(op.get_submodule(owner), leaf, parametrization)
    original = dict(op.named_parameters())[
        f"{owner}{'.' if owner else ''}parametrizations.{leaf}.original"]
    # penalty() raised AttributeError 'start_..._parametrizations_..._original'
    assert op.penalty().item() == 0
    with torch.no_grad():
        original.add_(0.25)
    value = getattr(op.get_submodule(owner), leaf)
    expected = ((value - getattr(plain.get_submodule(owner), leaf)) ** 2).sum()
    penalty = op.penalty()
    assert torch.allclose(penalty, expected)
    penalty.backward()
    assert original.grad is not None and bool(original.grad.ne(0).any())
    # the state dict (start buffers and the original) goes into a fresh model
    # built the same way, with or without the starts (saved before they were kept)
    state = op.state_dict()
    assert sorted(k for k in state if k.startswith("start_")) == sorted(
        k for k in plain.state_dict() if k.startswith("start_"))
    for saved in (state, {k: v for k, v in state.items() if not k.startswith("start_")}):
        torch.manual_seed(0)
        again = LEGOFusion(["a", "b"], 2, lambda_anchor=1.0, **kw)
        parametrize.register_parametrization(again.get_submodule(owner), leaf, parametrization)
        again.load_state_dict(saved)
        assert torch.equal(again.penalty(), op.penalty().detach())
    # reset_parameters() wrote into a computed tensor (no effect) or raised
    torch.manual_seed(1)
    op.reset_parameters()
    torch.manual_seed(1)
    plain.reset_parameters()
    assert torch.equal(getattr(op.get_submodule(owner), leaf),
                       getattr(plain.get_submodule(owner), leaf))
    assert op.penalty().item() == 0
    if op.mode == "pairwise":
        assert torch.equal(op.operator("a", "b"), plain.operator("a", "b"))


class _Positive(torch.nn.Module):
    def forward(self, x):
        return torch.nn.functional.softplus(x)

    def right_inverse(self, y):
        return y + torch.log(-torch.expm1(-y))  # softplus's inverse


@pytest.mark.parametrize("build,name", [
    ("label_prop", "log_scale"), ("translator", "alpha"), ("segmenter", "alpha")])
def test_reset_parameters_writes_through_a_parametrization(build, name):
    # reset_parameters() wrote into the tensor the parametrization computes,
    # which is thrown away: the parameter kept its trained value
    from torch.nn.utils import parametrize

    from pyg_fusion.nn import LabelPropagationHead
    from pyg_fusion.nn.asym import AsymFusionTranslator, asym_fusion_segmenter
    module = {"label_prop": lambda: LabelPropagationHead(scale=2.0),
              "translator": lambda: AsymFusionTranslator(2, 3, 3, ngf=4, num_downs=3),
              "segmenter": lambda: asym_fusion_segmenter(
                  3, depth=None, block="basic", layers=(1, 1, 1, 1), width=4,
                  decoder_features=4, light=True, share=False)}[build]()
    fresh = getattr(module, name).detach().clone()
    parametrize.register_parametrization(module, name, _Positive())
    torch.testing.assert_close(getattr(module, name), fresh)
    with torch.no_grad():
        module.parametrizations[name].original.add_(1.0)
    module.reset_parameters()
    torch.testing.assert_close(getattr(module, name), fresh)


def _without_order(state: dict) -> dict:
    # a state dict as saved before the order was kept
    return {k: v for k, v in state.items() if not k.endswith("_extra_state")}


def test_a_model_rebuilt_with_its_sources_in_another_order_refuses_the_state(tmp_path):
    # the in_channels order fixes AsymGraphFusion's exchange cycle and which
    # private norm belongs to which source, and FeatureFusion's concatenation
    # (the next layer's columns): another order loaded silently, swapped
    from pyg_fusion.nn.asym import AsymGraphFusion
    from pyg_fusion.nn.baselines import FeatureFusion

    def user_model(order, mode="concat"):
        ic = {s: {"a": 3, "b": 5}[s] for s in order}
        return torch.nn.ModuleDict({"asym": AsymGraphFusion(ic, 6),
                                    "feat": FeatureFusion(ic, mode=mode),
                                    "lin": torch.nn.Linear(8, 2)})
    torch.manual_seed(0)
    saved = user_model("ab")
    state = saved.state_dict()
    torch.save(state, tmp_path / "m.pt")
    state = torch.load(tmp_path / "m.pt", weights_only=True)
    user_model("ab").load_state_dict(state)
    with pytest.raises(RuntimeError, match=r"AsymGraphFusion was saved with its sources in the "
                       r"order \['a', 'b'\].*this one has \['b', 'a'\]"):
        user_model("ba").load_state_dict(state)
    with pytest.raises(RuntimeError, match=r"FeatureFusion was saved .* \['a', 'b'\]"):
        torch.nn.ModuleDict({"feat": FeatureFusion({"b": 5, "a": 3})}).load_state_dict(
            {k: v for k, v in state.items() if k.startswith("feat.")})
    # element-wise modes do not depend on the order (projections by name)
    add = FeatureFusion({"a": 3, "b": 5}, mode="add").state_dict()
    FeatureFusion({"b": 5, "a": 3}, mode="add").load_state_dict(add)
    # state dicts saved before the order was kept load, strict, as before
    old = _without_order(state)
    assert len(old) < len(state)
    again = user_model("ab")
    again.load_state_dict(old)
    for key, value in _without_order(again.state_dict()).items():
        assert torch.equal(value, old[key]), key
    user_model("ba").load_state_dict(old)  # (nothing to tell it by)


def test_the_methods_that_read_the_sources_side_by_side_keep_their_order():
    from pyg_fusion.methods.node import NodeGCN, NodeGraphFusion
    from pyg_fusion.methods.vad import VADGraphFusion, VADMTN
    ab, ba = {"a": 3, "b": 5}, {"b": 5, "a": 3}
    for build in (lambda ic: NodeGCN(ic, 2), lambda ic: NodeGraphFusion(ic, 2),
                  lambda ic: VADMTN(ic, 4), lambda ic: VADGraphFusion(ic, 4, mode="concat")):
        state = build(ab).state_dict()
        build(ab).load_state_dict(state)
        with pytest.raises(RuntimeError, match="saved with its sources in the order"):
            build(ba).load_state_dict(state)
        build(ab).load_state_dict(_without_order(state))
    # the order is not read: another order loads
    NodeGraphFusion(ba, 2, features="none", num_nodes=7).load_state_dict(
        NodeGraphFusion(ab, 2, features="none", num_nodes=7).state_dict())
    VADGraphFusion(ba, 4).load_state_dict(VADGraphFusion(ab, 4).state_dict())
    # graph_sources in another order: one head per graph
    with pytest.raises(RuntimeError, match="graph_sources"):
        NodeGraphFusion(ab, 2, mode="concat", graph_sources=["b", "a"]).load_state_dict(
            NodeGraphFusion(ab, 2, mode="concat", graph_sources=["a", "b"]).state_dict())


def test_the_operator_plot_of_a_parametrized_shared_operator():
    # it was labelled as the pair 'a|b' (a parametrized A is a Tensor, not a Parameter)
    from torch.nn.utils import parametrize

    from pyg_fusion.nn import LEGOFusion
    from pyg_fusion.visualize.operator import _panels
    op = LEGOFusion(["a", "b", "c"], 2, shared=True)
    parametrize.register_parametrization(op, "A", _Symmetric())
    panels, kind = _panels(op, "auto")
    assert kind == "pairwise" and list(panels) == ["shared by all pairs"]
