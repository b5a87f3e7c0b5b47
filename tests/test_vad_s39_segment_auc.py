"""The VAD choice by the held-out videos' segment AUC under their video labels
(``choice="segment_auc"``: every segment of a held-out video labelled with
its video's label)."""
import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.metrics import roc_auc
from pyg_fusion.training.vad import split_videos
from pyg_fusion.training.vad_fit import fit_vad

FIT = dict(epochs=4, batch_size=4, val_fraction=0.25, progress=False, checkpoint=False,
           lambda_deg=0.0)


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_segment_auc"))
    kw = dict(num_videos=(16, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _builder(train):
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return lambda: build_model("lego-row", "vad", inch, num_segments=8, num_powers=2)


def test_choice_by_segment_auc_keeps_the_epoch_of_best_segment_auc(vad_data, tmp_path):
    train, test = vad_data
    r = fit_vad(_builder(train), train, test, out_dir=tmp_path, seed=2,
                choice="segment_auc", **FIT)
    # the tested model gives the chosen epoch's AUC: the held-out videos'
    # segments, each labelled with its video's label
    _, va = split_videos(train, 0.25, seed=2)
    held = [train[i] for i in va]
    model = r["task"].model.eval()
    scores, labels = [], []
    with torch.no_grad():
        for d in held:
            logits = model(Batch.from_data_list([d]))[0].reshape(-1)
            scores.append(logits)
            labels.append(torch.full_like(logits, float(d.y)))
    auc = roc_auc(torch.cat(scores), torch.cat(labels))
    assert auc == pytest.approx(r["val_segment_auc"], abs=1e-6)
    assert r["val_score"] == r["val_segment_auc"]
    # the default choice neither reports it nor chooses by it
    d = fit_vad(_builder(train), train, test, out_dir=tmp_path / "loss", seed=2, **FIT)
    assert "val_segment_auc" not in d and d["val_score"] == -d["val_loss"]
