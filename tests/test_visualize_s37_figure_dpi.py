"""Every figure the package saves keeps the user's rcParams['savefig.dpi']
(the plots of pyg_fusion.visualize did; the translation and segmentation
figures saved at 120 and 100 dpi whatever it said), and its own dpi when
the user set none."""
import matplotlib
import torch
from matplotlib.figure import Figure
from matplotlib.image import imread
from torch_geometric.loader import DataLoader

from pyg_fusion._files import save_figure
from pyg_fusion.datasets import SyntheticRGBD
from pyg_fusion.datasets.translation import SyntheticTranslation
from pyg_fusion.training.translation_eval import save_translation_figure
from pyg_fusion.training.segmentation import SegmentationModule
from pyg_fusion.training.segmentation_figure import save_prediction_figure
from pyg_fusion.training.translation import TranslationModule
from pyg_fusion.visualize import plot_adjacency

TINY = {"depth": None, "layers": (1, 1, 1, 1), "width": 4, "decoder_features": 8,
        "light": True, "dropout": 0.0}


def _width(path) -> int:
    return imread(str(path)).shape[1]


def _widths(draw, tmp_path) -> tuple[int, int]:
    """The PNG's width without a savefig.dpi of the user's, and with 40."""
    plain = draw(tmp_path / "plain.png")
    with matplotlib.rc_context({"savefig.dpi": 40}):
        low = draw(tmp_path / "low.png")
    return _width(plain), _width(low)


def test_save_figure(tmp_path):
    def draw(path):
        save_figure(Figure(figsize=(5, 2)), path, dpi=120)
        return path
    assert _widths(draw, tmp_path) == (600, 200)


def test_translation_figure(tmp_path):
    ds = SyntheticTranslation(str(tmp_path), "test", 2, 16, seed=0,
                              modalities=["shade", "depth"], progress=False)
    batch = next(iter(DataLoader(ds, batch_size=1)))
    module = TranslationModule(["shade", "depth"], ngf=4, num_downs=4, ndf=4, d_layers=2)
    plain, low = _widths(lambda p: save_translation_figure(module, batch, str(p)), tmp_path)
    assert plain == 3 * low  # 120 dpi, 40 dpi


def test_segmentation_figure(tmp_path):
    scenes = SyntheticRGBD(tmp_path / "d", "test", size=16, num_train=1, num_test=1, seed=0)
    module = SegmentationModule("asymfusion", 3, TINY)
    plain, low = _widths(lambda p: save_prediction_figure(module, scenes, str(p),
                                                           num_images=1), tmp_path)
    assert plain * 2 == low * 5  # 100 dpi, 40 dpi


def test_plot(tmp_path):
    plain, low = _widths(lambda p: (plot_adjacency(torch.eye(3), path=p), p)[1], tmp_path)
    assert plain * 4 == low * 11  # 110 dpi, 40 dpi
