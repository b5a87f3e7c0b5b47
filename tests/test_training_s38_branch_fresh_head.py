"""``branch_fresh_head``: with the branch warm-up, LEGO's row head starts
afresh (re-initialised, its Adam state dropped) in the epoch its branch
starts, so that the branch learns from a loss the warm-up's head has not
already brought down."""
import pytest
import torch
import yaml

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.vad import WeaklySupervisedVAD
from pyg_fusion.training.vad_fit import fit_vad

FIT = dict(batch_size=4, val_fraction=0.25, lr=1e-2, progress=False, checkpoint=False,
           epochs=5, operator_warmup=3, branch_warmup=True)


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_fresh_head"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _run(vad_data, tmp_path, monkeypatch, fresh):
    train, test = vad_data
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    seen = []  # per epoch: the row head's weights and Adam state, at its end and start
    start, end = WeaklySupervisedVAD.on_train_epoch_start, WeaklySupervisedVAD.on_train_epoch_end

    def snap(self, when):
        head = self.model.head
        state = self.trainer.optimizers[0].state
        seen.append((when, self.current_epoch, [p.detach().clone() for p in head.parameters()],
                     sum(p in state for p in head.parameters())))

    monkeypatch.setattr(WeaklySupervisedVAD, "on_train_epoch_start",
                        lambda self: (start(self), snap(self, "start")))
    monkeypatch.setattr(WeaklySupervisedVAD, "on_train_epoch_end",
                        lambda self: (end(self), snap(self, "end")))
    r = fit_vad(lambda: build_model("lego", "vad", inch, num_segments=8, num_powers=2),
                train, test, out_dir=tmp_path, seed=0, branch_fresh_head=fresh, **FIT)
    return r, seen


@pytest.mark.parametrize("fresh", [True, False])
def test_the_row_head_restarts_with_the_branch(vad_data, tmp_path, monkeypatch, fresh):
    r, seen = _run(vad_data, tmp_path, monkeypatch, fresh)
    assert r["branch_start_epoch"] == 3
    by = {(when, epoch): (w, n) for when, epoch, w, n in seen}
    heads = len(by[("end", 2)][0])
    # nothing trains between the end of epoch 2 and the start of epoch 3: the
    # head moves there only when it restarts, and so does its Adam state
    same = all(torch.equal(a, b) for a, b in zip(by[("end", 2)][0], by[("start", 3)][0]))
    assert same is not fresh
    assert by[("end", 2)][1] == heads
    assert by[("start", 3)][1] == (0 if fresh else heads)
    # before the branch starts the head trains as usual, without a restart
    assert all(torch.equal(a, b) for a, b in zip(by[("end", 1)][0], by[("start", 2)][0]))


def test_flag_config_and_its_error(tmp_path, capsys):
    argv = ["compare", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
            "--num-segments", "8"]
    assert main([*argv, "--branch-warmup", "--branch-fresh-head", "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["trainer"]["branch_fresh_head"] is True
    # without the warm-up: one line, before any data is made
    assert main([*argv, "--method", "lego", "--branch-fresh-head", "--no-progress",
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "--branch-fresh-head" in err and "--branch-warmup" in err and err.count("\n") == 1
    assert not (tmp_path / "data").exists()
    with pytest.raises(ValueError, match="branch_fresh_head .* needs branch_warmup=True"):
        WeaklySupervisedVAD(torch.nn.Linear(1, 1), branch_fresh_head=True)
