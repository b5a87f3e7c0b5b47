"""evaluate_translation refused FID / KID for a single test scene only after
translating and scoring it: the refusal now comes before any scene is read."""
import pytest
import torch
from torch import nn
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets.translation import SyntheticTranslation
from pyg_fusion.training.translation import TranslationModule
from pyg_fusion.training.translation_eval import evaluate_translation


class _Pool(nn.Module):
    def forward(self, x):
        return x.float().mean((2, 3))


class _Counted(torch.utils.data.Dataset):
    def __init__(self, scenes):
        self.scenes, self.read = scenes, 0

    def __len__(self):
        return len(self.scenes)

    def __getitem__(self, i):
        self.read += 1
        return self.scenes[i]


def test_one_scene_is_refused_before_it_is_scored(tmp_path):
    scenes = _Counted(SyntheticTranslation(str(tmp_path), "test", 1, 8, progress=False))
    module = TranslationModule(["depth", "shade"], ngf=2, num_downs=3, gan_mode="none")
    with pytest.raises(ValueError, match="need at least 2 test scenes, the data holds 1"):
        evaluate_translation(module, DataLoader(scenes, batch_size=4),
                             feature_extractor=_Pool())
    assert scenes.read == 0
