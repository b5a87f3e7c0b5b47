"""fit_vad's early stopping and its choice of epoch read one value of the
held-out score: Lightning logs it as float32, the task keeps its best epoch
by the float64 one, and two scores of one float32 (roc_auc's trapezoid sums
give one pseudo-AUC one ulp apart) made the task choose the later epoch
while the patience counted from the earlier one."""
import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad import WeaklySupervisedVAD
from pyg_fusion.training.vad_fit import fit_vad

NEAR = (0.7551638176638176, 0.7551638176638177)  # two roc_auc results of one AUC


def test_the_scores_are_one_float32_two_float64():
    assert NEAR[0] < NEAR[1]
    assert torch.tensor(NEAR[0]) == torch.tensor(NEAR[1])  # as Lightning logs them


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_patience"))
    kw = dict(num_videos=(8, 4), snippets=(16, 20), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def test_the_run_stops_patience_evaluations_after_the_chosen_epoch(videos, tmp_path,
                                                                   monkeypatch):
    train, test = videos
    scores = iter((0.6, *NEAR) + (0.7, ) * 10)
    evaluated = []

    def scripted(self):
        evaluated.append(self.current_epoch)
        return next(scores)

    monkeypatch.setattr(WeaklySupervisedVAD, "_pseudo_auc", scripted)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}
    out = fit_vad(lambda: build_model("lego", "vad", inch, num_segments=8), train, test,
                  out_dir=tmp_path, epochs=10, patience=2, min_epochs=0, val_fraction=0.5,
                  choice="pseudo_auc", progress=False, checkpoint=False)
    assert out["epoch"] == 2 and out["val_pseudo_auc"] == NEAR[1]
    # it stopped at epoch 3, one evaluation after the chosen epoch
    assert evaluated == [0, 1, 2, 3, 4]
