"""The image figures given no rows to draw: matplotlib said 'Number of rows
must be a positive integer, not 0' (or 'figure size must be positive' for
-1), naming neither the argument nor the data."""
import pytest
import torch
from torch_geometric.data import Batch, Data

ARCH = dict(depth=None, layers=(1, 1, 1, 1), width=4, decoder_features=4)


class _Scenes(torch.utils.data.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"rgb": torch.rand(3, 8, 8), "depth": torch.rand(3, 8, 8),
                "mask": torch.randint(0, 5, (8, 8))}


@pytest.mark.parametrize("kw, n, exc, match", [
    (dict(num_images=0), 3, ValueError, r"^num_images must be >= 1, got 0$"),
    (dict(num_images=-1), 3, ValueError, r"^num_images must be >= 1, got -1$"),
    (dict(num_images=2.5), 3, TypeError, r"^num_images must be an int"),
    (dict(), 0, ValueError, r"^data holds no scenes to draw$"),
])
def test_prediction_figure_names_a_bad_count(tmp_path, kw, n, exc, match):
    from pyg_fusion.training.segmentation import SegmentationModule, save_prediction_figure
    module = SegmentationModule("asymfusion", 5, ARCH)
    with pytest.raises(exc, match=match):
        save_prediction_figure(module, _Scenes(n), str(tmp_path / "p.png"), **kw)
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("kw, n, match", [
    (dict(max_rows=0), 2, r"^max_rows must be >= 1, got 0$"),
    (dict(), 0, r"^batch holds no scenes to draw$"),
])
def test_translation_figure_names_a_bad_count(tmp_path, kw, n, match):
    from pyg_fusion.training.translation import TranslationModule
    from pyg_fusion.training.translation_eval import save_translation_figure
    module = TranslationModule(["depth"], ngf=4, num_downs=3, gan_mode="none")
    batch = (Batch.from_data_list([Data(x_depth=torch.rand(1, 1, 8, 8), y=torch.rand(1, 3, 8, 8),
                                        num_nodes=1) for _ in range(n)]) if n else
             Data(x_depth=torch.rand(0, 1, 8, 8), y=torch.rand(0, 3, 8, 8)))
    with pytest.raises(ValueError, match=match):
        save_translation_figure(module, batch, str(tmp_path / "t.png"), **kw)
    assert not (tmp_path / "t.png").exists()
