"""Label propagation (functional and head) and the graph-only node setting
(``features="labels"``) that compares methods by their graphs alone."""
import numpy as np
import pytest
import torch
from pyg_fusion.functional import edges_to_dense

import pyg_fusion.functional as F
from pyg_fusion.methods import build_model, method_names, task_options
from pyg_fusion.nn import LabelPropagationHead
from pyg_fusion.training.node import fit_node, split_seeds
from test_training_node import _toy_graph
from device_checks import bitwise


def _graph(n=9, e=30, seed=0, signed=True, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    ei = torch.randint(0, n, (2, e), generator=g)
    w = torch.rand(e, generator=g, dtype=torch.float64) + 0.1
    if signed:
        w = w * torch.where(torch.rand(e, generator=g) < 0.3, -1.0, 1.0).double()
    y = torch.zeros(n, 3, dtype=torch.float64)
    y[0, 0] = y[1, 1] = y[2, 2] = y[3, 0] = 1
    return ei.to(device), w.to(device), y.to(device)


def _reference(ei, w, y, layers, alpha, symmetric):
    """Explicit loops over a numpy matrix (duplicate edges add up)."""
    ei, w, y = ei.cpu(), w.cpu(), y.cpu()
    n = y.shape[0]
    W = np.zeros((n, n))
    for (j, i), v in zip(ei.t().tolist(), w.tolist()):
        W[i, j] += v  # the edge j -> i
    if symmetric:
        W = (W + W.T) / 2
    deg = np.abs(W).sum(1)
    d = np.array([x ** -0.5 if x > 0 else 0.0 for x in deg])
    Wn = d[:, None] * W * d[None, :]
    out = y.numpy().copy()
    for _ in range(layers):
        out = alpha * Wn @ out + (1 - alpha) * y.numpy()
    return out, W


@pytest.mark.parametrize("symmetric", [True, False])
def test_sparse_dense_and_loop_reference_agree(symmetric, device):
    ei, w, y = _graph(device=device)
    ref, W = _reference(ei, w, y, 7, 0.8, symmetric)
    sparse = F.label_propagation(y, ei, w, num_layers=7, alpha=0.8, symmetric=symmetric)
    adj = edges_to_dense(ei, w, max_num_nodes=y.size(0))[0]
    dense = F.dense_label_propagation(y, adj, num_layers=7, alpha=0.8, symmetric=symmetric)
    assert sparse.device == dense.device == y.device
    np.testing.assert_allclose(sparse.cpu().numpy(), ref, atol=1e-12)
    np.testing.assert_allclose(dense.cpu().numpy(), ref, atol=1e-12)


def test_many_layers_reach_the_closed_form(device):
    ei, w, y = _graph(signed=False, device=device)
    _, W = _reference(ei, w, y, 0, 0.5, True)
    d = np.abs(W).sum(1)
    d = np.where(d > 0, d, np.inf) ** -0.5
    S = d[:, None] * W * d[None, :]
    closed = (1 - 0.5) * np.linalg.solve(np.eye(len(d)) - 0.5 * S, y.cpu().numpy())
    out = F.label_propagation(y, ei, w, num_layers=200, alpha=0.5)
    np.testing.assert_allclose(out.cpu().numpy(), closed, atol=1e-10)


def test_gradcheck_and_isolated_nodes(device):
    ei, w, y = _graph(n=6, e=12, seed=3, device=device)
    w = w.clone().requires_grad_()
    y = y[:6].clone().requires_grad_()
    # gradcheck asks two backward passes to agree bit for bit: on CUDA the
    # backward of index_select (the gather of each step) adds by atomics
    with bitwise(device):
        assert torch.autograd.gradcheck(
            lambda w, y: F.label_propagation(y, ei, w, num_layers=4, alpha=0.7), (w, y))
    # node 5 of a 6-node graph without edges keeps (1 - alpha) of its seed row
    ei = torch.tensor([[0, 1, 2], [1, 2, 0]], device=device)
    y = torch.eye(6, dtype=torch.float64, device=device)[:, :3]
    out = F.label_propagation(y, ei, torch.ones(3, dtype=torch.float64, device=device),
                              num_layers=3, alpha=0.9)
    assert torch.isfinite(out).all()
    assert torch.equal(out[5], 0.1 * y[5])


def test_errors_name_the_argument(device):
    # the checks read values on the device (NaN, index ranges) without failing there
    ei, w, y = _graph(device=device)
    with pytest.raises(ValueError, match="alpha"):
        F.label_propagation(y, ei, w, alpha=1.0)
    with pytest.raises(ValueError, match="edge_weight"):
        F.label_propagation(y, ei, w[:-1])
    with pytest.raises(ValueError, match="edge_weight"):
        F.label_propagation(y, ei, w.masked_fill(w > 0.5, float("nan")))
    with pytest.raises(ValueError, match="y"):
        F.label_propagation(y[:, 0], ei, w)
    with pytest.raises(ValueError, match="adj"):
        F.dense_label_propagation(y, torch.zeros(4, 4, dtype=torch.float64, device=device))
    with pytest.raises(TypeError, match="mask"):
        F.seed_labels(torch.tensor([0, 1], device=device), torch.tensor([1, 0], device=device))
    labels = F.seed_labels(torch.tensor([2, 0, 1], device=device),
                           torch.tensor([True, False, True], device=device), 4)
    assert labels.device == y.device
    assert labels.tolist() == [[0, 0, 1, 0], [0, 0, 0, 0], [0, 1, 0, 0]]


def test_head_scales_the_propagated_labels(device):
    ei, w, y = _graph(device=device)
    head = LabelPropagationHead(num_layers=5, alpha=0.6, scale=3.0).double().to(device)
    out = head(y, ei, w)
    assert out.device == y.device
    assert torch.allclose(out, 3.0 * F.label_propagation(y, ei, w, num_layers=5, alpha=0.6))
    with torch.no_grad():
        head.log_scale.fill_(0.0)
    head.reset_parameters()
    assert torch.allclose(head.log_scale.exp(),
                          torch.tensor(3.0, dtype=torch.float64, device=device))
    assert repr(head) == "LabelPropagationHead(num_layers=5, alpha=0.6, symmetric=True, scale=3.0)"


def test_split_seeds_is_a_disjoint_partition_of_the_training_nodes(device):
    mask = torch.zeros(20, dtype=torch.bool)
    mask[[1, 4, 5, 9, 12, 17, 19]] = True
    seeds, targets = split_seeds(mask.to(device), generator=torch.Generator().manual_seed(0))
    assert seeds.device == mask.to(device).device
    assert not (seeds & targets).any() and torch.equal((seeds | targets).cpu(), mask)
    assert int(seeds.sum()) == 4  # round(0.5 * 7)
    # a CPU generator: the same split on every device
    cpu, _ = split_seeds(mask, generator=torch.Generator().manual_seed(0))
    assert torch.equal(seeds.cpu(), cpu)
    with pytest.raises(ValueError, match="at least 2"):
        split_seeds(torch.tensor([True, False]))


def test_graph_only_setting_builds_graph_methods_and_refuses_the_others(device):
    data = _toy_graph().to(device)
    names = method_names("node", ["a", "b"], features="labels")
    assert "lego" in names and "graph-mean" in names and "single-a" in names
    assert not any(n.startswith(("gcn-", "asym")) for n in names)
    for name in names:
        model = build_model(name, "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                            features="labels").to(device).eval()
        out = model(data)
        assert out.shape == (data.num_nodes, 3) and torch.isfinite(out).all(), name
        assert out.device == data.y.device, name
        # the seeds decide the output: other seeds, other scores
        seeds = data.train_mask.clone()
        seeds[seeds.nonzero()[0]] = False
        assert not torch.allclose(model(data, seed_mask=seeds), out), name
    with pytest.raises(ValueError, match="unknown method 'gcn-a'"):
        build_model("gcn-a", "node", {"a": 4, "b": 3}, num_classes=3, features="labels")
    o = task_options("node", {"features": "labels", "lr": 0.2})
    assert o["lr"] == 0.2 and o["pairs"] == "all" and o["num_powers"] == 1 and o["k"] == 10
    # an explicit None is k's documented "unset" (a complete graph), not the default
    assert task_options("node", {"features": "labels", "k": None})["k"] is None
    assert task_options("node")["pairs"] == "sample"


def test_lego_trains_its_operator_through_label_propagation(tmp_path):
    data = _toy_graph()
    model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                        features="labels", pairs="all", num_powers=2)
    before = model.lego.fusion.A["a|b"].detach().clone()
    r = fit_node(model, data, out_dir=tmp_path, epochs=6, lr=0.05, weight_decay=0.0,
                 eval_every=2, seed=0, progress=False, checkpoint=False)
    assert not torch.equal(before, model.lego.fusion.A["a|b"].detach())
    assert 0.0 <= r["test_acc"] <= 1.0 and r["params"] == 9 + 1


class _UserLabelModel(torch.nn.Module):
    """A model written by a user around LabelPropagationHead, with no
    ``features`` attribute: the head alone says it takes seed labels."""

    def __init__(self, num_classes=3):
        super().__init__()
        self.num_classes, self.seen = num_classes, []
        self.head = LabelPropagationHead(num_layers=3)

    def forward(self, data, seed_mask=None):
        mask = data.train_mask if seed_mask is None else seed_mask
        self.seen.append(mask.clone())
        y = torch.nn.functional.one_hot(data.y, self.num_classes).float() * mask[:, None]
        return self.head(y, data.edge_index)


def test_the_head_not_an_option_string_decides_the_label_trick(tmp_path):
    from pyg_fusion.nn import takes_seed_labels
    from pyg_fusion.training.node import NodeClassification

    data = _toy_graph()
    data.edge_index = torch.stack([torch.arange(data.num_nodes),
                                   torch.arange(data.num_nodes).roll(1)])
    model = _UserLabelModel()
    assert takes_seed_labels(model) and LabelPropagationHead.takes_seed_labels
    assert NodeClassification(model).label_trick
    fit_node(model, data, out_dir=tmp_path, epochs=2, eval_every=1, seed=0, progress=False,
             checkpoint=False)
    train = data.train_mask
    # training steps seed a strict part of the training nodes; evaluation all of them
    steps = [m for m in model.seen if not torch.equal(m, train)]
    assert steps and all(not (m & ~train).any() and m.sum() < train.sum() for m in steps)

    for features, trick in (("labels", True), ("concat", False)):
        built = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                            features=features)
        assert NodeClassification(built).label_trick is trick

    class NoSeeds(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.head = LabelPropagationHead()

        def forward(self, data):
            return self.head(data.y, data.edge_index)

    with pytest.raises(ValueError, match="seed_mask"):
        NodeClassification(NoSeeds())


def test_class_indices_as_seeds_point_to_seed_labels():
    # integer class labels said only "y must have 2 dimensions"
    ei = torch.tensor([[0, 1], [1, 2]])
    y = torch.tensor([0, 1, 2])
    want = ("y must be float seed labels [N, C] (one-hot rows at the seed nodes, zero rows "
            "elsewhere), got torch.int64 of shape {}: from class indices [N], pass "
            "pyg_fusion.functional.seed_labels(y, mask) (mask: the seeds)")
    for call in (lambda y: LabelPropagationHead()(y, ei),
                 lambda y: F.label_propagation(y, ei),
                 lambda y: F.dense_label_propagation(y, torch.ones(3, 3))):
        with pytest.raises(ValueError) as err:
            call(y)
        assert str(err.value) == want.format("(3,)")
        with pytest.raises(TypeError) as err:  # a long one_hot
            call(torch.nn.functional.one_hot(y))
        assert str(err.value) == want.format("(3, 3)")
    seeds = F.seed_labels(y, torch.tensor([True, False, True]))
    assert LabelPropagationHead()(seeds, ei).argmax(1)[[0, 2]].tolist() == [0, 2]


def test_seed_labels_follow_torchs_default_dtype():
    # under set_default_dtype(float64) the one-hot rows were assigned as float32
    # into a float64 tensor: a RuntimeError from index_put
    y, mask = torch.tensor([0, 2, 1, 2]), torch.tensor([True, False, True, True])
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        seeds = F.seed_labels(y, mask)
    finally:
        torch.set_default_dtype(previous)
    assert seeds.dtype == torch.float64
    assert torch.equal(seeds, F.seed_labels(y, mask).double())
    assert F.seed_labels(y, mask).dtype == torch.float32
