"""A segmenter or translator fitted under a true precision ("64-true") stays
in its dtype: evaluate_segmentation's own trainer, save_prediction_figure and
evaluate_translation (no trainer) refused its float32 scenes, "input 'rgb'
is torch.float32 on cpu but the model's parameters are torch.float64". They
score it in its precision, as the trainer that fitted it does."""
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import RGBDSegmentation, SyntheticTranslation
from pyg_fusion.training import seed_everything
from pyg_fusion.training.segmentation import (SegmentationModule, evaluate_segmentation,
                                              fit_segmentation, save_prediction_figure)
from pyg_fusion.training.translation import TranslationModule, fit_translation
from pyg_fusion.training.translation_eval import evaluate_translation, image_metrics
from test_asym_user import TINY, _write_scenes


def test_a_segmenter_fitted_in_float64_is_scored_as_its_own_trainer_scores_it(tmp_path):
    _write_scenes(tmp_path, "train", [(24, 24)] * 4)
    _write_scenes(tmp_path, "test", [(24, 32), (20, 28)], seed=1)
    train = RGBDSegmentation(tmp_path, "train", num_classes=5, crop_size=24)
    test = RGBDSegmentation(tmp_path, "test", num_classes=5)
    seed_everything(0)
    module = SegmentationModule("asymfusion", 5, TINY)
    fitted = fit_segmentation(module, train, out_dir=str(tmp_path / "fit"), max_epochs=1,
                              batch_size=2, progress=False, checkpoint=False,
                              precision="64-true")
    assert next(module.parameters()).dtype == torch.float64
    by_fit = evaluate_segmentation(module, test, out_dir=str(tmp_path / "a"),
                                   trainer=fitted, progress=False)
    alone = evaluate_segmentation(module, test, out_dir=str(tmp_path / "b"), progress=False)
    assert alone == by_fit
    save_prediction_figure(module, test, str(tmp_path / "p.png"), num_images=1)
    assert (tmp_path / "p.png").stat().st_size > 0


def test_a_translator_fitted_in_float64_is_scored_without_a_trainer(tmp_path):
    scenes = SyntheticTranslation(str(tmp_path), "train", 4, 32, seed=0,
                                  modalities=["shade", "depth"], progress=False)
    seed_everything(0)
    module = TranslationModule(["shade", "depth"], gan_mode="none", ngf=2, num_downs=3)
    loader = DataLoader(scenes, batch_size=2)
    fitted = fit_translation(module, scenes, out_dir=str(tmp_path / "fit"), max_epochs=1,
                             batch_size=2, progress=False, checkpoint=False,
                             precision="64-true")
    scores = evaluate_translation(module, loader)
    # the reference: the fitting trainer's own predictions, scored against the targets
    reference = {name: image_metrics() for name in module.output_names}
    for out, batch in zip(fitted.predict(module, loader), loader):
        for name, img in out.items():
            assert img.dtype == torch.float64
            reference[name].update(img.float(), batch.y)
    for name, metrics in reference.items():
        assert scores[name] == {k: float(v) for k, v in metrics.compute().items()}
