"""Session 35, a user's meta-learning loop: ``torch.func.grad`` over
``torch.func.functional_call`` of the models' parameters."""
import pytest
import torch
from torch.func import functional_call, grad
from torch_geometric.data import Batch, Data

from pyg_fusion.methods.vad import VADLEGO
from pyg_fusion.nn import LEGO, GraphHead

XS = {"a": torch.randn(2, 6, 4, generator=torch.Generator().manual_seed(0)),
      "b": torch.randn(2, 6, 3, generator=torch.Generator().manual_seed(1))}


def _lego_loss(model):
    torch.manual_seed(2)
    head = GraphHead(4, 8, 1, dropout=0.0)
    return lambda out: head(XS["a"].reshape(12, 4), out).square().sum()


def _vad_loss(model):
    return lambda out: out[0].square().sum()


def _vad_input():
    return Batch.from_data_list([Data(x_a=XS["a"][i], x_b=XS["b"][i], num_nodes=6)
                                 for i in range(2)])


@pytest.mark.parametrize("build, inputs, loss", [
    (lambda: LEGO({"a": 4, "b": 3}, 2, backend="dense", proj_channels=5), lambda: (XS,),
     _lego_loss),
    # rbf centres each graph's features (the library's segment sum)
    (lambda: LEGO({"a": 4, "b": 3}, 2, backend="dense", metric="rbf", proj_channels=5),
     lambda: (XS,), _lego_loss),
    (lambda: VADLEGO({"a": 4, "b": 3}, 6, head="graph", proj_channels=5),
     lambda: (_vad_input(),), _vad_loss),
], ids=["lego", "lego-rbf", "vadlego"])
def test_torch_func_grad_over_the_parameters_is_autograds(build, inputs, loss):
    # torch.func refused the library's autograd Functions (their forward took
    # ctx): "it must override the setup_context staticmethod"
    torch.manual_seed(0)
    model = build().eval()
    f = loss(model)
    params = {k: v.detach() for k, v in model.named_parameters()}
    got = grad(lambda p: f(functional_call(model, p, inputs())))(params)
    f(model(*inputs())).backward()
    for name, p in model.named_parameters():
        want = torch.zeros_like(p) if p.grad is None else p.grad
        torch.testing.assert_close(got[name], want, msg=name)
    assert any(g.abs().sum() > 0 for g in got.values())


def _node_data():
    g = torch.Generator().manual_seed(3)
    return Data(x_a=torch.randn(9, 4, generator=g), x_b=torch.randn(9, 3, generator=g), num_nodes=9)


def test_the_host_steps_under_torch_func_are_refused_by_name():
    # they failed deep inside faiss: "Cannot access data pointer of Tensor
    # that doesn't have storage"
    from pyg_fusion.methods.node import NodeGCN
    lego = LEGO({"a": 4, "b": 3}, 2, k=3, backend="sparse")
    params = {k: v.detach() for k, v in lego.named_parameters()}
    flat = {s: x.reshape(12, -1) for s, x in XS.items()}
    with pytest.raises(RuntimeError, match="LEGO's sparse backend .*torch.func.*backend='dense'"):
        grad(lambda p: functional_call(lego, p, (flat,)).edge_weight.sum())(params)
    torch.manual_seed(0)
    model = NodeGCN({"a": 4, "b": 3}, 3, k=3, hidden_channels=4).eval()
    data = _node_data()
    params = {k: v.detach() for k, v in model.named_parameters()}
    f = lambda p: functional_call(model, p, (data,)).square().sum()  # noqa: E731
    with pytest.raises(RuntimeError, match="node model's graph .*call the model once outside"):
        grad(f)(params)
    # as the message says: the graph built outside is reused inside
    model(data).square().sum().backward()
    got = grad(f)(params)
    for name, p in model.named_parameters():
        torch.testing.assert_close(got[name], p.grad, msg=name)


def test_forward_mode_hessian_vector_products_through_the_dense_backend():
    # torch.func.jvp (forward-over-reverse Hessian-vector products) failed:
    # "You must implement the jvp function for custom autograd.Function"
    from pyg_fusion.functional._centring import centred
    torch.manual_seed(0)
    lego = LEGO({"a": 4, "b": 3}, 2, backend="dense", proj_channels=5).double()
    xs = {s: x.double() for s, x in XS.items()}
    params = {k: v.detach() for k, v in lego.named_parameters()}
    vec = {k: torch.randn_like(v) for k, v in params.items()}
    f = lambda p: functional_call(lego, p, (xs,)).to_dense().pow(3).sum()  # noqa: E731
    _, hvp = torch.func.jvp(grad(f), (params,), (vec,))
    names, ps = zip(*lego.named_parameters())
    g = torch.autograd.grad(f(dict(lego.named_parameters())), ps, create_graph=True)
    want = torch.autograd.grad(sum((gi * vec[k]).sum() for gi, k in zip(g, names)), ps)
    for name, w in zip(names, want):
        torch.testing.assert_close(hvp[name], w, msg=name)
    # rbf centres each graph (a segment sum): its tangent is the centred tangent
    x, t = torch.randn(7, 3, dtype=torch.float64), torch.randn(7, 3, dtype=torch.float64)
    batch = torch.tensor([0, 0, 0, 1, 1, 2, 2])
    _, tangent = torch.func.jvp(lambda x: centred(x, batch), (x,), (t,))
    torch.testing.assert_close(tangent, centred(t, batch))
