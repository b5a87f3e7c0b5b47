"""``operator_lr_warmup``: A's learning rate rises over its first epochs of
training, geometrically from 1/1000 of its value, so that Adam's first
steps (about the rate per entry, whatever the gradient) add the terms that
start at 0 on the scale of the product A starts from."""
import pytest
import torch
import yaml

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training._task import OPERATOR_LR_WARMUP_FROM
from pyg_fusion.training.vad import WeaklySupervisedVAD
from pyg_fusion.training.vad_fit import fit_vad

FIT = dict(batch_size=4, val_fraction=0.25, lr=1e-2, progress=False, checkpoint=False,
           epochs=7, operator_warmup=2)


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_lr_warmup"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _run(vad_data, tmp_path, monkeypatch, ramp):
    train, test = vad_data
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    seen = {}  # per epoch: the operator group's rate, A at the epoch's end, the groups
    end = WeaklySupervisedVAD.on_train_epoch_end

    def snap(self):
        groups = self.trainer.optimizers[0].param_groups
        rate = [g["lr"] for g in groups if "operator_rate" in g]
        a = torch.cat([p.detach().flatten().clone() for p in self._operator_parameters()])
        seen[self.current_epoch] = (rate, a, len(groups))

    monkeypatch.setattr(WeaklySupervisedVAD, "on_train_epoch_end",
                        lambda self: (end(self), snap(self)))
    fit_vad(lambda: build_model("lego-row", "vad", inch, num_segments=8, num_powers=2),
            train, test, out_dir=tmp_path, seed=0, operator_lr_warmup=ramp, **FIT)
    return seen


def test_the_rate_rises_from_a_thousandth_after_the_warm_up(vad_data, tmp_path, monkeypatch):
    seen = _run(vad_data, tmp_path, monkeypatch, ramp=3)
    # A trains from epoch 2: epoch 2 + k at 1e-3 ** (1 - k / 3) of the rate, then the rate
    for k in range(5):
        want = 1e-2 * OPERATOR_LR_WARMUP_FROM ** max(0.0, 1 - k / 3)
        assert seen[2 + k][0] == [pytest.approx(want, rel=1e-12)]
    # A's first epoch moves each entry by about its first rate (3 steps), not by lr
    moved = (seen[2][1] - seen[1][1]).abs().max().item()
    assert 0 < moved < 1e-3
    plain = _run(vad_data, tmp_path / "plain", monkeypatch, ramp=0)
    assert (plain[2][1] - plain[1][1]).abs().max().item() > 1e-3
    # without the option the optimizer is the one it was: a single group
    assert plain[2][0] == [] and plain[2][2] == 1


def test_flag_config_and_its_error(tmp_path, capsys):
    argv = ["compare", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
            "--num-segments", "8"]
    assert main([*argv, "--operator-lr-warmup", "5", "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["trainer"]["operator_lr_warmup"] == 5
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--operator-lr-warmup", "-1", "--print-config"])
    assert exit_.value.code == 2
    assert "--operator-lr-warmup" in capsys.readouterr().err
    with pytest.raises(ValueError, match="operator_lr_warmup"):
        WeaklySupervisedVAD(torch.nn.Linear(1, 1), operator_lr_warmup=-1)
