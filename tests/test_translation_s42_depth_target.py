"""`translate evaluate` read the target as depth by its name alone (`depth...`): no module
recorded whether its training target was read so. A module trained in Python on
TaskonomyFolder(..., target='z', depth=['z']) was scored with z's 65535 pixels ("no depth")
as values (1, the farthest depth) and no valid_z mask, and one trained on a target named
depth_zbuffer read otherwise (depth=[]) was scored with its 65535s as holes. fit_translation
records the target's reading (depth_target), and evaluate reads test targets so; a
checkpoint that records none keeps the reading by name."""
import pytest
import torch
from translation_folders import depth_scenes

from pyg_fusion.datasets import TaskonomyFolder
from pyg_fusion.experiments.image_config import TranslateEvalConfig
from pyg_fusion.experiments.translate_run import evaluate_translate
from pyg_fusion.training.translation import TranslationModule, fit_translation


def _folder(root, target):
    return depth_scenes(root, {"shade": "gray", target: "depth"})


def _trained(tmp_path, target, depth):
    train = TaskonomyFolder(_folder(tmp_path / "data", target), ["shade"], target,
                            image_size=16, depth=depth)
    module = TranslationModule(["shade"], [1], out_channels=1, ngf=2, num_downs=3,
                               gan_mode="none")
    fit_translation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1, batch_size=2,
                    progress=False)
    return module, str(tmp_path / "run" / "checkpoints" / "last.ckpt")


def _scored(tmp_path, ckpt, target):
    return evaluate_translate(ckpt, {"data": str(tmp_path / "data"), "target": target},
                              TranslateEvalConfig(), str(tmp_path / "out"), progress=False,
                              report=False).data


def test_a_target_trained_as_depth_is_scored_as_depth(tmp_path):
    module, ckpt = _trained(tmp_path, "z", ["z"])
    scene = _scored(tmp_path, ckpt, "z")[0]
    assert (scene.y[..., :4, :] == 0).all()  # a hole, not the farthest depth (1)
    assert not scene.valid_z[..., :4, :].any() and scene.valid_z[..., 4:, :].all()
    assert module.hparams.depth_target is True


def test_a_target_named_depth_but_read_plainly_is_scored_plainly(tmp_path):
    module, ckpt = _trained(tmp_path, "depth_zbuffer", [])
    scene = _scored(tmp_path, ckpt, "depth_zbuffer")[0]
    assert (scene.y[..., :4, :] == 1).all() and "valid_depth_zbuffer" not in scene
    assert module.hparams.depth_target is False


def test_a_checkpoint_without_it_reads_the_target_by_its_name(tmp_path):
    _folder(tmp_path / "data", "depth_zbuffer")
    module = TranslationModule(["shade"], [1], out_channels=1, ngf=2, num_downs=3,
                               gan_mode="none", image_size=16, depth_inputs=[])
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    scene = _scored(tmp_path, str(tmp_path / "m.ckpt"), "depth_zbuffer")[0]
    assert not scene.valid_depth_zbuffer[..., :4, :].any()


def test_the_module_refuses_a_reading_that_is_no_bool_or_another_one(tmp_path):
    with pytest.raises(TypeError, match="depth_target must be True, False or None, got 'no'"):
        TranslationModule(["shade"], [1], depth_target="no")
    train = TaskonomyFolder(_folder(tmp_path / "data", "z"), ["shade"], "z", image_size=16,
                            depth=["z"])
    module = TranslationModule(["shade"], [1], out_channels=1, ngf=2, num_downs=3,
                               gan_mode="none", depth_target=False)
    with pytest.raises(ValueError, match=r"train reads its target 'z' as depth, the module "
                                         r"was given \(or trained with\) depth_target=False"):
        fit_translation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1,
                        progress=False)
