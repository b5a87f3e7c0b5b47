"""fit_translation validated on scenes read otherwise than the training ones without a
word: val=TaskonomyFolder(root, ['shade', 'z'], image_size=16) beside
train=TaskonomyFolder(root, ['shade', 'z'], image_size=16, depth=['z']) scored z's holes as
the farthest depth (1) in validation and as no depth in training, and best.ckpt was chosen
by those scores; another image_size was taken too. Both are a ValueError before training."""
import pytest
from translation_folders import depth_scenes

from pyg_fusion.datasets import TaskonomyFolder
from pyg_fusion.training.translation import TranslationModule, fit_translation


def _folder(root):
    return depth_scenes(root, {"shade": "gray", "z": "depth", "rgb": "rgb"})


@pytest.mark.parametrize("val, error", [
    (dict(image_size=16), r"val reads \[\] as depth, train \['shade', 'z'\]"),
    (dict(image_size=8, depth=["shade", "z"]), r"val resizes to 8 x 8, train to 16 x 16"),
])
def test_validation_scenes_read_otherwise_are_refused(tmp_path, val, error):
    root = _folder(tmp_path / "data")
    train = TaskonomyFolder(root, ["shade", "z"], image_size=16, depth=["shade", "z"])
    module = TranslationModule(["shade", "z"], [1, 1], ngf=2, num_downs=2, gan_mode="none")
    with pytest.raises(ValueError, match=error + r": read the validation scenes as the "
                                               r"training ones"):
        fit_translation(module, train, val=TaskonomyFolder(root, ["shade", "z"], **val),
                        out_dir=str(tmp_path / "run"), max_epochs=1, progress=False)
    assert not (tmp_path / "run").exists()


def test_validation_scenes_read_alike_train(tmp_path):
    root = _folder(tmp_path / "data")
    train = TaskonomyFolder(root, ["shade", "z"], image_size=16, depth=["z"])
    module = TranslationModule(["shade", "z"], [1, 1], ngf=2, num_downs=2, gan_mode="none")
    fit_translation(module, train, val=TaskonomyFolder(root, ["shade", "z"], image_size=16,
                                                       depth=["z"]),
                    out_dir=str(tmp_path / "run"), max_epochs=1, batch_size=2, progress=False)
    assert module.hparams.depth_inputs == ["z"]
