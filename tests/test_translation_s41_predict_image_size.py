"""`translate predict` of a TranslationModule trained in Python (fit_translation on a
TaskonomyFolder resized to 16 x 16) resized new scenes to the CLI's default 32 x 32 (with
a notice), and no flag could give the size it was trained at: fit_translation now records
the training scenes' image_size in the hyper-parameters, and predict resizes to it."""
import sys
from pathlib import Path

import pytest
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.datasets import TaskonomyFolder
from pyg_fusion.training.translation import TranslationModule, fit_translation

sys.path.insert(0, str(Path(__file__).parent))
from test_translation_s40_predict import _folder  # noqa: E402


def test_predict_resizes_to_the_size_the_module_was_trained_at(tmp_path, capsys):
    _folder(tmp_path / "data")
    train = TaskonomyFolder(tmp_path / "data", ["shade", "depth"], image_size=16)
    module = TranslationModule(["shade", "depth"], [1, 1], ngf=2, num_downs=3,
                               gan_mode="none")
    fit_translation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1, batch_size=2,
                    progress=False)
    assert module.hparams.image_size == 16
    out = tmp_path / "out"
    assert main(["translate", "predict", "--checkpoint",
                 str(tmp_path / "run" / "checkpoints" / "last.ckpt"), "--data",
                 str(tmp_path / "data"), "--out", str(out), "--no-progress"]) == 0
    assert "notice" not in capsys.readouterr().err
    assert Image.open(out / "predictions" / "a.png").size == (16, 16)


def test_image_size_is_checked(tmp_path):
    _folder(tmp_path / "data")
    with pytest.raises(ValueError, match="image_size"):
        TranslationModule(["shade"], [1], ngf=2, num_downs=3, ndf=2, image_size=0)
    module = TranslationModule(["shade"], [1], ngf=2, num_downs=3, ndf=2, image_size=8)
    train = TaskonomyFolder(tmp_path / "data", ["shade"], image_size=16)
    with pytest.raises(ValueError, match="train resizes its scenes to 16 x 16, the module "
                                         "was given .*image_size=8"):
        fit_translation(module, train, out_dir=str(tmp_path / "run"), max_epochs=1,
                        progress=False)
