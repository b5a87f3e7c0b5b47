"""fit_vad with choice="loss" scored the pseudo-anomalies (val_pseudo_auc) at
every validation, which chose nothing (17.2% of `compare --dataset synthetic-vad
--method lego,lego-row --seeds 0 --epochs 30`, one process, loaded machine).
It is scored once now, with the chosen epoch's weights, and recorded where a
validation put it (the demo's val_pseudo_auc records are unchanged);
choice="pseudo_auc" still scores every validation, which it chooses by."""
import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad import WeaklySupervisedVAD
from pyg_fusion.training.vad_fit import fit_vad

KW = dict(num_videos=(10, 6), snippets=(12, 16), num_segments=8, log=False)


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("vad_pseudo"))
    return SyntheticVAD(root, "train", **KW), SyntheticVAD(root, "test", **KW)


@pytest.fixture
def calls(monkeypatch):
    seen = []
    score = WeaklySupervisedVAD._pseudo_auc

    def counted(self):
        seen.append({k: v.clone() for k, v in self.model.state_dict().items()})
        return score(self)
    monkeypatch.setattr(WeaklySupervisedVAD, "_pseudo_auc", counted)
    return seen


def _fit(videos, out, **kw):
    train, test = videos
    d = train.get(0)
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return fit_vad(lambda: build_model("lego", "vad", inch, num_segments=8, num_powers=2),
                   train, test, out_dir=out, epochs=4, batch_size=4, val_fraction=0.4,
                   progress=False, checkpoint=False, seed=1, **kw)


def test_the_loss_choice_scores_the_pseudo_anomalies_once_at_the_chosen_epoch(
        videos, tmp_path, calls):
    r = _fit(videos, tmp_path)
    assert len(calls) == 1  # (4, one per validation, before)
    task = r["task"]
    assert all(torch.equal(calls[0][k], v) for k, v in task.model.state_dict().items())
    assert list(task.best)[-2:] == ["val_pseudo_auc", "val_score"]
    assert r["val_pseudo_auc"] == task.best["val_pseudo_auc"]
    assert 0 <= r["val_pseudo_auc"] <= 1


def test_the_pseudo_auc_choice_scores_every_validation(videos, tmp_path, calls):
    r = _fit(videos, tmp_path, choice="pseudo_auc")
    assert len(calls) == 4 and r["val_score"] == r["val_pseudo_auc"]
