"""The warm-up ``operator_warmup="auto"`` (LEGO's operator A keeps its start
until the held-out score plateaus, then trains with a fresh patience count,
and the best epoch of both phases is tested) and ``init="auto"`` (both starts
trained, the one of lower held-out loss tested)."""
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
    root = str(tmp_path_factory.mktemp("svad_warmup_auto"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _builder(train, name="lego-row"):
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return lambda: build_model(name, "vad", inch, num_segments=8, num_powers=2)


FIT = dict(epochs=10, batch_size=4, val_fraction=0.25, lr=1e-2, patience=2, progress=False,
           checkpoint=False)


@pytest.mark.parametrize("every", [1, 2])
def test_phase_switch_at_the_plateau(tmp_path, every):
    # scripted held-out scores, one per epoch (validated every `every` epochs)
    def run(scores, min_epochs=0, phase_epochs=20):
        cb = OperatorWarmupAuto("val_score", mode="max", patience=2, min_epochs=min_epochs,
                                phase_epochs=phase_epochs)
        module, last = fit_scripted(scores, tmp_path / f"m{min_epochs}_{every}", cb,
                                    2 * phase_epochs, every)
        return module.operator_start_epoch, last

    if every == 1:
        scores = [0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
        # best at 1, plateau 2 evaluations later: A trains from epoch 4; phase 2
        # improves at 5 and stops 2 evaluations after it
        assert run(scores) == (4, 7)
        # min_epochs holds phase 1 past the improvement at 5: switch after 7
        assert run(scores, min_epochs=6) == (8, 9)
        # no plateau: phase 1 ends at its cap, phase 2 at the same cap after it
        assert run(list(range(40)), phase_epochs=4) == (4, 7)
    else:
        # evaluations at epochs 1, 3, 5...: best at 1, no better at 3 and 5
        scores = [0, 1, 0, 1, 0, 1, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2]
        assert run(scores) == (6, 11)
        # no plateau: the cap of 3 epochs ends phase 1 at an epoch without
        # evaluation too (it ran to 4 before), and phase 2 after 3 more
        assert run(list(range(40)), phase_epochs=3) == (3, 5)


def test_operator_frozen_in_phase_1_and_trained_after(vad_data, tmp_path, monkeypatch):
    train, test = vad_data
    build = _builder(train)
    snaps = []
    after = WeaklySupervisedVAD.on_train_epoch_end

    def record(self):
        after(self)
        snaps.append((self.current_epoch, self.operator_start_epoch,
                      [p.detach().clone() for p in self._operator_parameters()]))

    monkeypatch.setattr(WeaklySupervisedVAD, "on_train_epoch_end", record)
    start = [p.detach().clone() for m in [build()] for p in
             WeaklySupervisedVAD(m)._operator_parameters()]
    chosen = {}
    for seed in (0, 1):
        snaps.clear()
        r = fit_vad(build, train, test, out_dir=tmp_path / f"s{seed}", seed=seed,
                    operator_warmup="auto", **FIT)
        switch = r["operator_start_epoch"]
        assert 0 < switch == snaps[-1][1]
        for epoch, _, a in snaps:
            same = all(torch.equal(x, y) for x, y in zip(a, start))
            assert same == (epoch < switch), (seed, epoch, switch)
        # the tested epoch is the best of both phases
        losses = val_losses(tmp_path / f"s{seed}")
        assert r["val_loss"] == pytest.approx(min(losses.values()), abs=1e-7)
        assert r["val_loss"] <= min(v for e, v in losses.items() if e < switch)
        chosen[seed] = r["epoch"] < switch
    # these two seeds restore an epoch of phase 1 and one of phase 2
    assert chosen == {0: True, 1: False}


def test_lego_row_frozen_throughout_is_graph_product(vad_data, tmp_path):
    # lego-row started at the product with A frozen is graph-product: the
    # same normalisation, head and draws give the same held-out losses, and
    # phase 1 of the warm-up stops where graph-product's early stopping does
    train, test = vad_data
    base = fit_vad(_builder(train, "graph-product"), train, test, out_dir=tmp_path / "gp",
                   seed=1, **FIT)
    frozen = fit_vad(_builder(train), train, test, out_dir=tmp_path / "frozen", seed=1,
                     operator_warmup=2 * FIT["epochs"], **FIT)
    auto = fit_vad(_builder(train), train, test, out_dir=tmp_path / "auto", seed=1,
                   operator_warmup="auto", **FIT)
    gp = val_losses(tmp_path / "gp")
    assert frozen["val_loss"] == pytest.approx(base["val_loss"], abs=1e-6)
    assert frozen["auc"] == pytest.approx(base["auc"], abs=1e-6)
    phase1 = {e: v for e, v in val_losses(tmp_path / "auto").items()
              if e < auto["operator_start_epoch"]}
    assert auto["operator_start_epoch"] == max(gp) + 1
    assert phase1 == pytest.approx(gp, abs=1e-6)


def test_bad_values_are_errors(vad_data, tmp_path):
    train, test = vad_data
    build = _builder(train)
    for bad in ({"val_fraction": 0.0}, {"patience": None}):
        with pytest.raises(ValueError, match="operator_warmup='auto'.*val_fraction > 0 and "
                                             "patience"):
            fit_vad(build, train, test, out_dir=tmp_path, operator_warmup="auto",
                    **{**FIT, **bad})
    with pytest.raises(ValueError, match="operator_warmup must be an int >= 0 or 'auto'"):
        fit_vad(build, train, test, out_dir=tmp_path, operator_warmup="soon", **FIT)


def test_cli_flags_and_config_round_trip(tmp_path, capsys):
    data = str(tmp_path / "data")
    # lego-cp (in the default methods) has no mean start, so --init auto names the methods
    argv = ["compare", "--dataset", "synthetic-vad", "--root", data, "--num-segments", "8",
            "--method", "lego,lego-row", "--operator-warmup", "auto", "--init", "auto"]
    assert main([*argv, "--print-config"]) == 0
    first = yaml.safe_load(capsys.readouterr().out)
    assert first["trainer"]["operator_warmup"] == "auto" and first["fusion"]["init"] == "auto"
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(first))
    assert main(["compare", "--config", str(tmp_path / "c.yaml"), "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == first
    assert main(["compare", "--dataset", "synthetic-vad", "--operator-warmup", "3",
                 "--print-config"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["trainer"]["operator_warmup"] == 3
    with pytest.raises(SystemExit) as e:  # argparse's exit
        main(["compare", "--dataset", "synthetic-vad", "--operator-warmup", "soon"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--operator-warmup" in err and "an integer >= 0 or auto" in err
    # both choose on held-out videos: without them, one line naming the option
    for flags, message in ((["--init", "product"], "--operator-warmup auto"),
                           (["--operator-warmup", "0"], "--init auto")):
        assert main(["compare", "--dataset", "synthetic-vad", "--root", data,
                     "--num-segments", "8", "--method", "lego-row", "--epochs", "1",
                     "--val-fraction", "0", *flags, "--no-progress",
                     "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        assert message in err and "--val-fraction > 0" in err and err.count("\n") == 1, err
    # a method without an operator has nothing to warm up or start: it runs as before
    assert main(["compare", "--dataset", "synthetic-vad", "--root", data, "--num-segments",
                 "8", "--method", "graph-mean", "--epochs", "1", "--val-fraction", "0",
                 "--no-progress", "--out", str(tmp_path / "gm")]) == 0


def test_vad_defaults_and_a_model_built_outside_a_run():
    from pyg_fusion.specs import MethodSpec
    spec = MethodSpec.create("lego", "vad")
    assert (spec.fusion.init, spec.trainer.operator_warmup) == ("auto", "auto")
    assert MethodSpec.create("lego-cp", "vad").fusion.init == "product"
    # built from the spec alone (no run to choose), LEGO starts at the product
    assert spec.lego_kwargs()["init"] == "product"


def test_init_auto_tests_the_lower_start_and_its_checkpoint_evaluates(tmp_path):
    out, data = tmp_path / "train", str(tmp_path / "data")
    # the VAD defaults: --operator-warmup auto --init auto
    assert main(["train", "--dataset", "synthetic-vad", "--root", data, "--num-segments", "8",
                 "--method", "lego-row,graph-mean", "--epochs", "4", "--patience", "1",
                 "--min-epochs", "0", "--seeds", "0,1", "--no-progress",
                 "--out", str(out)]) == 0
    recs = json.loads((out / "results.json").read_text())
    rec = {r["metric"]: r["values"] for r in recs if r["method"] == "lego-row"}
    for i in range(2):
        assert rec["val_loss"][i] == min(rec["val_loss_product"][i], rec["val_loss_mean"][i])
        assert rec["start_mean"][i] == float(rec["val_loss_mean"][i] < rec["val_loss_product"][i])
        assert rec["operator_start_epoch"][i] >= 1
    assert rec["start_mean"] == [0.0, 1.0]  # these seeds choose each start once
    # without an operator the start is moot: one run, no warm-up phases
    assert not {"start_mean", "operator_start_epoch"} & {r["metric"] for r in recs
                                                        if r["method"] == "graph-mean"}
    for i, start in enumerate(("product", "mean")):
        ckpt = out / "lego-row" / f"seed{i}" / "checkpoints" / "best.ckpt"
        ev = tmp_path / f"eval{i}"
        assert main(["evaluate", "--checkpoint", str(ckpt), "--root", data, "--num-segments",
                     "8", "--no-progress", "--out", str(ev)]) == 0
        again = {r["metric"]: r["mean"] for r in json.loads((ev / "results.json").read_text())}
        assert again["auc"] == pytest.approx(rec["auc"][i], abs=1e-9)
        cfg = torch.load(ckpt, weights_only=False)["hyper_parameters"]["config"]
        # the run's spec, and the start it chose
        assert cfg["spec"]["fusion"]["init"] == "auto" and cfg["start"] == start


def test_run_method_takes_a_string_folder(tmp_path):
    """run_method is public API: an out_dir given as a str (a temporary
    folder's name) failed where the two starts make their sub-folders."""
    from pyg_fusion.experiments.data import DataConfig, load_data
    from pyg_fusion.experiments.run import run_method
    td = load_data(DataConfig("synthetic-vad", str(tmp_path / "data"), num_segments=8))
    r, _ = run_method(td, "lego-row", 0, str(tmp_path / "run"), progress=False,
                      checkpoint=False, options={"epochs": 1, "min_epochs": 0})
    assert "start_mean" in r and (tmp_path / "run" / "init_mean").is_dir()
