"""The graph tasks reloaded with Lightning's ``load_from_checkpoint``: the
checkpoint holds the weights and the task's settings, not the model, so the
call takes ``model=`` and, without it, says so and how."""
import pytest
import torch

from pyg_fusion.methods import build_model
from pyg_fusion.training.node import NodeClassification
from pyg_fusion.training.vad import WeaklySupervisedVAD
# saved by a user's own Trainer, loaded with weights_only=True where Lightning takes it
from test_training_s30_checkpoints import _reload, _saved


def _model(cls):
    if cls is NodeClassification:
        return build_model("lego", "node", {"a": 3, "b": 2}, num_classes=3)
    return build_model("graph-mean", "vad", {"a": 3, "b": 2}, num_segments=8)


@pytest.mark.parametrize("cls", [NodeClassification, WeaklySupervisedVAD])
def test_a_graph_task_reloads_with_its_model_and_names_model_without_it(tmp_path, cls):
    # cls.load_from_checkpoint(path) ended in Python's "__init__() missing 1
    # required positional argument: 'model'", with no way on
    torch.manual_seed(0)
    task = cls(_model(cls), lr=0.02, weight_decay=1e-4)
    path = _saved(task, tmp_path / "task.ckpt")
    with pytest.raises(TypeError, match=rf"{cls.__name__}.load_from_checkpoint\(path\) needs "
                                        r"model=: .*build_model"):
        _reload(cls, path)
    torch.manual_seed(1)  # other weights, which the checkpoint's replace
    again = _reload(cls, path, model=_model(cls))
    assert (again.lr, again.weight_decay) == (0.02, 1e-4)
    for key, value in task.state_dict().items():
        assert torch.equal(again.state_dict()[key], value), key


def test_load_from_checkpoint_is_refused_on_an_instance_as_lightning_does(tmp_path):
    # the override was a plain classmethod: task.load_from_checkpoint(path,
    # model=...) returned a new task and left task as it was, without a word
    task = NodeClassification(_model(NodeClassification), lr=0.02, weight_decay=1e-4)
    path = _saved(task, tmp_path / "task.ckpt")
    with pytest.raises(TypeError, match="cannot be called on an instance"):
        task.load_from_checkpoint(path, model=_model(NodeClassification))
    assert isinstance(_reload(NodeClassification, path, model=_model(NodeClassification)),
                      NodeClassification)
