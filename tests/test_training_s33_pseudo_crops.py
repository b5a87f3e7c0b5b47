"""Pseudo-anomalies of videos held out as crops (VADFeatures(crops="all"):
one item per crop, all named after their video): the crops of one video are
one video, never spliced into each other, and count once."""
import copy

import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.pseudo_anomalies import splice_pseudo_anomalies
from pyg_fusion.training.vad_fit import fit_vad


def _crops(videos, n=3):
    """Each video as ``n`` crops: items of its name, a little apart."""
    out = []
    for v in videos:
        for c in range(n):
            d = copy.copy(v)
            d.crop = torch.tensor([c])
            for s in d.sources:
                d[f"x_{s}"] = d[f"x_{s}"] + 0.01 * c
            out.append(d)
    return out


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_crops"))
    kw = dict(num_videos=(4, 7), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def test_the_crops_of_a_video_are_not_spliced_into_each_other(videos):
    train, _ = videos
    normal = [train[i] for i in range(len(train)) if int(train[i].y) == 0]
    assert len(normal) == 2
    batch, labels = splice_pseudo_anomalies(_crops(normal), seed=0)
    # each crop of one video hosts each crop of the other: 2 x 3 x 3, none of its own
    assert labels.shape == (18, 8) and batch.num_graphs == 18
    with pytest.raises(ValueError, match=r"two normal videos .* got 1 \(3 items: the crops"):
        splice_pseudo_anomalies(_crops(normal[:1]), seed=0)


def test_choosing_on_pseudo_anomalies_counts_held_out_videos_not_crops(videos, tmp_path):
    train, test = videos
    items = _crops([train[i] for i in range(len(train))])
    inch = {s: int(items[0][f"x_{s}"].size(1)) for s in items[0].sources}
    # one normal video of the four is held out, as three crops
    with pytest.raises(ValueError, match="needs two normal videos held out, got 1"):
        fit_vad(lambda: build_model("lego", "vad", inch, num_segments=8), items, test,
                out_dir=tmp_path, epochs=1, val_fraction=0.25, choice="pseudo_auc",
                progress=False, checkpoint=False)
