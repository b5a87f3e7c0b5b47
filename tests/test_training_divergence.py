"""A training run that diverges (a learning rate too large) stops with an
error that gives the epoch and the loss and names the learning rates to
lower, in fit_node / fit_vad and in a user's own Trainer, instead of an
error of an internal tensor in the next forward, or NaN scores."""
import re

import lightning as L
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.cli import main
from pyg_fusion.methods import build_model
from pyg_fusion.training.node import NodeClassification, fit_node, single_graph_loader
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD
from test_training_node import _toy_graph
from test_training_user_trainer import _vad_model, vad_sets, vad_train  # noqa: F401


def _node_model():
    torch.manual_seed(0)
    return build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                       hidden_channels=16)


def _trainer(tmp_path, epochs=3):
    return L.Trainer(default_root_dir=tmp_path, logger=False, enable_progress_bar=False,
                     enable_model_summary=False, enable_checkpointing=False,
                     max_epochs=epochs, num_sanity_val_steps=0)


def test_a_nan_loss_names_the_epoch_the_loss_and_lr(tmp_path):
    # lr 1e12: epoch 0's step sends the weights to ~1e12, epoch 1's loss is NaN;
    # the error was the next forward's "x contains 128000 NaN or Inf value(s)"
    with pytest.raises(ValueError, match=r"^training diverged at epoch 1: the training loss "
                       r"is nan; lower the learning rate: lr \(--lr\) is 1e\+12$"):
        fit_node(_node_model(), _toy_graph(), out_dir=tmp_path, epochs=5, lr=1e12,
                 progress=False, checkpoint=False)


def test_the_same_error_in_a_users_own_trainer(tmp_path):
    data = _toy_graph()
    task = NodeClassification(_node_model(), lr=1e12)
    loader = single_graph_loader(data)
    with pytest.raises(ValueError, match=r"^training diverged at epoch 1: the training loss "
                       r"is nan; lower the learning rate: lr \(--lr\) is 1e\+12$"):
        _trainer(tmp_path).fit(task, loader, loader)


def test_a_step_to_non_finite_weights_names_the_parameter_and_operator_lr(
        vad_train, tmp_path):  # noqa: F811
    # A alone at lr 1e30: its first step sends it to ~1e30, the next step's loss
    # is still finite but its gradient is not, and that step makes A NaN (the
    # error was the next forward's "A contains 64 NaN or Inf value(s)")
    task = WeaklySupervisedVAD(_vad_model(vad_train), operator_lr=1e30)
    loader = DataLoader(IndexedDataset(vad_train), batch_size=4)
    with pytest.raises(ValueError) as err:
        _trainer(tmp_path).fit(task, loader)
    msg = str(err.value)
    assert msg.startswith("training diverged at epoch 0: the optimizer's step after a "
                          "training loss of ")
    assert msg.endswith(" made model.lego.fusion.A non-finite; lower the learning rates: "
                        "lr (--lr) is 0.001, operator_lr (--operator-lr) 1e+30")
    loss = float(msg.split("training loss of ")[1].split()[0])
    assert 0 < loss < 10
    assert not torch.isfinite(task.model.lego.fusion.A).all()


def test_a_non_finite_gradient_of_a_finite_loss_names_the_loss_weights(
        vad_train, tmp_path):  # noqa: F811
    # lambda_sparse 1e38: the loss stays finite (about 5e37), its gradient
    # overflows, and the step makes A NaN; the learning rate alone was named
    task = WeaklySupervisedVAD(_vad_model(vad_train), lambda_sparse=1e38)
    loader = DataLoader(IndexedDataset(vad_train), batch_size=4)
    with pytest.raises(ValueError) as err:
        _trainer(tmp_path, epochs=5).fit(task, loader)
    msg = str(err.value)
    assert re.fullmatch(r"training diverged at epoch \d: the optimizer's step after a training "
                        r"loss of \S+e\+3\d made model\.\S+ non-finite \(its gradient was "
                        r"non-finite\); lower the learning rate: lr \(--lr\) is 0\.001, or the "
                        r"weights of the loss's terms: lambda_deg \(--lambda-deg\) 0\.1, "
                        r"lambda_sparse \(--lambda-sparse\) 1e\+38", msg), msg


def test_a_check_inside_the_step_on_finite_inputs_is_divergence(tmp_path, capsys):
    # lego-cp at lr 1e12: the weights stay finite, but its graph's weights
    # overflow in the next forward, whose check named only the tensor
    code = main(["train", "--dataset", "digits", "--method", "lego-cp", "--lr", "1e12",
                 "--epochs", "3", "--out", str(tmp_path / "r"), "--no-progress",
                 "--root", str(tmp_path / "data")])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 2
    assert re.fullmatch(r"pyg-fusion train: error: training diverged at epoch 1: the training "
                        r"step met NaN or Inf on finite inputs \(edge_weight contains \d+ NaN "
                        r"or Inf value\(s\)\) after a training loss of \d\.\d+; lower the "
                        r"learning rate: lr \(--lr\) is 1e\+12", err), err


def test_nan_in_a_later_batch_is_the_datas_error_not_divergence(vad_train, tmp_path):  # noqa: F811
    # a user's own videos: the third batch holds a NaN feature; the weights
    # are finite, so the check's own error stands
    videos = [vad_train[i] for i in range(len(vad_train))]
    source = videos[0].sources[0]
    bad = videos[4].clone()
    bad[f"x_{source}"] = bad[f"x_{source}"].clone()
    bad[f"x_{source}"][0, 0] = float("nan")
    videos[4] = bad
    task = WeaklySupervisedVAD(_vad_model(vad_train))
    with pytest.raises(ValueError) as err:
        _trainer(tmp_path).fit(task, DataLoader(videos, batch_size=2))
    assert task.global_step == 2 and "diverged" not in str(err.value)
    assert str(err.value) == f"x_{source} contains 1 NaN or Inf value(s)"


def test_a_run_that_does_not_diverge_trains_as_before(tmp_path):
    # the check reads the weights only: the same weights with and without it
    data = _toy_graph()
    states = []
    for check in (True, False):
        task = NodeClassification(_node_model())
        if not check:
            task.on_train_batch_end = lambda *args: None
        torch.manual_seed(1)
        _trainer(tmp_path, epochs=4).fit(task, single_graph_loader(data))
        states.append(task.state_dict())
    assert all(torch.equal(states[0][k], states[1][k]) for k in states[0])


def test_the_cli_says_which_flags_to_lower(tmp_path, capsys):
    out = tmp_path / "r"
    code = main(["train", "--dataset", "digits", "--method", "lego", "--lr", "1e12",
                 "--epochs", "3", "--out", str(out), "--no-progress",
                 "--root", str(tmp_path / "data")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().endswith("pyg-fusion train: error: training diverged at epoch 1: the "
                                "training loss is nan; lower the learning rate: lr (--lr) is "
                                "1e+12")
    assert not list(out.rglob("results.json"))
