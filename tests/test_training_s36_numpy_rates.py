"""The graph tasks given numpy scalars as their settings (a sweep over
np.logspace rates) write checkpoints that torch.load(weights_only=True)
reads, as the project's loads and ``pyg-fusion evaluate`` do."""
import numpy as np
import torch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.node import NodeClassification, single_graph_loader
from pyg_fusion.training.trainer import build_trainer
from pyg_fusion.training.vad import WeaklySupervisedVAD
from test_training_node import _toy_graph


def test_a_node_run_of_numpy_rates_writes_a_checkpoint_that_loads_safely(tmp_path):
    # before: "Unsupported global: numpy._core.multiarray.scalar" (the rates in the
    # hyper-parameters and in Adam's param_groups); hparams.yaml held numpy's tags
    task = NodeClassification(build_model("graph-mean", "node", {"a": 4, "b": 3},
                                          num_classes=3, k=5),
                              lr=np.float32(0.01), weight_decay=np.float64(5e-4))
    loader = single_graph_loader(_toy_graph())
    build_trainer(tmp_path, max_epochs=1, progress=False).fit(task, loader, loader)
    saved = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert type(saved["hyper_parameters"]["lr"]) is float
    assert type(saved["optimizer_states"][0]["param_groups"][0]["weight_decay"]) is float
    assert "numpy" not in (tmp_path / "logs" / "version_0" / "hparams.yaml").read_text()


def test_the_vad_task_records_numpy_settings_as_python(tmp_path):
    train = SyntheticVAD(str(tmp_path), "train", num_videos=(2, 2), snippets=(8, 8),
                         num_segments=4, log=False)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}
    task = WeaklySupervisedVAD(build_model("graph-mean", "vad", inch, num_segments=4),
                               lr=np.float32(1e-3), topk=np.int64(2),
                               operator_lr=np.float64(1e-2))
    assert {k: type(task.hparams[k]) for k in ("lr", "topk", "operator_lr")} == \
        {"lr": float, "topk": int, "operator_lr": float}
    assert type(task.lr) is float and type(task.operator_lr) is float
