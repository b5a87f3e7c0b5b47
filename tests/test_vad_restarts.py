"""Restarts of a VAD run (R initialisations train on the same videos, the one
of lowest held-out loss is tested, restart 0 is the plain run, and the test
set is scored once whatever R) and the learning rate of LEGO's operator."""
import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.nn import LEGOFusion
from pyg_fusion.specs import MethodSpec
from pyg_fusion.training import seed_everything
from pyg_fusion.training.vad import mil_topk_loss, split_videos
from pyg_fusion.training.vad_fit import fit_vad, restart_seed
from scripted_scores import fit_scripted


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_restarts"))
    kw = dict(num_videos=(12, 6), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


class CountingDataset(torch.utils.data.Dataset):
    """A dataset that counts how often its items are read."""

    def __init__(self, dataset):
        self.dataset, self.reads = dataset, 0

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        self.reads += 1
        return self.dataset[i]


def _builder(train, name="lego-row"):
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return lambda: build_model(name, "vad", inch, num_segments=8, num_powers=2)


FIT = dict(epochs=3, batch_size=4, val_fraction=0.25, progress=False, checkpoint=False,
           lambda_deg=0.0)


def test_one_restart_is_the_plain_run(vad_data, tmp_path):
    train, test = vad_data
    build = _builder(train)
    seed_everything(4)
    plain = fit_vad(build(), train, test, out_dir=tmp_path / "plain", seed=4, **FIT)
    one = fit_vad(build, train, test, out_dir=tmp_path / "one", seed=4, restarts=1, **FIT)
    assert one["val_loss"] == plain["val_loss"] and one["auc"] == plain["auc"]
    assert "restart" not in one
    assert restart_seed(4, 0) == 4 and len({restart_seed(s, r) for s in range(5)
                                            for r in range(3)}) == 15


def test_restarts_keep_the_lowest_held_out_loss_and_test_once(vad_data, tmp_path):
    train, test = vad_data
    build = _builder(train, "lego")
    counted = CountingDataset(test)
    r = fit_vad(build, train, counted, out_dir=tmp_path, seed=1, restarts=3,
                **{**FIT, "checkpoint": True})
    losses = r["restart_val_losses"]
    assert len(losses) == 3 and len(set(losses)) == 3  # three initialisations
    assert r["restart"] == losses.index(min(losses)) and r["val_loss"] == min(losses)
    # restart 0 is the plain run of the seed
    one = fit_vad(build, train, test, out_dir=tmp_path / "one", seed=1, **FIT)
    assert losses[0] == one["val_loss"]
    # the tested model is the chosen restart's chosen epoch
    model = r["task"].model.eval()
    _, va = split_videos(train, 0.25, seed=1)
    with torch.no_grad():
        batch = Batch.from_data_list([train[i] for i in va])
        loss = mil_topk_loss(model(batch)[0], batch.y.view(-1))
    assert float(loss) == pytest.approx(r["val_loss"], abs=1e-6)
    # the test videos are read by two test passes only (loader + frame metrics), the
    # chosen restart's and the ensemble's (recorded beside it), besides the check of
    # their ground truth and names before training
    from pyg_fusion.training.vad_split import check_test_videos
    checked = CountingDataset(test)
    check_test_videos(checked, train)
    assert counted.reads == 4 * len(test) + checked.reads
    assert (tmp_path / "checkpoints" / "best.ckpt").is_file()
    assert all((tmp_path / f"restart{i}" / "checkpoints" / "last.ckpt").is_file()
               for i in range(3))


def test_restart_errors(vad_data, tmp_path):
    train, test = vad_data
    build = _builder(train)
    with pytest.raises(ValueError, match="restarts must be an int >= 1"):
        fit_vad(build, train, test, out_dir=tmp_path, restarts=0, **FIT)
    with pytest.raises(ValueError, match="val_fraction must be > 0"):
        fit_vad(build, train, test, out_dir=tmp_path, restarts=2, **{**FIT, "val_fraction": 0})
    with pytest.raises(ValueError, match="function that builds the model"):
        fit_vad(build(), train, test, out_dir=tmp_path, restarts=2, **FIT)


def test_restarts_seeded_beyond_numpys_seeds_are_refused_before_training(vad_data,
                                                                          tmp_path):
    # --seeds 4294967295 --restarts 2: restart 0 trained, then restart 1's seed
    # (4294967295 + 1000003) ended the run in "4295967298 is not in bounds,
    # numpy accepts from 0 to 4294967295"
    train, test = vad_data
    seed = 2 ** 32 - 1
    with pytest.raises(ValueError, match=r"^restarts \(--restarts\) 2 with seed 4294967295: "
                       r"restart 1 is seeded 4294967295 \+ 1000003 x 1 = 4295967298, beyond "
                       r"the seeds numpy takes \(at most 4294967295\); with this seed give at "
                       r"most 1 restart\(s\), or a smaller seed \(--seeds\)$"):
        fit_vad(_builder(train), train, test, out_dir=tmp_path, seed=seed, restarts=2, **FIT)
    assert not (tmp_path / "restart0").exists()
    # the most restarts of seed 0: its last restart's seed is numpy's largest or below
    most = (2 ** 32 - 1) // 1_000_003 + 1
    assert restart_seed(0, most - 1) <= 2 ** 32 - 1 < restart_seed(0, most)
    with pytest.raises(ValueError, match=f"with this seed give at most {most} restart"):
        fit_vad(_builder(train), train, test, out_dir=tmp_path, seed=0, restarts=most + 1,
                **FIT)


def test_restarts_is_a_trainer_option_and_a_flag(capsys):
    from pyg_fusion.cli import build_parser
    assert MethodSpec.create("graph-mean", "vad").trainer.restarts == 1
    assert MethodSpec.create("graph-mean", "vad", {"restarts": 3}).trainer.restarts == 3
    sub = next(a for a in build_parser()._actions
               if a.__class__.__name__ == "_SubParsersAction")
    parser = sub.choices["compare"]
    assert parser.parse_args(["--dataset", "synthetic-vad", "--restarts", "3"]).restarts == 3
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["--restarts", "0"])
    assert exc.value.code == 2
    assert "argument --restarts: expected a positive integer, got 0" in capsys.readouterr().err


def test_operator_lr_is_a_parameter_group_of_the_lego_operators(vad_data):
    from pyg_fusion.training.vad import WeaklySupervisedVAD
    model = _builder(vad_data[0])()
    one = WeaklySupervisedVAD(model, lr=1e-2).configure_optimizers()
    assert len(one.param_groups) == 1  # no operator_lr: one rate, as before
    opt = WeaklySupervisedVAD(model, lr=1e-2, operator_lr=1e-4).configure_optimizers()
    operator = {id(p) for p in model.fusion.parameters()}
    head, op = opt.param_groups
    assert head["lr"] == 1e-2 and op["lr"] == 1e-4
    assert {id(p) for p in op["params"]} == operator and operator
    assert not operator & {id(p) for p in head["params"]}
    assert len(head["params"]) + len(op["params"]) == len(list(model.parameters()))
    # a model without an operator keeps one group
    base = build_model("graph-mean", "vad", {"a": 3, "b": 4}, num_segments=8)
    assert len(WeaklySupervisedVAD(base, operator_lr=1e-4).configure_optimizers()
               .param_groups) == 1


def test_operator_warmup_keeps_the_operator_at_its_start(vad_data, tmp_path):
    train, test = vad_data
    build = _builder(train)
    fit = {**FIT, "val_fraction": 0.0}  # the last epoch is the returned model

    def trained(epochs, warmup):
        seed_everything(2)
        model = build()
        start = {k: v.clone() for k, v in model.state_dict().items()}
        fit_vad(model, train, test, out_dir=tmp_path / f"{epochs}_{warmup}", seed=2,
                operator_warmup=warmup, **{**fit, "epochs": epochs})
        op = {f"{name}.{k}" for name, m in model.named_modules()
              if isinstance(m, LEGOFusion) for k in m.state_dict()}
        moved = {k for k, v in model.state_dict().items() if not torch.equal(v, start[k])}
        return op, moved

    # A frozen for every epoch: the operator keeps its start, the head trains
    op, moved = trained(2, 2)
    assert op and not op & moved and moved
    # warm-up over: A trains from epoch 2 on
    op, moved = trained(3, 2)
    assert op & moved
    with pytest.raises(ValueError, match="operator_warmup must be an int >= 0"):
        fit_vad(build, train, test, out_dir=tmp_path, operator_warmup=-1, **FIT)


def test_operator_warmup_is_a_trainer_option_and_a_flag(capsys):
    from pyg_fusion.cli import build_parser
    # the VAD default for lego and lego-row (docs/results/vad_studies.md,
    # "LEGO from its best special case, trained"); lego-cp keeps training A from the start
    assert MethodSpec.create("lego-row", "vad").trainer.operator_warmup == "auto"
    assert MethodSpec.create("lego-cp", "vad").trainer.operator_warmup == 0
    assert MethodSpec.create("lego-row", "node").trainer.operator_warmup == 0
    sub = next(a for a in build_parser()._actions
               if a.__class__.__name__ == "_SubParsersAction")
    parser = sub.choices["compare"]
    args = parser.parse_args(["--dataset", "synthetic-vad", "--operator-warmup", "5"])
    assert args.operator_warmup == 5
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["--operator-warmup", "-1"])
    assert exc.value.code == 2
    assert ("argument --operator-warmup: expected an integer >= 0 or auto, got -1"
            in capsys.readouterr().err)


@pytest.mark.parametrize("option", [{"operator_warmup": 3}, {"restarts": 2},
                                    {"restart_combine": "mean"},
                                    {"operator_lr": 1e-3}, {"val_choice": "pseudo_auc"},
                                    {"min_epochs": 5}])
def test_vad_trainer_options_are_an_error_in_the_node_task(tmp_path, option):
    from types import SimpleNamespace

    from pyg_fusion.experiments.run import run_method
    # the check comes before any training: the data's description suffices
    td = SimpleNamespace(task="node", dataset="digits", setting=None, in_channels={"a": 3},
                         num_classes=2, extra={}, config=None)
    with pytest.raises(ValueError, match="are VAD options"):
        run_method(td, "lego", 0, tmp_path, options=option, progress=False)


def test_init_auto_is_an_error_in_the_node_task(tmp_path):
    from types import SimpleNamespace

    from pyg_fusion.experiments.run import run_method
    td = SimpleNamespace(task="node", dataset="digits", setting=None, in_channels={"a": 3},
                         num_classes=2, extra={}, config=None)
    with pytest.raises(ValueError, match="--init auto is a VAD option"):
        run_method(td, "lego", 0, tmp_path, options={"init": "auto"}, progress=False)


def test_min_epochs_holds_off_early_stopping(vad_data, tmp_path):
    train, test = vad_data
    build = _builder(train)
    fit = {**FIT, "epochs": 12}

    def epochs_run(out, **kw):
        r = fit_vad(build, train, test, out_dir=tmp_path / out, seed=0, patience=2, **fit, **kw)
        rows = (tmp_path / out / "logs" / "version_0" / "metrics.csv").read_text().splitlines()
        head = rows[0].split(",")
        ran = {int(x.split(",")[head.index("epoch")]) for x in rows[1:]
               if x.split(",")[head.index("val_loss")]}
        return int(r["epoch"]), max(ran)

    for min_epochs in (0, 8):
        chosen, last = epochs_run(f"m{min_epochs}", min_epochs=min_epochs)
        assert last == min(max(min_epochs - 1, chosen + 2), 11)
    assert epochs_run("cap", min_epochs=50)[1] == 11  # never past epochs
    with pytest.raises(ValueError, match="min_epochs must be an int >= 0"):
        fit_vad(build, train, test, out_dir=tmp_path / "bad", min_epochs=-1, **FIT)


def test_early_stopping_after_counts_patience_from_the_best(tmp_path):
    from pyg_fusion.training.stopping import EarlyStoppingAfter
    scores = [0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]

    def last_epoch(min_epochs):
        cb = EarlyStoppingAfter("val_score", mode="max", patience=2, min_epochs=min_epochs)
        return fit_scripted(scores, tmp_path / f"m{min_epochs}", cb, len(scores))[1]

    assert last_epoch(0) == 3  # 2 evaluations after the best so far (epoch 1)
    # a stop signalled at epoch 3 does not hold after the improvement at
    # epoch 5 (Lightning's Trainer(min_epochs=6) would end at epoch 5)
    assert last_epoch(6) == 7
    assert last_epoch(3) == 3


def test_vad_budget_defaults():
    t = MethodSpec.create("lego", "vad").trainer
    assert (t.epochs, t.patience, t.min_epochs, t.eval_every) == (200, 10, 30, 1)
    assert MethodSpec.create("lego", "node").trainer.min_epochs == 0
