"""The branch warm-up ``branch_warmup`` (LEGO's GraphHead branch stays off
while A keeps its start, and with ``operator_warmup="auto"`` through A's
phase too: it trains in a third phase, so that ``lego`` first trains as its
row head alone, ``lego-row``, and the best epoch of all phases is tested)."""
import json

import pytest
import torch
import yaml

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.stopping import OperatorWarmupAuto
from pyg_fusion.training.vad import WeaklySupervisedVAD
from pyg_fusion.training.vad_fit import fit_vad
from metrics_csv import val_losses
from scripted_scores import fit_scripted


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_branch_warmup"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _builder(train, name):
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return lambda: build_model(name, "vad", inch, num_segments=8, num_powers=2,
                               branch_dropout=0.1)


FIT = dict(epochs=10, batch_size=4, val_fraction=0.25, lr=1e-2, patience=2, progress=False,
           checkpoint=False)


def test_three_phases_on_scripted_scores(tmp_path):
    def run(scores, branch_warmup, phase_epochs=20, min_epochs=0):
        cb = OperatorWarmupAuto("val_score", mode="max", patience=2, phase_epochs=phase_epochs,
                                min_epochs=min_epochs)
        module, last = fit_scripted(
            scores, tmp_path / f"b{branch_warmup}{phase_epochs}_{min_epochs}", cb,
            3 * phase_epochs, branch_warmup=branch_warmup)
        return module.operator_start_epoch, module.branch_start_epoch, last

    scores = [0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    # A from 4 (plateau after the best at 1); phase 2's best at 5, so the
    # branch from 8; phase 3's best at 8, the run stops 2 evaluations later
    assert run(scores, True) == (4, 8, 10)
    # min_epochs holds phase 3 (its branch starts at zero) as it holds phase 1:
    # the stop signalled at 10 waits for epoch 8 + 4 - 1
    assert run(scores, True, min_epochs=4) == (4, 8, 11)
    # without a branch to warm up the run ends where phase 2 does
    assert run(scores, False) == (4, None, 7)
    # no plateau: each phase runs to its cap
    assert run(list(range(60)), True, phase_epochs=4) == (4, 8, 11)


def test_lego_trains_as_lego_row_until_its_branch_starts(vad_data, tmp_path, monkeypatch):
    train, test = vad_data
    snaps = []
    after = WeaklySupervisedVAD.on_train_epoch_end

    def record(self):
        after(self)
        branch = [m for m in self.branches()]
        snaps.append((self.current_epoch, [p.detach().clone() for m in branch
                                           for p in m.graph_head.parameters()]))

    monkeypatch.setattr(WeaklySupervisedVAD, "on_train_epoch_end", record)
    row = fit_vad(_builder(train, "lego-row"), train, test, out_dir=tmp_path / "row", seed=1,
                  operator_warmup="auto", **FIT)
    snaps.clear()
    lego = fit_vad(_builder(train, "lego"), train, test, out_dir=tmp_path / "lego", seed=1,
                   operator_warmup="auto", branch_warmup=True, **FIT)
    start = lego["branch_start_epoch"]
    assert lego["operator_start_epoch"] == row["operator_start_epoch"] < start
    # until its branch starts, lego's run is lego-row's: the same draws,
    # batches and held-out losses (its branch is skipped, not just zero)
    row_losses, lego_losses = val_losses(tmp_path / "row"), val_losses(tmp_path / "lego")
    assert start == max(row_losses) + 1
    assert {e: v for e, v in lego_losses.items() if e < start} == pytest.approx(row_losses,
                                                                                abs=1e-6)
    # the branch's parameters stay at their start, then train
    first = snaps[0][1]
    for epoch, params in snaps:
        same = all(torch.equal(a, b) for a, b in zip(params, first))
        assert same == (epoch < start), (epoch, start)
    # the tested epoch is the best of the three phases: never above lego-row's
    assert lego["val_loss"] == pytest.approx(min(lego_losses.values()), abs=1e-7)
    assert lego["val_loss"] <= row["val_loss"] + 1e-7


def test_an_int_warmup_starts_the_branch_with_the_operator(vad_data, tmp_path, monkeypatch):
    train, test = vad_data
    seen = []
    before = WeaklySupervisedVAD.on_train_epoch_start

    def record(self):
        before(self)
        seen.append([m.branch_on for m in self.branches()])

    monkeypatch.setattr(WeaklySupervisedVAD, "on_train_epoch_start", record)
    r = fit_vad(_builder(train, "lego"), train, test, out_dir=tmp_path, seed=0,
                operator_warmup=3, branch_warmup=True, **{**FIT, "patience": None, "epochs": 5})
    assert r["branch_start_epoch"] == 3
    assert seen == [[False]] * 3 + [[True]] * 2
    # the default: the branch runs from the first epoch
    seen.clear()
    r = fit_vad(_builder(train, "lego"), train, test, out_dir=tmp_path / "d", seed=0,
                operator_warmup=3, **{**FIT, "patience": None, "epochs": 2})
    assert "branch_start_epoch" not in r and seen == [[True]] * 2


def test_flags_config_and_a_checkpoint_of_phase_3(tmp_path, capsys):
    data = str(tmp_path / "data")
    argv = ["compare", "--dataset", "synthetic-vad", "--root", data, "--num-segments", "8"]
    assert main([*argv, "--branch-warmup", "--print-config"]) == 0
    first = yaml.safe_load(capsys.readouterr().out)
    assert first["trainer"]["branch_warmup"] is True
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(first))
    assert main(["compare", "--config", str(tmp_path / "c.yaml"), "--no-branch-warmup",
                 "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["trainer"]["branch_warmup"] is False
    # a VAD option: the node task says so in one line
    assert main(["compare", "--dataset", "digits", "--method", "lego", "--branch-warmup",
                 "--epochs", "1", "--no-progress", "--out", str(tmp_path / "n")]) == 2
    err = capsys.readouterr().err
    assert "--branch-warmup" in err and "VAD options" in err and err.count("\n") == 1, err
    # a run whose branch trained: its checkpoint, rebuilt, runs the branch
    out = tmp_path / "train"
    assert main(["train", "--dataset", "synthetic-vad", "--root", data, "--num-segments", "8",
                 "--method", "lego", "--epochs", "6", "--patience", "1", "--min-epochs", "0",
                 "--init", "product", "--branch-warmup", "--seeds", "4", "--no-progress",
                 "--out", str(out)]) == 0
    rec = {r["metric"]: r["values"][0]
           for r in json.loads((out / "results.json").read_text())}
    assert rec["branch_start_epoch"] > rec["operator_start_epoch"] >= 1
    assert rec["epoch"] >= rec["branch_start_epoch"]  # this seed tests an epoch of phase 3
    ckpt = out / "lego" / "seed4" / "checkpoints" / "best.ckpt"
    assert main(["evaluate", "--checkpoint", str(ckpt), "--root", data, "--num-segments", "8",
                 "--no-progress", "--out", str(tmp_path / "ev")]) == 0
    again = {r["metric"]: r["mean"]
             for r in json.loads((tmp_path / "ev" / "results.json").read_text())}
    assert again["auc"] == pytest.approx(rec["auc"], abs=1e-9)
