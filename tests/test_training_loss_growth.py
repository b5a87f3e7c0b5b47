"""A training loss that grows without bound but stays finite (no Inf, no
NaN) is divergence too: the run stops with the error of a non-finite one."""
import re

import pytest
import torch

from pyg_fusion.cli import main
from pyg_fusion.training._task import LOSS_GROWTH, check_diverged
from pyg_fusion.training.node import NodeClassification
from test_training_divergence import _node_model


def test_a_finite_loss_grown_a_million_fold_is_divergence(tmp_path, capsys):
    """train --dataset digits --method lego --lr 100 trained its 20 epochs to
    a training loss of ~1e11 (from 2.33) and finished with exit 0, scoring
    the model, since no value reached Inf or NaN."""
    out = tmp_path / "out"
    assert main(["train", "--dataset", "digits", "--root", str(tmp_path / "data"), "--method",
                 "lego", "--lr", "100", "--epochs", "20", "--no-progress",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pyg-fusion train: error: training diverged at epoch 1: the training "
                          "loss is "), err
    # the first loss (2.335 with torch 2.13, 2.287 with 2.5) moves with torch's kernels
    assert re.search(r", more than 1e\+06 times its first value 2\.\d+ \(taken as at least 1\); "
                     r"lower the learning rate: lr \(--lr\) is 100\n$", err), err
    assert not (out / "results.json").exists()


def test_the_growth_is_judged_from_a_first_loss_of_at_least_one():
    # a loss that starts near 0 is judged from 1, not from its start; the
    # first loss is kept with the task's fit state (a resumed run keeps it)
    task = NodeClassification(_node_model(), lr=0.01)
    assert "first_loss" in task.fit_state
    check_diverged(task, torch.tensor(1e-4))
    assert task.first_loss == pytest.approx(1e-4)
    check_diverged(task, torch.tensor(LOSS_GROWTH * 0.99))  # within the bound: no error
    with pytest.raises(ValueError, match=r"^training diverged at epoch 0: the training loss is "
                       r"2e\+06, more than 1e\+06 times its first value 0.0001 \(taken as at "
                       r"least 1\); lower the learning rate: lr \(--lr\) is 0.01$"):
        check_diverged(task, torch.tensor(2 * LOSS_GROWTH))
