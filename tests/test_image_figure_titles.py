"""The figures of the image tasks name the model, the data and the epochs,
fill their figure, and show the scale of their one-channel inputs."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
from torch_geometric.loader import DataLoader  # noqa: E402

from pyg_fusion.datasets import SyntheticRGBD  # noqa: E402
from pyg_fusion.datasets.translation import SyntheticTranslation  # noqa: E402
from pyg_fusion.training import segmentation_figure, translation_eval, translation_figure  # noqa: E402
from pyg_fusion.training.segmentation import SegmentationModule  # noqa: E402
from pyg_fusion.training.translation import TranslationModule  # noqa: E402

TINY = {"depth": None, "layers": (1, 1, 1, 1), "width": 4, "decoder_features": 8,
        "light": True, "dropout": 0.0}


def _capture(monkeypatch, module):
    drawn = []
    real = module.save_figure

    def keep(fig, path, **kw):
        drawn.append(fig)
        real(fig, path, **kw)
    monkeypatch.setattr(module, "save_figure", keep)
    return drawn


def _panels(fig):
    return [a for a in fig.axes if a.get_title()]


def test_segmentation_figure_title_depth_scale_and_margins(tmp_path, monkeypatch):
    """predictions.png had no title, white margins of 12% / 10% of the figure
    either side (fixed subplot margins), and depth panels each scaled to their
    own range with no colour bar (reproduced: pyg-fusion segment train --data
    synthetic --variant asymfusion --epochs 1)."""
    drawn = _capture(monkeypatch, segmentation_figure)
    scenes = SyntheticRGBD(tmp_path / "d", "test", size=16, num_train=2, num_test=3, seed=0)
    module = SegmentationModule("asymfusion", 6, TINY)
    segmentation_figure.save_prediction_figure(module, scenes, str(tmp_path / "p.png"),
                                               num_images=3, title="T",
                                               class_names=[str(i) for i in range(6)])
    fig = drawn[0]
    assert fig._suptitle.get_text() == "T"
    depths = [scenes[r]["depth"][0] for r in range(3)]
    lo, hi = min(float(d.min()) for d in depths), max(float(d.max()) for d in depths)
    depth_panels = [a for a in fig.axes if a.get_images()  # RGB: 3-D arrays, no colour map
                    and a.get_images()[0].get_array().ndim == 2
                    and a.get_images()[0].get_cmap().name == "viridis"]
    assert len(depth_panels) == 3  # one per row, all on one scale
    for a in depth_panels:
        assert a.get_images()[0].get_clim() == pytest.approx((lo, hi))
    bars = [a for a in fig.axes if a.get_xlabel().startswith("depth")]
    assert [b.get_xlabel() for b in bars] == ["depth (PNG value / 5000)"]
    assert bars[0].get_xlim() == pytest.approx((lo, hi))
    fig.canvas.draw()
    boxes = [a.get_position() for a in _panels(fig)]
    assert min(b.x0 for b in boxes) < 0.03 and max(b.x1 for b in boxes) > 0.97


def test_translation_figure_title_and_grey_scale(tmp_path, monkeypatch):
    """translation.png had no title, and its grey depth / shade inputs no
    scale (reproduced: pyg-fusion translate evaluate of a 1-epoch run)."""
    drawn = _capture(monkeypatch, translation_figure)
    ds = SyntheticTranslation(str(tmp_path), "test", 2, 16, seed=0,
                              modalities=["shade", "depth"], progress=False)
    batch = next(iter(DataLoader(ds, batch_size=2)))
    module = TranslationModule(["shade", "depth"], data_config={"target": "rgb"}, ngf=4,
                               num_downs=4, ndf=4, d_layers=2)
    translation_eval.save_translation_figure(module, batch, str(tmp_path / "t.png"), title="T")
    fig = drawn[0]
    assert fig._suptitle.get_text() == "T"
    bars = [a for a in fig.axes if "[0, 1]" in a.get_xlabel()]
    assert len(bars) == 1 and bars[0].get_xlim() == pytest.approx((0.0, 1.0))


def test_cli_figures_name_model_data_and_epochs(tmp_path, monkeypatch):
    """The titles the commands draw: the variant or modalities, the scenes,
    the epochs trained (from the fit loop of the checkpoint: the 'epoch' field
    of a best.ckpt written at validation end holds 0 after one epoch) and the
    checkpoint evaluated."""
    from pyg_fusion.cli import main

    seg = _capture(monkeypatch, segmentation_figure)
    common = ["--data", "synthetic", "--root", str(tmp_path / "rgbd"), "--size", "16",
              "--num-train", "2", "--num-test", "1", "--batch-size", "2", "--no-progress"]
    assert main(["segment", "train", *common, "--variant", "late-sum", "--layers", "1,1,1,1",
                 "--width", "4", "--decoder-features", "8", "--light", "--epochs", "2",
                 "--out", str(tmp_path / "seg")]) == 0
    want = "segmentation, late-sum on synthetic scenes (16 px, data seed 0): 2 epochs"
    assert seg[-1]._suptitle.get_text() == want
    assert main(["segment", "evaluate", "--checkpoint",
                 str(tmp_path / "seg" / "checkpoints" / "last.ckpt"), "--no-progress",
                 "--out", str(tmp_path / "seg_eval")]) == 0
    assert seg[-1]._suptitle.get_text() == want + " (seg/last.ckpt)"

    tr = _capture(monkeypatch, translation_figure)
    assert main(["translate", "train", "--root", str(tmp_path / "tr_data"), "--image-size",
                 "16", "--batch-size", "4", "--num-train", "4", "--num-val", "2",
                 "--epochs", "1", "--ngf", "4", "--num-downs", "4", "--gan-mode", "none",
                 "--no-progress", "--out", str(tmp_path / "tr")]) == 0
    best = tmp_path / "tr" / "checkpoints" / "best.ckpt"
    assert torch.load(best, weights_only=True)["epoch"] == 0  # not a count
    assert main(["translate", "evaluate", "--checkpoint", str(best), "--num-test", "2",
                 "--no-progress", "--out", str(tmp_path / "tr_eval")]) == 0
    assert tr[-1]._suptitle.get_text() == (
        "translation shade, depth to rgb on synthetic scenes (16 px, data seed 0): "
        "1 epoch (tr/best.ckpt)")
