"""The depth colour bar of the segmentation prediction figure leaves every
panel in its row."""
import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402
from pyg_fusion.training import segmentation_figure  # noqa: E402
from pyg_fusion.training.segmentation import SegmentationModule  # noqa: E402

TINY = {"depth": None, "layers": (1, 1, 1, 1), "width": 4, "decoder_features": 8,
        "light": True, "dropout": 0.0}


@pytest.mark.parametrize("variant", ["asymfusion", "late-sum"])  # 6 and 4 columns
def test_the_last_depth_panel_stays_in_its_row(tmp_path, monkeypatch, variant):
    """The colour bar took its space from the last row's depth panel alone, which
    constrained layout then drew below its row (45 pixels lower than the RGB beside
    it in predictions.png of pyg-fusion segment train --data nyud on 3 test scenes)."""
    # wide scenes, as NYUDv2's (480 x 640): their panels leave room above and below
    gen = torch.Generator().manual_seed(0)
    scenes = [{"rgb": torch.randn(3, 24, 40, generator=gen),
               "depth": torch.rand(1, 24, 40, generator=gen).expand(3, -1, -1),
               "mask": torch.randint(0, 3, (24, 40), generator=gen), "index": i}
              for i in range(3)]
    module = SegmentationModule(variant, 3, TINY)
    drawn = {}
    real = segmentation_figure.save_figure

    def keep(fig, path, **kw):
        drawn["fig"] = fig
        return real(fig, path, **kw)

    monkeypatch.setattr(segmentation_figure, "save_figure", keep)
    segmentation_figure.save_prediction_figure(module, scenes, str(tmp_path / "p.png"),
                                               num_images=3, class_names=["a", "b", "c"])
    fig = drawn["fig"]
    renderer = FigureCanvasAgg(fig).get_renderer()  # the layout is the saved one
    panels = [a for a in fig.axes if a.images]  # the colour bar's axes hold no image
    cols = 3 + len(module.output_names)
    assert len(panels) == 3 * cols
    for r in range(3):
        rows = {tuple(round(v, 1) for v in (a.get_window_extent(renderer).y0,
                                            a.get_window_extent(renderer).y1))
                for a in panels[r * cols:(r + 1) * cols]}
        assert len(rows) == 1, (r, rows)
    bar = [a for a in fig.axes if not a.images][0].get_window_extent(renderer)
    depth = panels[-cols + 1].get_window_extent(renderer)
    # under the depth column, below the last row
    assert depth.x0 - 1 <= bar.x0 < bar.x1 <= depth.x1 + 1 and bar.y1 <= depth.y0
