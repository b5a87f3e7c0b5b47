"""The tasks under Lightning's true precisions (``"64-true"``): Lightning
converts the model and the floating tensors of a batch it can walk, and a
PyG graph is not one of those; the tasks convert it the same way."""
import lightning as L
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.methods import build_model
from pyg_fusion.training._precision import precision_batch
from pyg_fusion.training.node import NodeClassification, single_graph_loader
from test_training_node import _toy_graph


def _trainer(tmp_path, **kwargs):
    return L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
                     enable_progress_bar=False, enable_model_summary=False,
                     num_sanity_val_steps=0, default_root_dir=tmp_path, **kwargs)


def test_the_node_task_trains_in_float64_and_leaves_the_loaders_graph(tmp_path):
    # precision="64-true": "x_a is torch.float32 on cpu but the model's
    # parameters are torch.float64", the graph being no collection Lightning walks
    data = _toy_graph()
    loader = single_graph_loader(data)
    torch.manual_seed(0)
    task = NodeClassification(build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3,
                                          k=5, hidden_channels=16))
    trainer = _trainer(tmp_path, precision="64-true")
    trainer.fit(task, loader, loader)
    assert task.best["epoch"] == 0
    (logits, ) = trainer.predict(task, loader)
    assert logits.dtype == torch.float64 and logits.shape == (data.num_nodes, 3)
    assert data.x_a.dtype == torch.float32  # converted in a copy
    # a precision that converts nothing hands on the loader's own object
    plain = _trainer(tmp_path)
    assert precision_batch(plain, data) is data


def test_the_vad_tasks_pseudo_anomalies_are_scored_in_the_models_precision(tmp_path):
    from pyg_fusion.datasets import SyntheticVAD
    from pyg_fusion.training.pseudo_anomalies import splice_pseudo_anomalies
    from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD
    train = SyntheticVAD(str(tmp_path), "train", num_videos=(4, 4), snippets=(16, 24),
                         num_segments=8, log=False)
    torch.manual_seed(0)
    task = WeaklySupervisedVAD(build_model("graph-mean", "vad", {
        s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}, num_segments=8),
        choice="pseudo_auc")
    task.pseudo = splice_pseudo_anomalies(
        [train[i] for i in range(len(train)) if int(train[i].y) == 0])
    loader = DataLoader(IndexedDataset(train), batch_size=4)
    _trainer(tmp_path, precision="64-true").fit(task, loader, loader)
    assert 0 <= task.best["val_pseudo_auc"] <= 1


def test_the_translator_trains_in_float64(tmp_path):
    from pyg_fusion.datasets import SyntheticTranslation
    from pyg_fusion.training.translation import TranslationModule
    images = SyntheticTranslation(str(tmp_path), "train", 2, 32, seed=0,
                                  modalities=["shade", "depth"], progress=False)
    torch.manual_seed(0)
    module = TranslationModule(["shade", "depth"], gan_mode="lsgan", ngf=2, num_downs=3)
    loader = DataLoader(images, batch_size=2)
    trainer = _trainer(tmp_path, precision="64-true")
    trainer.fit(module, loader, loader)
    (out, ) = trainer.predict(module, loader)
    assert {v.dtype for v in out.values()} == {torch.float64}
