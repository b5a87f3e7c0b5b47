"""The Python evaluations of the image tasks take the data settings a caller
leaves out from the checkpoint, as the evaluate commands take the flags left
out: ``data=None`` (all of them), a dict of those given, or a config whose
``None`` fields are the checkpoint's; a config built with its defaults gives
every setting, and those away from the checkpoint's are scored with a notice."""
import dataclasses
import warnings

import pytest
import torch
from translation_folders import translation_folder as _folder

from pyg_fusion import PygFusionNotice
from pyg_fusion.experiments.image_config import (SegmentDataConfig, TranslateDataConfig,
                                                 TranslateEvalConfig)

SEG = {"depth": None, "layers": (1, 1, 1, 1), "width": 4, "decoder_features": 4,
       "light": True, "dropout": 0.0}


def _segment_checkpoint(tmp_path):
    from pyg_fusion.training.segmentation import SegmentationModule
    data = dataclasses.asdict(SegmentDataConfig(root=str(tmp_path / "rgbd"), size=32,
                                                num_train=2, num_test=2, batch_size=2))
    module = SegmentationModule("asymfusion", 6, SEG, data_config=data)
    ckpt = tmp_path / "s.ckpt"
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               ckpt)
    return str(ckpt)


def _notices(call):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", PygFusionNotice)
        run = call()
    return run, [str(w.message) for w in seen if issubclass(w.category, PygFusionNotice)]


def test_a_segment_caller_who_gives_the_root_scores_the_checkpoints_scenes(tmp_path):
    """evaluate_segment(ckpt, SegmentDataConfig(root=R), out) of a checkpoint
    trained on 2 synthetic scenes of side 32 scored 64 scenes of side 64 (the
    config's defaults, taken as given) without a word."""
    from pyg_fusion.experiments.segment_run import evaluate_segment
    ckpt, out = _segment_checkpoint(tmp_path), str(tmp_path / "ev")
    for data in (None, {"root": str(tmp_path / "rgbd")}):
        run, seen = _notices(lambda: evaluate_segment(ckpt, data, out, progress=False,
                                                      report=False))
        assert (len(run.data), run.data[0]["rgb"].shape[-1], seen) == (2, 32, [])
    run, seen = _notices(lambda: evaluate_segment(
        ckpt, SegmentDataConfig(root=str(tmp_path / "rgbd")), out, progress=False,
        report=False))
    assert (len(run.data), run.data[0]["rgb"].shape[-1]) == (64, 64)
    assert seen == ["--size 64, --num-test 64: the checkpoint was trained with --size 32, "
                    "--num-test 2; scoring with the settings given (left out, or None in "
                    "Python, a setting is the checkpoint's)"]


def test_evaluation_data_of_another_kind_is_a_type_error(tmp_path):
    from pyg_fusion.experiments.segment_run import evaluate_segment
    ckpt, out = _segment_checkpoint(tmp_path), str(tmp_path / "ev")
    with pytest.raises(TypeError, match="^data: SegmentDataConfig has no setting sise; its "
                                        "settings are data, root, "):
        evaluate_segment(ckpt, {"sise": 32}, out, progress=False)
    with pytest.raises(TypeError, match=r"^data must be a SegmentDataConfig, a dict of its "
                                        r"settings or None \(every setting the checkpoint's\), "
                                        r"got TranslateDataConfig$"):
        evaluate_segment(ckpt, TranslateDataConfig(), out, progress=False)


def test_a_translate_caller_who_gives_the_folder_scores_at_the_checkpoints_side(tmp_path):
    """evaluate_translate(ckpt, TranslateDataConfig(data=FOLDER), ...) scores
    at the config's default side 32 (with a notice); giving the folder alone
    scores at the checkpoint's 16, without one."""
    from pyg_fusion.experiments.translate_run import evaluate_translate
    from pyg_fusion.training.translation import TranslationModule
    test = _folder(tmp_path / "test", n=2, size=16)
    module = TranslationModule(["shade", "depth"], [1, 1], gan_mode="none", ngf=2,
                               num_downs=3)
    data = dataclasses.asdict(TranslateDataConfig(data=str(tmp_path / "train"),
                                                  modalities="shade,depth", image_size=16))
    ckpt = tmp_path / "t.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    run, seen = _notices(lambda: evaluate_translate(
        str(ckpt), {"data": str(test)}, TranslateEvalConfig(), str(tmp_path / "ev"),
        progress=False, report=False))
    assert (run.data[0].y.shape, seen) == ((1, 3, 16, 16), [])


def test_a_config_of_another_kind_of_data_is_scored_with_a_notice(tmp_path):
    """TranslateDataConfig(image_size=16) for a generator trained on a folder
    gives data='synthetic' too (its default): the synthetic scenes were scored
    in place of a folder's, without a word."""
    from pyg_fusion.experiments.translate_run import evaluate_translate
    from pyg_fusion.training.translation import TranslationModule
    module = TranslationModule(["shade", "depth"], [1, 1], gan_mode="none", ngf=2,
                               num_downs=3)
    trained = str(tmp_path / "train")
    data = dataclasses.asdict(TranslateDataConfig(data=trained, modalities="shade,depth",
                                                  image_size=16))
    ckpt = tmp_path / "t.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    _, seen = _notices(lambda: evaluate_translate(
        str(ckpt), TranslateDataConfig(image_size=16, root=str(tmp_path / "scenes")),
        TranslateEvalConfig(num_test=2), str(tmp_path / "ev"), progress=False,
        report=False))
    assert seen == [f"--data synthetic: the checkpoint was trained with --data {trained}; "
                    f"scoring with the settings given (left out, or None in Python, a "
                    f"setting is the checkpoint's)"]


def test_a_data_seed_equal_to_the_seed_of_the_checkpoints_scenes_is_no_change(tmp_path):
    """Synthetic scenes are seeded by data_seed, else by seed: a data_seed given
    equal to the seed the checkpoint's scenes had scores the same scenes (no
    notice), another one other scenes (a notice naming the checkpoint's seed)."""
    from pyg_fusion.experiments.translate_run import evaluate_translate
    from pyg_fusion.training.translation import TranslationModule
    module = TranslationModule(["shade", "depth"], [1, 1], gan_mode="none", ngf=2,
                               num_downs=3)
    data = dataclasses.asdict(TranslateDataConfig(root=str(tmp_path / "scenes"), seed=2,
                                                  modalities="shade,depth", image_size=8))
    ckpt = tmp_path / "t.ckpt"
    torch.save({"state_dict": module.state_dict(),
                "hyper_parameters": {**module.hparams, "data_config": data}}, ckpt)
    seen = {}
    for seed in (2, 3):
        _, seen[seed] = _notices(lambda: evaluate_translate(
            str(ckpt), {"data_seed": seed}, TranslateEvalConfig(num_test=2),
            str(tmp_path / "ev"), progress=False, report=False))
    assert seen == {2: [], 3: ["--data-seed 3: the checkpoint was trained with --data-seed 2; "
                               "scoring with the settings given (left out, or None in "
                               "Python, a setting is the checkpoint's)"]}
