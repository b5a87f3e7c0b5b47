"""Ensembles of a VAD run's restarts (``restart_combine="mean"``): the
ensemble's scores are the mean of its members' probabilities, one restart is
the plain run whatever the combination, both combinations are recorded,
fixed seeds repeat, bad values are errors, and an ensemble run's checkpoint
evaluates to the numbers it recorded."""
import json

import numpy as np
import pytest
import torch
import yaml
from sklearn.metrics import roc_auc_score
from torch_geometric.data import Batch

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticVAD, segment_scores_to_frames
from pyg_fusion.specs import MethodSpec
from pyg_fusion.training import seed_everything
from pyg_fusion.training.vad import WeaklySupervisedVAD, split_videos
from pyg_fusion.training.vad_ensemble import RestartEnsemble
from pyg_fusion.training.vad_fit import evaluate_vad, fit_vad
from test_vad_restarts import FIT, _builder


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_ensemble"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


BOTH = [f"{p}_{k}" for p in ("chosen", "ensemble")
        for k in ("auc", "ap", "pr_auc_trapz", "val_loss", "val_video_auc")]


def _probs(model, videos):
    with torch.no_grad():
        return torch.sigmoid(model.eval()(Batch.from_data_list(list(videos)))[0]).numpy()


def test_ensemble_output_is_the_mean_of_the_members_probabilities(vad_data):
    train, _ = vad_data
    build = _builder(train, "lego")
    members = []
    for s in range(3):
        seed_everything(s)
        members.append(build())
    videos = [train[i] for i in range(6)]
    # reference: each member on its own, averaged in numpy
    expected = np.mean([_probs(m, videos) for m in members], axis=0)
    got = _probs(RestartEnsemble(members), videos)
    assert got.shape == expected.shape and not np.allclose(expected, _probs(members[0], videos))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="members must hold at least one model"):
        RestartEnsemble([])


def test_ensemble_of_saturated_members_has_finite_logits():
    """Members all beyond logit ~37 have a mean probability that rounds to 1
    in float64: its logit was inf, and the pseudo-AUC refused the scores."""
    class Fixed(torch.nn.Module):
        def __init__(self, logits):
            super().__init__()
            self.logits = torch.tensor([logits])

        def forward(self, batch):
            return self.logits, None

    out, _ = RestartEnsemble([Fixed([40., -1., .5, 2.]), Fixed([39., -2., 0., 1.])])(None)
    assert torch.isfinite(out).all() and out[0].argsort().tolist() == [1, 2, 3, 0]
    want = torch.logit(torch.tensor([[0.5 * (torch.sigmoid(torch.tensor(a)) +
                                             torch.sigmoid(torch.tensor(b)))
                                      for a, b in [(-1., -2.), (.5, 0.), (2., 1.)]]]))
    torch.testing.assert_close(out[:, 1:], want)


def test_ensemble_run_scores_the_mean_of_its_restarts(vad_data, tmp_path):
    train, test = vad_data
    r = fit_vad(_builder(train), train, test, out_dir=tmp_path, seed=3, restarts=3,
                restart_combine="mean", **FIT)
    members = list(r["task"].model.members)
    assert isinstance(r["task"].model, RestartEnsemble) and len(members) == 3
    # each member is its restart at its chosen epoch: its held-out loss is the recorded one
    _, va = split_videos(train, 0.25, seed=3)
    held = [train[i] for i in va]
    y = np.array([float(d.y) for d in held])

    def video_loss(p):  # BCE of the MIL top-3 mean, as the task computes it
        v = np.clip(np.sort(p, axis=1)[:, -3:].mean(1), 1e-6, 1 - 1e-6)
        return float(-(y * np.log(v) + (1 - y) * np.log(1 - v)).mean())

    member_probs = [_probs(m, held) for m in members]
    assert [video_loss(p) for p in member_probs] == pytest.approx(r["restart_val_losses"],
                                                                  abs=1e-5)
    assert r["members_val_loss"] == pytest.approx(np.mean(r["restart_val_losses"]))
    assert r["chosen_val_loss"] == min(r["restart_val_losses"])
    # the ensemble's held-out loss: the loss of the mean probabilities, not a mean of losses
    ens_loss = video_loss(np.mean(member_probs, axis=0))
    assert r["ensemble_val_loss"] == pytest.approx(ens_loss, abs=1e-5) == r["val_loss"]
    # its test AUC: every member scored alone by its own pass, the scores averaged
    scores = []
    for m in members:
        task = WeaklySupervisedVAD(m)
        evaluate_vad(task, test, out_dir=tmp_path / "member", progress=False)
        scores.append(task.last_scores)
    mean = torch.stack(scores).mean(0)
    frames = np.concatenate([segment_scores_to_frames(mean[i], test[i])
                             [:test[i].frame_gt.numel()].numpy() for i in range(len(test))])
    gt = np.concatenate([test[i].frame_gt.view(-1).numpy() for i in range(len(test))])
    assert r["ensemble_auc"] == pytest.approx(roc_auc_score(gt, frames), abs=1e-6)
    assert r["auc"] == r["ensemble_auc"] and r["chosen_auc"] != r["ensemble_auc"]
    assert r["epoch"] == r["restart_epochs"][r["restart"]]
    assert r["params"] == 3 * sum(p.numel() for p in members[0].parameters())


def test_one_restart_mean_is_best_and_best_records_the_ensemble(vad_data, tmp_path):
    train, test = vad_data
    build = _builder(train)
    best = fit_vad(build, train, test, out_dir=tmp_path / "b", seed=4, **FIT)
    mean = fit_vad(build, train, test, out_dir=tmp_path / "m", seed=4,
                   restart_combine="mean", **FIT)
    keys = ("auc", "ap", "val_loss", "epoch", "params")
    assert {k: best[k] for k in keys} == {k: mean[k] for k in keys}
    assert not {"restart", "ensemble_auc", "chosen_auc"} & set(mean)
    # R > 1 with "best": the chosen restart is tested, the ensemble recorded beside it
    r = fit_vad(build, train, test, out_dir=tmp_path / "r", seed=4, restarts=2, **FIT)
    assert set(BOTH) <= set(r) and r["auc"] == r["chosen_auc"]
    assert r["val_loss"] == r["chosen_val_loss"] and not isinstance(r["task"].model,
                                                                    RestartEnsemble)


def test_ensemble_run_is_deterministic(vad_data, tmp_path):
    train, test = vad_data
    runs = [fit_vad(_builder(train, "lego"), train, test, out_dir=tmp_path / str(i), seed=2,
                    restarts=2, restart_combine="mean", **FIT) for i in range(2)]
    a, b = ({k: v for k, v in r.items() if k not in ("trainer", "task", "time_per_epoch_s")}
            for r in runs)
    assert a == b and set(BOTH) <= set(a)


def test_restart_combine_errors(vad_data, tmp_path, capsys):
    train, test = vad_data
    with pytest.raises(ValueError, match=r"restart_combine must be one of \('best', 'mean'\)"):
        fit_vad(_builder(train), train, test, out_dir=tmp_path, restart_combine="median",
                **FIT)
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--dataset", "synthetic-vad", "--restart-combine", "median"])
    assert exc.value.code == 2 and "--restart-combine" in capsys.readouterr().err


def test_restart_combine_is_a_trainer_option_that_round_trips(tmp_path, capsys):
    assert MethodSpec.create("lego", "vad").trainer.restart_combine == "best"
    argv = ["compare", "--dataset", "synthetic-vad", "--restarts", "3", "--restart-combine",
            "mean"]
    assert main(argv + ["--print-config"]) == 0
    text = capsys.readouterr().out
    first = yaml.safe_load(text)
    assert first["trainer"]["restart_combine"] == "mean" and first["trainer"]["restarts"] == 3
    (tmp_path / "c.yaml").write_text(text)
    assert main(["compare", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == first
    spec = MethodSpec.create("lego", "vad", {"restart_combine": "mean"})
    assert MethodSpec.from_dict(spec.to_dict()) == spec


@pytest.mark.parametrize("combine", ["mean", "best"])
def test_restart_run_checkpoint_evaluates_to_its_recorded_scores(tmp_path, capsys, combine):
    out, data = tmp_path / "train", str(tmp_path / "data")
    assert main(["train", "--dataset", "synthetic-vad", "--root", data, "--num-segments", "8",
                 "--method", "graph-mean", "--epochs", "2", "--restarts", "2",
                 "--restart-combine", combine, "--no-progress", "--out", str(out)]) == 0
    rec = {r["metric"]: r["mean"] for r in json.loads((out / "results.json").read_text())}
    ckpt = out / "graph-mean" / "seed0" / "checkpoints" / "best.ckpt"
    ev = tmp_path / "eval"
    assert main(["evaluate", "--checkpoint", str(ckpt), "--root", data, "--num-segments", "8",
                 "--no-progress", "--out", str(ev)]) == 0
    again = {r["metric"]: r["mean"] for r in json.loads((ev / "results.json").read_text())}
    assert again["auc"] == pytest.approx(rec[f"{'ensemble' if combine == 'mean' else 'chosen'}"
                                             "_auc"], abs=1e-9)
    assert again["auc"] == pytest.approx(rec["auc"], abs=1e-9)
    if combine == "mean":  # an ensemble has no single operator or fused graph to draw
        capsys.readouterr()
        for kind in ("operator", "adjacency"):
            root = ["--root", data] if kind == "adjacency" else []  # operator reads no data
            assert main(["plot", kind, "--checkpoint", str(ckpt), *root,
                         "--out", str(tmp_path / "p.png")]) == 2
            err = capsys.readouterr().err
            assert "holds an ensemble of restarts" in err and err.count("\n") == 1, err
