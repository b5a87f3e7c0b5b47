"""evaluate_translation's kid_subset_size: KID's unbiased estimate needs
subsets of 2 images or more. A subset of 1 (or True) scored KID NaN without
a word; np.int64(3) and 0, 1.5, '3' were refused by torchmetrics naming its
own 'subset_size'."""
import numpy as np
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticTranslation
from pyg_fusion.training.translation_eval import evaluate_translation, load_feature_extractor
from test_translation_eval import _TinyFeatures, _module


@pytest.fixture
def scored(tmp_path):
    scenes = SyntheticTranslation(str(tmp_path), "test", 6, 16, seed=0,
                                  modalities=["shade", "depth"], progress=False)
    torch.jit.save(torch.jit.script(_TinyFeatures()), str(tmp_path / "f.pt"))
    extractor = load_feature_extractor(str(tmp_path / "f.pt"), image_size=16)
    return _module(tmp_path), DataLoader(scenes, batch_size=3), extractor


@pytest.mark.parametrize("value, error, said", [
    (1, ValueError, "must be >= 2, got 1"), (0, ValueError, "must be >= 2, got 0"),
    (True, TypeError, "must be an int, got True"), (1.5, TypeError, "must be an int, got 1.5"),
    ("3", TypeError, "must be an int, got '3'")])
def test_a_kid_subset_of_no_two_images_is_named(scored, value, error, said):
    module, loader, extractor = scored
    with pytest.raises(error, match=f"^kid_subset_size {said}$"):
        evaluate_translation(module, loader, feature_extractor=extractor,
                             kid_subset_size=value)


def test_a_numpy_kid_subset_scores_as_its_int(scored):
    module, loader, extractor = scored
    scores = []
    for value in (np.int64(3), 3):
        torch.manual_seed(0)  # (KID draws its subsets from seed 0 in a fork: no longer needed)
        scores.append(evaluate_translation(module, loader, feature_extractor=extractor,
                                           kid_subset_size=value))
    got = scores[0]
    assert got == scores[1]
    assert np.isfinite(got["ensemble"]["kid"])


def test_kid_is_the_same_every_call(scored):
    # before: torchmetrics drew KID's subsets from torch's global generator: two
    # calls scored two KIDs (3 of 6 images: other subsets; all images: another
    # float32 summing order)
    module, loader, extractor = scored
    kids = []
    for size in (3, 3, 1000):
        got = evaluate_translation(module, loader, feature_extractor=extractor,
                                   kid_subset_size=size)
        kids.append({o: (s["kid"], s["kid_std"]) for o, s in got.items()})
        torch.rand(5)  # the caller draws between the calls
    assert kids[0] == kids[1]
    again = evaluate_translation(module, loader, feature_extractor=extractor)
    assert {o: (s["kid"], s["kid_std"]) for o, s in again.items()} == kids[2]
