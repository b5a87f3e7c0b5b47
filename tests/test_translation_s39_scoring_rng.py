"""No score of a translator reads torch's generator (the module runs in eval
mode, its dropout too; KID's subsets come from a fork seeded 0; the loader's
one draw seeds workers): the scores do not depend on the generator's state,
which is why the commands score without reseeding it."""
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticTranslation
from pyg_fusion.training.translation import TranslationModule
from pyg_fusion.training.translation_eval import evaluate_translation, load_feature_extractor
from test_translation_eval import _TinyFeatures


def test_scores_do_not_depend_on_torchs_generator(tmp_path):
    scenes = SyntheticTranslation(str(tmp_path), "test", 5, 16, seed=0,
                                  modalities=["shade", "depth"], progress=False)
    torch.jit.save(torch.jit.script(_TinyFeatures()), str(tmp_path / "f.pt"))
    extractor = load_feature_extractor(str(tmp_path / "f.pt"), image_size=16)
    module = TranslationModule(["shade", "depth"], ngf=4, num_downs=4, ndf=4, d_layers=2,
                               dropout=0.5)
    scores = []
    for seed in (0, 1):  # dropout in train mode would draw other masks
        torch.manual_seed(seed)
        scores.append(evaluate_translation(module, DataLoader(scenes, batch_size=2),
                                           feature_extractor=extractor, kid_subset_size=3))
    assert scores[0] == scores[1]
    assert {"fid", "kid", "kid_std"} <= set(scores[0]["ensemble"])
