"""SegmentationModule / TranslationModule and their fits given numpy's
scalars (a setting read from an array or a sweep's grid): trained as the
plain values, and the checkpoint, whose hyper-parameters were the raw numpy
values, loads with weights_only=True, as evaluate reads it."""
import numpy as np
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion._loading import load_lightning
from pyg_fusion.datasets import RGBDSegmentation, SyntheticTranslation
from pyg_fusion.training import seed_everything
from pyg_fusion.training.segmentation import (SegmentationModule, evaluate_segmentation,
                                              fit_segmentation)
from pyg_fusion.training.translation import TranslationModule, fit_translation
from pyg_fusion.training.translation_eval import evaluate_translation
from test_asym_user import TINY, _write_scenes
from test_specs_s33b_plain_options import _plain


def test_a_segmenter_of_numpy_settings_trains_and_its_checkpoint_evaluates(tmp_path):
    # before: num_classes=np.int64(5) failed in torchmetrics ('an integer larger
    # than 1, but got 5'), seed=np.int64(0) in torch ('an integer is required'),
    # max_epochs=np.int64(1) in Lightning's assert, and with lr=np.float32 the
    # checkpoint was unreadable (UnpicklingError under weights_only=True)
    _write_scenes(tmp_path, "train", [(24, 24)] * 4)
    _write_scenes(tmp_path, "test", [(24, 24)] * 2, seed=1)
    train = RGBDSegmentation(tmp_path, "train", num_classes=5, crop_size=24)
    test = RGBDSegmentation(tmp_path, "test", num_classes=5)
    seed_everything(0)
    module = SegmentationModule("asymfusion", np.int64(5), TINY, lr=np.float32(1e-3),
                                weight_decay=np.float64(1e-5),
                                class_names=np.array(list("abcde")),
                                data_config={"size": np.int64(24)})
    assert module.hparams.lr == float(np.float32(1e-3)) and _plain(dict(module.hparams))
    fit_segmentation(module, train, out_dir=str(tmp_path / "fit"), max_epochs=np.int64(1),
                     batch_size=np.int64(2), seed=np.int64(0), progress=False)
    ckpt = tmp_path / "fit" / "checkpoints" / "last.ckpt"
    hp = torch.load(ckpt, weights_only=True)["hyper_parameters"]
    assert _plain(hp) and hp["class_names"] == list("abcde")
    loaded = load_lightning(SegmentationModule, ckpt, task="segment")
    scores = evaluate_segmentation(loaded, test, out_dir=str(tmp_path / "a"), progress=False)
    assert scores == evaluate_segmentation(module, test, out_dir=str(tmp_path / "b"),
                                           progress=False)


def test_a_translator_of_numpy_settings_trains_and_its_checkpoint_evaluates(tmp_path):
    # before: the checkpoint's hyper-parameters held np.float32 / np.int64 (and the
    # modalities' array): unreadable under weights_only=True
    scenes = SyntheticTranslation(str(tmp_path), "train", 4, 32, seed=0,
                                  modalities=["shade", "depth"], progress=False)
    seed_everything(0)
    module = TranslationModule(np.array(["shade", "depth"]), gan_mode="none",
                               ngf=np.int64(2), num_downs=np.int64(3), lr=np.float32(2e-4),
                               ratio=np.float64(0.2), lambda_l1=np.float64(100))
    fit_translation(module, scenes, out_dir=str(tmp_path / "fit"), max_epochs=np.int64(1),
                    batch_size=np.int64(2), seed=np.int64(0), progress=False)
    ckpt = tmp_path / "fit" / "checkpoints" / "last.ckpt"
    hp = torch.load(ckpt, weights_only=True)["hyper_parameters"]
    assert _plain(hp) and hp["modalities"] == ["shade", "depth"]
    loaded = load_lightning(TranslationModule, ckpt, task="translate")
    loader = DataLoader(scenes, batch_size=2)
    assert evaluate_translation(loaded, loader) == evaluate_translation(module, loader)


@pytest.mark.parametrize("value", [1.5, np.float64(2.0), "1"])
def test_a_seed_of_no_int_is_named_before_training(tmp_path, value):
    _write_scenes(tmp_path, "train", [(24, 24)] * 2)
    train = RGBDSegmentation(tmp_path, "train", num_classes=5, crop_size=24)
    module = SegmentationModule("asymfusion", 5, TINY)
    with pytest.raises((TypeError, ValueError), match="seed"):
        fit_segmentation(module, train, out_dir=str(tmp_path / "fit"), max_epochs=1,
                         batch_size=2, seed=value, progress=False)
    assert not (tmp_path / "fit").exists()


def test_array_settings_are_recorded_as_lists():
    # before: the networks took layers / fusion_levels as numpy arrays and the
    # checkpoint recorded the arrays, unreadable under weights_only=True
    arch = {**TINY, "layers": np.array([1, 1, 1, 1])}
    seg = SegmentationModule("asymfusion", 5, arch)
    tr = TranslationModule(["shade", "depth"], gan_mode="none", ngf=2, num_downs=3,
                           fusion_levels=np.array([1, 2]))
    assert seg.hparams.arch["layers"] == [1, 1, 1, 1] and tr.hparams.fusion_levels == [1, 2]
    assert _plain(dict(seg.hparams)) and _plain(dict(tr.hparams))
    assert type(arch["layers"]) is np.ndarray  # the caller's arch left as given
