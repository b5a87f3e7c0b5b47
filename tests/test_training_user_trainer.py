"""The tasks' LightningModules in a user's own ``lightning.Trainer``, with
Lightning's defaults (a sanity check before training, no callbacks of ours),
not through fit_node / fit_vad."""
import lightning as L
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training._task import OperatorWarmupAuto
from pyg_fusion.training.node import NodeClassification, single_graph_loader
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD
from test_training_node import _toy_graph


@pytest.fixture(scope="module")
def vad_train(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_user_trainer"))
    return SyntheticVAD(root, "train", num_videos=(8, 7), snippets=(16, 24), num_segments=8,
                        log=False)


def _vad_model(train):
    d = train[0]
    torch.manual_seed(0)
    return build_model("lego", "vad", {s: int(d[f"x_{s}"].size(1)) for s in d.sources},
                       num_segments=8)


def _trainer(tmp_path, **kwargs):
    return L.Trainer(default_root_dir=tmp_path, max_epochs=kwargs.pop("max_epochs", 2),
                     logger=False, enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False, **kwargs)


def test_an_auto_warmup_without_its_callback_is_an_error(vad_train, tmp_path):
    # without OperatorWarmupAuto nothing ever frees A: it trained as frozen
    model = _vad_model(vad_train)
    start = model.lego.fusion.A.detach().clone()
    loader = DataLoader(IndexedDataset(vad_train), batch_size=4)
    task = WeaklySupervisedVAD(model, operator_warmup="auto")
    with pytest.raises(ValueError, match="operator_warmup='auto'.*OperatorWarmupAuto callback"):
        _trainer(tmp_path).fit(task, loader)
    assert torch.equal(model.lego.fusion.A, start)
    # with the callback the warm-up runs (phase 1 at most 1 epoch: A trains after it)
    task = WeaklySupervisedVAD(model, operator_warmup="auto")
    cb = OperatorWarmupAuto("val_score", mode="max", patience=5, phase_epochs=1)
    _trainer(tmp_path, callbacks=[cb], num_sanity_val_steps=0).fit(task, loader, loader)
    assert task.operator_start_epoch == 1 and not torch.equal(model.lego.fusion.A, start)


def test_the_sanity_check_is_no_epoch_of_the_node_task(tmp_path):
    # the sanity check scored the untrained model and recorded it as epoch 0
    # (history held epoch 0 twice; best could be the untrained model)
    data = _toy_graph()
    torch.manual_seed(0)
    task = NodeClassification(build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3,
                                          k=5, hidden_channels=16))
    loader = single_graph_loader(data)
    _trainer(tmp_path).fit(task, loader, loader)
    assert [m["epoch"] for m in task.history] == [0, 1]
    assert task.best == max(task.history, key=lambda m: m["val_acc"])


def test_the_sanity_check_of_a_few_videos_of_one_label_is_no_error(vad_train, tmp_path):
    # the first 2 batches of 2 videos are all abnormal: roc_auc refused them
    # before any training, though the whole held-out set holds both labels
    labels = [int(vad_train[i].y) for i in range(len(vad_train))]
    assert set(labels[:4]) == {1} and set(labels) == {0, 1}
    task = WeaklySupervisedVAD(_vad_model(vad_train))
    loader = DataLoader(IndexedDataset(vad_train), batch_size=2)
    trainer = _trainer(tmp_path, num_sanity_val_steps=2)
    trainer.fit(task, loader, loader)
    assert task.best["epoch"] in (0, 1) and "val_loss" in trainer.callback_metrics
