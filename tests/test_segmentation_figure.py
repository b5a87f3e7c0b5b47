"""The prediction figure of the segmentation task says which panel is which."""
import matplotlib

matplotlib.use("Agg")

from pyg_fusion.datasets import SyntheticRGBD  # noqa: E402
from pyg_fusion.training import segmentation_figure  # noqa: E402
from pyg_fusion.training.segmentation import SegmentationModule  # noqa: E402

TINY = {"depth": None, "layers": (1, 1, 1, 1), "width": 4, "decoder_features": 8,
        "light": True, "dropout": 0.0}


def test_inputs_and_predictions_are_named_apart(tmp_path, monkeypatch):
    """'depth' headed both the depth input and the depth branch's prediction
    (and 'rgb' a prediction beside 'input'): reproduced with pyg-fusion segment
    train --data synthetic --variant asymfusion, predictions.png."""
    scenes = SyntheticRGBD(tmp_path / "d", "test", size=16, num_train=2, num_test=2, seed=0)
    module = SegmentationModule("asymfusion", 6, TINY)
    drawn = {}
    real = segmentation_figure.save_figure
    monkeypatch.setattr(segmentation_figure, "save_figure",
                        lambda fig, path, **kw: drawn.setdefault("fig", fig) and real(fig, path,
                                                                                      **kw))
    segmentation_figure.save_prediction_figure(module, scenes, str(tmp_path / "p.png"),
                                               num_images=2)
    titles = [a.get_title() for a in drawn["fig"].axes if a.get_title()]
    assert titles == ["input: RGB", "input: depth", "ground truth", "predicted: rgb",
                      "predicted: depth", "predicted: ensemble"]
    assert (tmp_path / "p.png").stat().st_size > 1000
