"""The Python training APIs as a user calls them directly (not through the
CLI's checked config): the VAD task's loss weights, fit_node's classes of
the training nodes, and what label propagation predicts for nodes no seed
reaches."""
import re

import pytest
import torch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad import WeaklySupervisedVAD
from pyg_fusion.training.vad_fit import fit_vad


# -- VAD: loss weights -----------------------------------------------------
@pytest.mark.parametrize("name", ["lambda_deg", "lambda_sparse"])
@pytest.mark.parametrize("value", [-1.0, -1e-9, float("nan"), float("inf"), True, "0.1"])
def test_the_vad_task_refuses_a_loss_weight_it_would_train_as_zero(name, value):
    # a negative or NaN weight was kept, recorded, and its term left out of the
    # loss (the step adds a term only when its weight is > 0)
    with pytest.raises(ValueError, match=re.escape(
            f"{name} must be a finite number >= 0 (0 turns its term off), got {value!r}")):
        WeaklySupervisedVAD(torch.nn.Linear(2, 2), **{name: value})
    task = WeaklySupervisedVAD(torch.nn.Linear(2, 2), **{name: 0})
    assert getattr(task, name) == 0


def test_the_vad_task_checks_topk_when_built():
    # was only at the first training step, inside video_scores
    with pytest.raises(ValueError, match=re.escape("topk must be >= 1, got 0")):
        WeaklySupervisedVAD(torch.nn.Linear(2, 2), topk=0)


def test_fit_vad_refuses_a_negative_loss_weight_before_training(tmp_path):
    kw = dict(num_videos=(4, 4), snippets=(8, 8), num_segments=4, log=False)
    train = SyntheticVAD(str(tmp_path / "data"), "train", **kw)
    test = SyntheticVAD(str(tmp_path / "data"), "test", **kw)
    d = train[0]
    model = build_model("graph-mean", "vad", {s: int(d[f"x_{s}"].size(1)) for s in d.sources},
                        num_segments=4)
    for name in ("lambda_deg", "lambda_sparse"):
        out = tmp_path / name
        with pytest.raises(ValueError, match=re.escape(f"{name} must be a finite number >= 0 "
                                                       "(0 turns its term off), got -0.5")):
            fit_vad(model, train, test, out_dir=out, epochs=1, progress=False,
                    **{name: -0.5})
        assert not out.exists()  # no trainer was built, nothing trained
