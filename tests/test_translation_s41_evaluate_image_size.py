"""`translate evaluate` of a TranslationModule trained in Python (fit_translation
records the training scenes' image_size, no data_config) scored its test scenes at the
default 32 x 32, with a notice that the checkpoint records no data settings, as
predict resized new scenes before it read the module's image_size."""
import sys
from pathlib import Path

import pytest
import torch

from pyg_fusion import PygFusionNotice
from pyg_fusion.experiments.image_config import TranslateEvalConfig
from pyg_fusion.experiments.translate_run import evaluate_translate
from pyg_fusion.training.translation import TranslationModule

sys.path.insert(0, str(Path(__file__).parent))
from test_translation_s40_predict import _folder  # noqa: E402


def _evaluate(tmp_path, data):
    return evaluate_translate(str(tmp_path / "m.ckpt"), data, TranslateEvalConfig(),
                              str(tmp_path / "out"), progress=False, report=False)


def test_evaluate_scores_at_the_size_the_module_records(tmp_path, recwarn):
    _folder(tmp_path / "data")
    module = TranslationModule(["shade"], [1], out_channels=1, ngf=2, num_downs=3,
                               gan_mode="none", image_size=16)
    torch.save({"state_dict": module.state_dict(), "hyper_parameters": dict(module.hparams)},
               tmp_path / "m.ckpt")
    run = _evaluate(tmp_path, {"data": str(tmp_path / "data"), "target": "depth"})
    assert run.data.image_size == 16
    notices = [str(w.message) for w in recwarn if issubclass(w.category, PygFusionNotice)]
    assert not any("--image-size" in n for n in notices), notices
    # a size given still wins, with the defaults' notice naming the others
    with pytest.warns(PygFusionNotice, match="records no data settings"):
        run = _evaluate(tmp_path, {"data": str(tmp_path / "data"), "target": "depth",
                                   "image_size": 8})
    assert run.data.image_size == 8
