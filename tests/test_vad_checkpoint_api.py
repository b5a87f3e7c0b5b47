"""A VAD checkpoint read back in Python, as the docstrings of
``checkpoint_data`` and ``evaluate_checkpoint`` say: ``data=None`` takes
every dataset option from the checkpoint."""
import glob

import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import segment_scores_to_frames
from pyg_fusion.experiments.checkpoints import (checkpoint_data, evaluate_checkpoint,
                                                load_train_checkpoint, model_from_checkpoint)
from pyg_fusion.experiments.data import DataConfig, load_data
from pyg_fusion.experiments.run import run_method
from pyg_fusion.training.metrics import frame_level_metrics


def test_checkpoint_data_and_evaluate_checkpoint_take_data_none(tmp_path):
    # data=None, documented as "the checkpoint's", failed with AttributeError:
    # 'NoneType' object has no attribute 'dataset'
    td = load_data(DataConfig("synthetic-vad", str(tmp_path / "data"), num_segments=8))
    r, _ = run_method(td, "graph-product", 0, str(tmp_path / "run"), progress=False,
                      options={"epochs": 1, "min_epochs": 0})
    path = glob.glob(str(tmp_path / "run" / "**" / "best.ckpt"), recursive=True)[0]
    ckpt, _, cfg = load_train_checkpoint(path)
    data, standardizer = checkpoint_data(None, cfg, ckpt["state_dict"], path)
    assert standardizer is None and len(data.test) == len(td.test)
    model = model_from_checkpoint(cfg, data, ckpt["state_dict"])
    with torch.no_grad():
        logits, _ = model(next(iter(DataLoader(data.test, batch_size=len(data.test)))))
    test = data.test
    frames = [segment_scores_to_frames(torch.sigmoid(logits[i]), test[i]) for i in range(len(test))]
    auc = frame_level_metrics(frames, [d.frame_gt for d in test])["auc"]
    assert auc == pytest.approx(r["auc"], abs=1e-6)
    _, _, metrics = evaluate_checkpoint(path, None, tmp_path / "eval", progress=False)
    assert metrics["auc"] == pytest.approx(r["auc"], abs=1e-9)
