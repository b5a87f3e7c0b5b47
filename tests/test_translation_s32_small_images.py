"""Translation scenes smaller than SSIM's window (6 pixels a side) are trained
but cannot be scored: torch said 'Padding size should be less than the
corresponding input dimension', naming no image or size."""
import re

import pytest
import torch
from torch_geometric.data import Data

MESSAGE = re.escape("target y is 4x4: scoring needs images of at least 6 pixels a side "
                    "(SSIM's 11x11 window pads by 5): score larger images")


def _scenes(side, n=4):
    g = torch.Generator().manual_seed(side)
    return [Data(x_depth=torch.rand(1, 1, side, side, generator=g),
                 y=torch.rand(1, 3, side, side, generator=g), num_nodes=1) for _ in range(n)]


def _module():
    from pyg_fusion.training.translation import TranslationModule
    torch.manual_seed(0)
    return TranslationModule(["depth"], ngf=4, num_downs=2, gan_mode="none")


def test_fit_with_val_of_tiny_scenes_is_refused_before_training(tmp_path):
    from pyg_fusion.training.translation import fit_translation
    module = _module()
    before = [p.detach().clone() for p in module.parameters()]
    with pytest.raises(ValueError, match=MESSAGE):
        fit_translation(module, _scenes(4), val=_scenes(4), out_dir=str(tmp_path / "run"),
                        max_epochs=1, batch_size=2, progress=False, checkpoint=False)
    # the sanity pass fails first: no step was taken
    assert all(torch.equal(a, b) for a, b in zip(before, module.parameters()))
    # without val, such scenes train
    fit_translation(_module(), _scenes(4), out_dir=str(tmp_path / "run2"), max_epochs=1,
                    batch_size=2, progress=False, checkpoint=False)


def test_evaluate_translation_of_tiny_scenes_is_refused():
    from torch_geometric.loader import DataLoader
    from pyg_fusion.training.translation_eval import evaluate_translation
    with pytest.raises(ValueError, match=MESSAGE):
        evaluate_translation(_module(), DataLoader(_scenes(4), batch_size=2))
    scores = evaluate_translation(_module(), DataLoader(_scenes(8), batch_size=2))
    assert set(scores["ensemble"]) == {"l1", "psnr", "ssim"}
