"""`translate predict` found the depth inputs by their folder names (``depth...``) only: a
TranslationModule trained in Python on TaskonomyFolder(..., depth=['zbuf']) had the new
scenes' zbuf/ read without its "no depth" handling (65535 pixels read as 1, the farthest
depth, and no valid_zbuf mask). fit_translation now records the inputs read as depth in
the hyper-parameters (depth_inputs), and predict reads them so."""
import pytest
import torch
from translation_folders import depth_scenes

from pyg_fusion.cli import main
from pyg_fusion.datasets import TaskonomyFolder
from pyg_fusion.training.translation import TranslationModule, fit_translation


def _folder(root, names=("a", "b")):
    return depth_scenes(root, {"shade": "gray", "zbuf": "depth", "rgb": "rgb"}, names)


def test_predict_reads_the_inputs_the_module_was_trained_to_read_as_depth(
        tmp_path, monkeypatch):
    _folder(tmp_path / "data")
    train = TaskonomyFolder(tmp_path / "data", ["shade", "zbuf"], image_size=16,
                            depth=["zbuf"])
    module = TranslationModule(["shade", "zbuf"], [1, 1], ngf=2, num_downs=3,
                               gan_mode="none")
    fit_translation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1, batch_size=2,
                    progress=False)
    assert module.hparams.depth_inputs == ["zbuf"]
    seen, translate = [], TranslationModule.translate

    def kept(self, scene):
        seen.append(scene)
        return translate(self, scene)
    monkeypatch.setattr(TranslationModule, "translate", kept)
    assert main(["translate", "predict", "--checkpoint",
                 str(tmp_path / "run" / "checkpoints" / "last.ckpt"), "--data",
                 str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    assert len(seen) == 2
    for scene, trained in zip(seen, train):  # as in training: the holes 0 and not valid
        assert torch.equal(scene.x_zbuf, trained.x_zbuf)
        assert torch.equal(scene.valid_zbuf, trained.valid_zbuf)
        assert not scene.valid_zbuf[..., :4, :].any()


def test_depth_inputs_are_checked(tmp_path):
    with pytest.raises(ValueError, match=r"depth_inputs must name input modalities among "
                                         r"\['shade'\], got \['rgb'\]"):
        TranslationModule(["shade"], [1], ngf=2, num_downs=3, ndf=2, depth_inputs=["rgb"])
    _folder(tmp_path / "data")
    module = TranslationModule(["shade", "zbuf"], [1, 1], ngf=2, num_downs=3, ndf=2,
                               depth_inputs=["zbuf"])
    train = TaskonomyFolder(tmp_path / "data", ["shade", "zbuf"], image_size=16)
    with pytest.raises(ValueError, match=r"train reads the inputs \[\] as depth, the module "
                                         r"was given .*depth_inputs=\['zbuf'\]"):
        fit_translation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1,
                        progress=False)
