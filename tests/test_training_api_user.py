"""The Python training APIs as a user calls them directly (not through the
CLI's checked config): the VAD task's loss weights, fit_node's classes of
the training nodes, and what label propagation predicts for nodes no seed
reaches."""
import math
import re
import warnings

import pytest
import torch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.functional import label_propagation, seed_labels, seed_prior_logits
from pyg_fusion.methods import build_model
from pyg_fusion.nn import LabelPropagationHead
from pyg_fusion.training.node import fit_node
from pyg_fusion.training.vad import WeaklySupervisedVAD
from pyg_fusion.training.vad_fit import fit_vad


# -- VAD: loss weights -----------------------------------------------------
@pytest.mark.parametrize("name", ["lambda_deg", "lambda_sparse"])
@pytest.mark.parametrize("value", [-1.0, -1e-9, float("nan"), float("inf"), True, "0.1"])
def test_the_vad_task_refuses_a_loss_weight_it_would_train_as_zero(name, value):
    # a negative or NaN weight was kept, recorded, and its term left out of the
    # loss (the step adds a term only when its weight is > 0)
    with pytest.raises(ValueError, match=re.escape(
            f"{name} must be a finite number >= 0 (0 turns its term off), got {value!r}")):
        WeaklySupervisedVAD(torch.nn.Linear(2, 2), **{name: value})
    task = WeaklySupervisedVAD(torch.nn.Linear(2, 2), **{name: 0})
    assert getattr(task, name) == 0


def test_the_vad_task_checks_topk_when_built():
    # was only at the first training step, inside video_scores
    with pytest.raises(ValueError, match=re.escape("topk must be >= 1, got 0")):
        WeaklySupervisedVAD(torch.nn.Linear(2, 2), topk=0)


def test_fit_vad_refuses_a_negative_loss_weight_before_training(tmp_path):
    kw = dict(num_videos=(4, 4), snippets=(8, 8), num_segments=4, log=False)
    train = SyntheticVAD(str(tmp_path / "data"), "train", **kw)
    test = SyntheticVAD(str(tmp_path / "data"), "test", **kw)
    d = train[0]
    model = build_model("graph-mean", "vad", {s: int(d[f"x_{s}"].size(1)) for s in d.sources},
                        num_segments=4)
    for name in ("lambda_deg", "lambda_sparse"):
        out = tmp_path / name
        with pytest.raises(ValueError, match=re.escape(f"{name} must be a finite number >= 0 "
                                                       "(0 turns its term off), got -0.5")):
            fit_vad(model, train, test, out_dir=out, epochs=1, progress=False,
                    **{name: -0.5})
        assert not out.exists()  # no trainer was built, nothing trained


# -- node classification: the classes of the training nodes ----------------
def _graph(n=30):
    g = torch.Generator().manual_seed(0)
    y = torch.arange(n) % 3
    a = torch.randn(n, 5, generator=g) + y[:, None]
    b = torch.randn(n, 4, generator=g) - y[:, None]
    split = torch.randperm(n, generator=g) % 3  # every class in every split
    return MultiSourceData(x_a=a, x_b=b, y=y, train_mask=split == 0, val_mask=split == 1,
                           test_mask=split == 2)


def _fit(data, out):
    torch.manual_seed(0)
    model = build_model("graph-mean", "node", {"a": 5, "b": 4}, num_classes=3, k=4)
    return fit_node(model, data, out_dir=out, epochs=1, progress=False, checkpoint=False)


def test_fit_node_refuses_training_nodes_of_one_class(tmp_path):
    data = _graph()
    assert data.y[data.test_mask].unique().tolist() == [0, 1, 2]
    data.train_mask = data.train_mask & (data.y == 1)
    # the classes were counted over all labelled nodes (3), so this trained
    # without a word and scored the test nodes of classes 0 and 2 as errors
    with pytest.raises(ValueError, match=re.escape(
            "the graph's train_mask selects nodes of fewer than 2 classes (classes [1]): there "
            "is nothing to tell apart; put nodes of every class in train_mask (a stratified "
            "split)")):
        _fit(data, tmp_path)
    assert not any(tmp_path.iterdir())  # nothing trained


def test_fit_node_warns_of_a_class_no_training_node_holds(tmp_path):
    data = _graph()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        from pyg_fusion.training.node import _check_training_classes
        _check_training_classes(data)  # a stratified split: no warning
    data.train_mask = data.train_mask & (data.y != 2)
    n_val = int((data.val_mask & (data.y == 2)).sum())
    n_test = int((data.test_mask & (data.y == 2)).sum())
    assert n_val and n_test
    with pytest.warns(UserWarning) as record:
        r = _fit(data, tmp_path / "run")
    ours = [w for w in record if "no train_mask node holds" in str(w.message)]
    assert [str(w.message) for w in ours] == [
        f"the graph's {name} holds class(es) 2 ({n} node(s)) that no train_mask node holds: "
        f"the model is never trained to predict them, so these nodes count as errors; put "
        f"nodes of every class in train_mask (a stratified split)"
        for name, n in (("val_mask", n_val), ("test_mask", n_test))]
    assert {w.filename for w in ours} == {__file__}  # points at the caller's line
    assert r["test_acc"] <= 1 - n_test / int(data.test_mask.sum())  # the run still trains


def test_a_class_no_training_node_holds_is_a_notice_of_one_line(capsys):
    # it was a plain UserWarning: Python's two lines (the source line of
    # node.py first) where the command renders each notice as one line
    from pyg_fusion import PygFusionNotice
    from pyg_fusion.cli._process import rendered_notices
    from pyg_fusion.training.node import _check_training_classes
    data = _graph()
    data.train_mask = data.train_mask & (data.y != 2)
    n_val = int((data.val_mask & (data.y == 2)).sum())
    with pytest.warns(PygFusionNotice) as record:
        _check_training_classes(data)
    assert [w.category for w in record] == [PygFusionNotice] * 2
    assert issubclass(PygFusionNotice, UserWarning)  # UserWarning filters still match
    capsys.readouterr()
    with rendered_notices("pyg-fusion train"):
        _check_training_classes(data)
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        f"pyg-fusion train: notice: the graph's val_mask holds class(es) 2 ({n_val} node(s)) "
        f"that no train_mask node holds: the model is never trained to predict them, so these "
        f"nodes count as errors; put nodes of every class in train_mask (a stratified split)")
    assert len(err.splitlines()) == 2 and err.splitlines()[1].startswith(
        "pyg-fusion train: notice: the graph's test_mask holds class(es) 2 "), err


# -- label propagation: nodes no seed reaches ------------------------------
def _path_graph():
    # 0 - 1 - 2 a path holding the seeds (class 1, 1, 2); 3 - 4 an edge and
    # 5 an isolated node: no seed reaches 3, 4, 5
    edge_index = torch.tensor([[0, 1, 3], [1, 2, 4]])
    y = torch.tensor([1, 1, 2, 0, 0, 0])
    return edge_index, seed_labels(y, torch.arange(6) < 3, 3)


def test_seed_prior_logits_by_hand():
    _, y = _path_graph()
    # (n_c + 1) / (n + C): class 0 none of 3 seeds, class 1 two, class 2 one
    expected = torch.tensor([1 / 6, 3 / 6, 2 / 6]).log()
    assert torch.allclose(seed_prior_logits(y), expected, atol=1e-7)
    assert torch.allclose(seed_prior_logits(torch.zeros(4, 5)),
                          torch.full((5, ), math.log(1 / 5)), atol=1e-7)


def test_label_propagation_head_gives_unreached_nodes_the_seeds_prior():
    edge_index, y = _path_graph()
    f = label_propagation(y, edge_index)
    assert f[3:].abs().sum() == 0 and bool((f[:3] != 0).any(-1).all())
    head = LabelPropagationHead()
    out = head(y, edge_index)
    # reached nodes: tau * F as before, bitwise
    assert torch.equal(out[:3], head.log_scale.exp() * f[:3])
    # unreached: the seeds' class prior (was logits 0: argmax class 0, which no seed holds)
    assert torch.allclose(out[3:], seed_prior_logits(y).expand(3, 3), atol=1e-7)
    assert out.argmax(-1).tolist() == [1, 1, 1, 1, 1, 1]
    # constants: a loss on unreached nodes alone moves neither tau nor the graph
    w = torch.ones(3, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(head(y, edge_index, w)[3:],
                                             torch.tensor([0, 2, 1]))
    loss.backward()
    assert head.log_scale.grad == 0 and torch.equal(w.grad, torch.zeros(3))


def test_a_label_propagation_model_predicts_the_majority_class_where_no_seed_reaches():
    data = _graph()
    data.train_mask[(data.y == 2).nonzero().view(-1)[:4]] = True  # class 2 the majority
    data.val_mask &= ~data.train_mask
    data.test_mask &= ~data.train_mask
    counts = torch.bincount(data.y[data.train_mask], minlength=3)
    assert int(counts.argmax()) == 2 and counts.tolist().count(counts.max()) == 1
    torch.manual_seed(0)
    # the product of two kNN graphs (k = 2) keeps few edges: most nodes are isolated
    model = build_model("graph-product", "node", {"a": 5, "b": 4}, num_classes=3, k=2,
                        features="labels").eval()
    with torch.no_grad():
        out = model(data)
    unreached = (out == seed_prior_logits(seed_labels(data.y, data.train_mask, 3))).all(-1)
    assert int(unreached.sum()) >= 10
    assert out[unreached].argmax(-1).unique().tolist() == [2]


@pytest.mark.parametrize("y, message", [
    (torch.tensor([0, 1, 1]), "y must have 2 dimensions, got shape (3,)"),
    (torch.tensor([[1.0, float("nan")]]), "y contains 1 NaN or Inf value(s)"),
])
def test_seed_prior_logits_names_bad_seed_labels(y, message):
    with pytest.raises(ValueError) as info:
        seed_prior_logits(y)
    assert message in str(info.value)

