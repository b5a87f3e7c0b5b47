"""`translate evaluate` read a folder's depth images by their names (``depth...``) only,
not by the module's recorded depth_inputs (as predict does): a TranslationModule trained
in Python on TaskonomyFolder(..., depth=['zbuf']) was scored with zbuf's 65535 pixels
("no depth") read as 1, the farthest depth, and no valid_zbuf mask. And a test config
given as a dict or None failed with an AttributeError."""
import pytest
import torch
from translation_folders import depth_scenes

from pyg_fusion.datasets import TaskonomyFolder
from pyg_fusion.experiments.image_config import TranslateEvalConfig
from pyg_fusion.experiments.translate_run import evaluate_translate
from pyg_fusion.training.translation import TranslationModule


def _folder(root):
    return depth_scenes(root, {"shade": "gray", "zbuf": "depth", "depth_zbuffer": "depth"})


def _evaluate(tmp_path, depth_inputs, test=TranslateEvalConfig()):
    module = TranslationModule(["shade", "zbuf"], [1, 1], out_channels=1, ngf=2,
                               num_downs=3, gan_mode="none", image_size=16,
                               depth_inputs=depth_inputs)
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    return evaluate_translate(str(tmp_path / "m.ckpt"),
                              {"data": str(tmp_path / "data"), "target": "depth_zbuffer"},
                              test,
                              str(tmp_path / "out"), progress=False, report=False)


def test_evaluate_reads_the_inputs_the_module_was_trained_to_read_as_depth(tmp_path):
    _folder(tmp_path / "data")
    run = _evaluate(tmp_path, ["zbuf"])
    trained = TaskonomyFolder(tmp_path / "data", ["shade", "zbuf"], "depth_zbuffer",
                              image_size=16, depth=["zbuf", "depth_zbuffer"])
    assert len(run.data) == 2
    for scene, want in zip(run.data, trained):  # the holes 0 and not valid, as in training
        assert torch.equal(scene.x_zbuf, want.x_zbuf)
        assert not scene.valid_zbuf[..., :4, :].any()
        assert torch.equal(scene.valid_depth_zbuffer, want.valid_depth_zbuffer)


def test_a_checkpoint_without_depth_inputs_reads_the_folders_named_depth(tmp_path):
    _folder(tmp_path / "data")
    run = _evaluate(tmp_path, None)  # older checkpoints: as before
    scene = run.data[0]
    assert "valid_zbuf" not in scene and "valid_depth_zbuffer" in scene


@pytest.mark.parametrize("test", [{"num_figure": 2}, "none"])
def test_evaluate_refuses_a_test_config_of_another_type(tmp_path, test):
    _folder(tmp_path / "data")
    test = None if test == "none" else test
    with pytest.raises(TypeError, match=r"test must be a TranslateEvalConfig .*got "
                                        + type(test).__name__):
        _evaluate(tmp_path, ["zbuf"], test)


def test_train_refuses_a_test_config_of_another_type_before_training(tmp_path):
    from pyg_fusion.experiments.image_config import (TranslateDataConfig, TranslateModelConfig,
                                                     TranslateTrainDataConfig)
    from pyg_fusion.experiments.translate_run import run_translate
    with pytest.raises(TypeError, match=r"test must be a TranslateEvalConfig .* or None, got "
                                        r"dict"):
        run_translate(TranslateDataConfig(image_size=16, root=str(tmp_path / "data")),
                      TranslateTrainDataConfig(num_train=2, num_val=1),
                      TranslateModelConfig(epochs=1, ngf=2, num_downs=4, gan_mode="none"),
                      str(tmp_path / "run"), progress=False, validate=False,
                      test={"num_test": 1}, config={})
    assert not (tmp_path / "data").exists()  # refused before the scenes were rendered
