"""precision="16-true" keeps the weights and Adam's moments in float16, where
Adam's eps (1e-8) is 0: the first step divides by zero at any learning rate,
which the divergence error said to lower."""
import pytest

from pyg_fusion.methods import build_model
from pyg_fusion.training.node import NodeClassification, single_graph_loader
from pyg_fusion.training.trainer import build_trainer
from test_training_node import _toy_graph


def test_float16_weights_name_adams_eps_not_the_learning_rate(tmp_path):
    # before: "... made model.head.lin.weight non-finite; lower the learning
    # rate: lr (--lr) is 1e-06", and as much at any rate
    task = NodeClassification(build_model("graph-mean", "node", {"a": 4, "b": 3},
                                          num_classes=3, k=5), lr=1e-6)
    loader = single_graph_loader(_toy_graph())
    trainer = build_trainer(tmp_path, max_epochs=1, progress=False, precision="16-true")
    with pytest.raises(ValueError, match=r"the weights are float16 \(precision='16-true'\), "
                                         r"where Adam's eps \(1e-8\) is 0.*precision='16-mixed'"):
        trainer.fit(task, loader, loader)
