"""A user's ``trainer.validate`` after a fit scores the model and leaves the
fit's record (``best``, ``history``, ``best_state``) as the fit wrote it; the
fitting functions' own validations (the last epoch, the restarts' ensemble)
still write it."""
import copy

import pytest
import torch
from torch_geometric.data import Batch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training import seed_everything
from pyg_fusion.training.node import fit_node, single_graph_loader
from pyg_fusion.training.vad import IndexedDataset, video_scores
from pyg_fusion.training.vad_fit import fit_vad
from test_training_node import _toy_graph


def test_validate_after_fit_node_leaves_the_record(tmp_path):
    data = _toy_graph()
    seed_everything(1)
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                        hidden_channels=16)
    # 7 epochs, evaluated every 5: the last epoch is validated by fit_node itself
    r = fit_node(model, data, out_dir=tmp_path, epochs=7, eval_every=5, seed=1,
                 progress=False, checkpoint=False)
    task, trainer = r["task"], r["trainer"]
    assert [m["epoch"] for m in task.history] == [4, 6]
    best, history = dict(task.best), list(task.history)
    # validated again: history held an epoch 7 of a 7-epoch run
    (logged, ) = trainer.validate(task, single_graph_loader(data), verbose=False)
    # (Lightning before 2.5 hands logged values back as float32)
    assert logged["val_acc"] == pytest.approx(task.last_metrics["val_acc"], rel=1e-6)
    # another graph, every node a validation node: it was recorded, maybe as the best
    other = _toy_graph(seed=5)
    other.val_mask = torch.ones(other.num_nodes, dtype=torch.bool)
    other.train_mask = other.test_mask = torch.zeros(other.num_nodes, dtype=torch.bool)
    trainer.validate(task, single_graph_loader(other), verbose=False)
    assert task.history == history and task.best == best


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_record"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def test_validate_after_fit_vad_leaves_the_record(vad_data, tmp_path):
    train, test = vad_data
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}

    def build():
        return build_model("lego-row", "vad", inch, num_segments=8, num_powers=2)
    fit = dict(epochs=3, batch_size=4, val_fraction=0.25, progress=False, checkpoint=False,
               lambda_deg=0.0, seed=3)
    r = fit_vad(build, train, test, out_dir=tmp_path / "ens", restarts=2,
                restart_combine="mean", **fit)
    # the ensemble's held-out scores are its record, written by fit_vad's validate
    assert r["ensemble_val_loss"] == r["val_loss"] == r["task"].best["val_loss"]
    r = fit_vad(build, train, test, out_dir=tmp_path / "one", **fit)
    task, trainer = r["task"], r["trainer"]
    best, state = dict(task.best), copy.deepcopy(task.best_state)
    # the normal video scored lowest and the abnormal one scored highest: a
    # held-out loss below the chosen epoch's, which became the best
    task.eval()
    with torch.no_grad():
        scores = [float(video_scores(task.model(Batch.from_data_list([v]))[0], task.topk))
                  for v in train]
    labels = [int(v.y) for v in train]
    normal = min((s, i) for i, s in enumerate(scores) if labels[i] == 0)[1]
    abnormal = max((s, i) for i, s in enumerate(scores) if labels[i] == 1)[1]
    loader = DataLoader(IndexedDataset([train[normal], train[abnormal]]), batch_size=2)
    (logged, ) = trainer.validate(task, loader, verbose=False)
    assert -logged["val_loss"] > best["val_score"]
    assert task.best == best
    assert all(torch.equal(v, state[k]) for k, v in task.best_state.items())
