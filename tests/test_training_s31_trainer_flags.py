"""build_trainer's progress and checkpoint flags (every fit_* passes its own
through): a string is truthy and did the opposite of what it said."""
import pytest

from pyg_fusion.methods import build_model
from pyg_fusion.training.node import fit_node
from pyg_fusion.training.trainer import build_trainer
from test_training_node import _toy_graph


@pytest.mark.parametrize("flag", ["progress", "checkpoint"])
@pytest.mark.parametrize("value", ["no", "False", 0, None])
def test_build_trainer_takes_only_true_or_false_flags(tmp_path, flag, value):
    with pytest.raises(TypeError, match=f"{flag} must be True or False, got {value!r}"):
        build_trainer(tmp_path / "run", max_epochs=1, **{flag: value})
    assert not (tmp_path / "run").exists()  # refused before the folder is made


def test_fit_node_with_checkpoint_no_writes_no_checkpoint(tmp_path):
    # fit_node(..., checkpoint="no") wrote checkpoints/best.ckpt and last.ckpt
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    with pytest.raises(TypeError, match="checkpoint must be True or False, got 'no'"):
        fit_node(model, _toy_graph(), out_dir=tmp_path, epochs=1, progress=False,
                 checkpoint="no")
    assert not (tmp_path / "checkpoints").exists()
