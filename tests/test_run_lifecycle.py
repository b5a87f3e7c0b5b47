"""The life of a run's files across runs: an interrupted or concurrent run
never replaces or mixes into a finished one (the image commands, sweep, the
synthetic scenes' folder), an evaluation never replaces a training run's
report, last.ckpt is the last epoch's, and a torch file changed on disk is
refused, not read as other weights."""
from __future__ import annotations

import json
import os

import pytest


def test_a_torch_file_changed_inside_a_tensor_is_refused(tmp_path):
    """A byte changed inside a tensor's record (the archive's size and layout
    intact) loaded as another value without an error, torch's zip reader
    checking no checksum: a checkpoint scored as other weights, a cache read
    as other data. The CRC-32 that the archive stores for each record is
    checked now."""
    import struct
    import zipfile

    import torch

    from pyg_fusion._loading import load_torch
    path = tmp_path / "best.ckpt"
    torch.save({"w": torch.arange(2000.0)}, path)
    assert torch.equal(load_torch(path)["w"], torch.arange(2000.0))
    with zipfile.ZipFile(path) as z:
        info = max(z.infolist(), key=lambda i: i.file_size)  # the tensor's bytes
    with open(path, "r+b") as f:
        f.seek(info.header_offset + 26)
        name, extra = struct.unpack("<HH", f.read(4))
        f.seek(info.header_offset + 30 + name + extra + 4000)  # inside w, as stored
        f.write(b"\x7f")
    with pytest.raises(ValueError, match=rf"--checkpoint: cannot read .*best\.ckpt \(the file is "
                       rf"damaged: its record {info.filename} does not match its checksum\); "
                       r"train it again$"):
        load_torch(path, what="--checkpoint", recover="train it again")


# tiny runs of the image commands (seconds each)
_IMAGE_TRAIN = {
    "segment": ["--size", "16", "--num-train", "4", "--num-test", "2", "--epochs", "1",
                "--width", "8", "--decoder-features", "8", "--batch-size", "2"],
    "translate": ["--image-size", "16", "--num-train", "4", "--num-val", "2", "--epochs", "1",
                  "--batch-size", "2", "--ngf", "4"],
}


@pytest.mark.parametrize("task, scorer", [("segment", "_score_segmenter"),
                                          ("translate", "_score_translator")])
def test_an_interrupted_image_rerun_keeps_the_finished_run(tmp_path, monkeypatch, capsys, task,
                                                           scorer):
    """segment / translate train wrote into --out itself: a Ctrl-C'd rerun into
    a used --out replaced the finished run's checkpoints (translate's best.ckpt
    from its first epoch on) beside that run's metrics.json. Now a run writes
    in <out>/train.partial, moved into --out once it finished."""
    import importlib

    from pyg_fusion.cli import main
    runs = importlib.import_module(f"pyg_fusion.experiments.{task}_run")
    out = tmp_path / "out"

    def train(*extra):
        return main([task, "train", "--root", str(tmp_path / "data"), "--out", str(out),
                     "--no-progress", *_IMAGE_TRAIN[task], *extra])

    def files():
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
                if p.is_file() and not {"logs", "train.partial"} & set(p.parts)
                and p.name != ".pyg-fusion.lock"}

    assert train() == 0
    first = files()
    assert "metrics.json" in first and any(f.startswith("checkpoints") for f in first)
    real = getattr(runs, scorer)

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)  # its checkpoints and report are written, the run is not done
        raise KeyboardInterrupt

    monkeypatch.setattr(runs, scorer, interrupted)
    assert train("--lr", "0.01") == 130
    assert files() == first  # nothing of the unfinished run replaced the finished one
    assert (out / "train.partial" / "metrics.json").is_file()
    monkeypatch.setattr(runs, scorer, real)
    capsys.readouterr()
    assert train("--lr", "0.01") == 0  # finished: replaces the run, the stage is gone
    assert not (out / "train.partial").exists()
    second = files()
    assert second.keys() == first.keys() and second != first
    assert json.loads(second["metrics.json"])["config"]["model" if task == "translate"
                                                       else "trainer"]["lr"] == 0.01


@pytest.mark.parametrize("task", ["segment", "translate"])
def test_an_image_evaluate_does_not_replace_a_training_runs_report(tmp_path, capsys, task):
    """segment / translate evaluate --out <the training run's folder> replaced
    its metrics.json (translate's validation scores and the run's config) with
    the evaluation's, without a word; the graph task's evaluate refused it."""
    from pyg_fusion.cli import main
    from pyg_fusion.experiments.image_run import check_report_replaceable
    out = tmp_path / "run"
    out.mkdir()
    report = {"split": "validation", "metrics": {"ensemble": {"l1": 0.1}},
              "config": {"data": {}, "model": {"lr": 0.1}}}
    (out / "metrics.json").write_text(json.dumps(report))
    import torch
    torch.save({}, tmp_path / "c.ckpt")  # (a missing or empty one is said first)
    code = main([task, "evaluate", "--checkpoint", str(tmp_path / "c.ckpt"), "--out", str(out),
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert err == (f"pyg-fusion {task} evaluate: error: --out {str(out)!r} holds the report of a "
                   f"training run (metrics.json), which evaluate would replace: give another "
                   f"--out\n")
    assert json.loads((out / "metrics.json").read_text()) == report
    # an evaluation's own report (naming its checkpoint) is replaced, as before
    for evaluated in ({**report, "checkpoint": "c.ckpt"},
                      {**report, "config": {"checkpoint": "c.ckpt", "data": {}}}):
        (out / "metrics.json").write_text(json.dumps(evaluated))
        check_report_replaceable(str(out))


def test_an_interrupted_sweep_keeps_every_finished_cell(tmp_path, capsys, monkeypatch):
    """A sweep wrote its records only once the whole grid had run: Ctrl-C
    during its last cell lost every cell before it, though it answered
    'what finished is under <out>'. sweep.partial.json now holds the cells
    finished so far, and is removed once sweep.json is written."""
    import pyg_fusion.experiments.run as R
    from pyg_fusion.cli import main
    real = R._run_method

    def stops_at_q_2(td, method, seed, out_dir, **kwargs):
        if "P1_Q2" in str(out_dir):
            raise KeyboardInterrupt
        return real(td, method, seed, out_dir, **kwargs)

    out = tmp_path / "out"
    argv = ["sweep", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
            "--num-segments", "8", "--p", "1", "--q", "1..2", "--epochs", "1",
            "--no-progress", "--out", str(out)]
    monkeypatch.setattr(R, "_run_method", stops_at_q_2)
    assert main(argv) == 130 and "interrupted" in capsys.readouterr().err
    records = json.loads((out / "sweep.partial.json").read_text())
    assert {(r["P"], r["Q"]) for r in records} == {(1, 1)}
    assert {r["metric"] for r in records} >= {"auc", "ap"} and not (out / "sweep.json").exists()
    monkeypatch.setattr(R, "_run_method", real)
    assert main(argv) == 0
    assert "holds an earlier sweep" in capsys.readouterr().err
    done = json.loads((out / "sweep.json").read_text())
    assert {(r["P"], r["Q"]) for r in done} == {(1, 1), (1, 2)}
    timeless = [r for r in records if r["metric"] != "time_per_epoch_s"]
    assert [r for r in done if r["Q"] == 1 and r in timeless] == timeless  # the same numbers
    assert not (out / "sweep.partial.json").exists()


def test_synthetic_scenes_of_two_settings_in_one_root_are_each_read_whole(tmp_path,
                                                                         monkeypatch):
    """SyntheticRGBD keeps one setting's scenes in its root (--root's default
    is shared by every --size / --data-seed): a run of another setting that
    regenerated them while this one generated and read them left this run
    with the other's scenes as its own (reproduced: two processes of sizes 32
    and 16 on one root, the size-32 dataset held 16-pixel images). Runs now
    take turns (a lock file in the root) from the check of the marker to the
    reading of the scenes."""
    import threading

    import pyg_fusion.datasets.synthetic_rgbd as S
    kw = dict(num_train=6, num_test=2, augment=False)
    save, calls, other = S._save_png, [0], {}

    def other_run():
        other["ds"] = S.SyntheticRGBD(tmp_path, "train", size=32, **kw)

    thread = threading.Thread(target=other_run)

    def save_png(path, arr):
        save(path, arr)
        if threading.current_thread() is threading.main_thread():
            calls[0] += 1
            if calls[0] == 3:  # mid-generation, another run of another size starts
                thread.start()
                thread.join(timeout=2)  # it runs whole here unless it waits its turn

    monkeypatch.setattr(S, "_save_png", save_png)
    mine = S.SyntheticRGBD(tmp_path, "train", size=16, **kw)
    thread.join()
    assert {tuple(mine[i]["rgb"].shape[1:]) for i in range(6)} == {(16, 16)}
    assert {tuple(other["ds"][i]["rgb"].shape[1:]) for i in range(6)} == {(32, 32)}
    assert not (tmp_path / ".pyg-fusion-data.lock").exists()


@pytest.mark.parametrize("monitor", ["val_acc", None])
def test_last_ckpt_is_written_after_every_epoch(tmp_path, monitor):
    """build_trainer's save_last wrote last.ckpt only beside a new best.ckpt
    (Lightning >= 2.5): with a monitor (the node task) last.ckpt held the
    best epoch's weights, not the last epoch's (reproduced: train --dataset
    digits --method gcn-mean --epochs 12: last.ckpt at step 10 of 12), and
    without one (segment, VAD) it came only once training had ended, so an
    interrupted run kept none."""
    import lightning as L
    import torch

    from pyg_fusion.training.trainer import build_trainer
    last = tmp_path / "checkpoints" / "last.ckpt"
    seen = []

    class Module(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(1))

        def training_step(self, batch, batch_idx):
            if self.current_epoch:  # what a run stopped now would leave
                seen.append(torch.load(last, weights_only=True)["global_step"])
            return (self.w * batch[0]).sum()

        def validation_step(self, batch, batch_idx):
            self.log("val_acc", 1.0 / (self.current_epoch + 1))  # best at epoch 0

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(2, 1)),
                                       batch_size=2)
    trainer = build_trainer(tmp_path, max_epochs=4, monitor=monitor, progress=False)
    trainer.fit(Module(), data, data)
    assert seen == [1, 2, 3]  # each epoch's end, before the next one
    ckpt = torch.load(last, weights_only=True)
    assert ckpt["global_step"] == 4
    assert ckpt["state_dict"]["w"].item() == pytest.approx(1 - 4 * 0.1 * 2)  # the last epoch's
    if monitor:
        best = torch.load(tmp_path / "checkpoints" / "best.ckpt", weights_only=True)
        assert best["global_step"] == 1 and best["state_dict"]["w"].item() == pytest.approx(0.8)
        assert trainer.checkpoint_callback.monitor == "val_acc"
    assert sorted(os.listdir(tmp_path / "checkpoints")) == \
        (["best.ckpt", "last.ckpt"] if monitor else ["last.ckpt"])


def test_synthetic_scenes_in_a_folder_that_cannot_be_written_are_read(tmp_path, monkeypatch):
    """The turn of the test above needs a lock file in the root: scenes
    generated before into a folder now read-only (which nobody can change)
    are read without one, as before it."""
    import pyg_fusion.datasets.synthetic_rgbd as S
    kw = dict(size=16, num_train=2, num_test=2, augment=False)
    first = S.SyntheticRGBD(tmp_path, "train", **kw)[1]["rgb"]

    def no_lock(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    import pyg_fusion.datasets._read_only as R  # where the generators' turn takes its lock
    monkeypatch.setattr(R, "folder_lock", no_lock)
    assert (S.SyntheticRGBD(tmp_path, "train", **kw)[1]["rgb"] == first).all()


def test_compare_into_a_train_run_says_its_checkpoints_stay(tmp_path, capsys):
    """compare into a train run's --out said 'each of its runs is replaced',
    but compare writes no checkpoints, so train's stayed in the run folders
    beside compare's logs and results.json (reproduced: train gcn-mean --lr
    0.1, then compare gcn-mean --lr 0.01 into the same --out: results.json
    0.955, evaluate of the run folder's best.ckpt 0.5475). They stay (see
    test_publish_folder_replaces_only_what_the_run_wrote); the notice says so."""
    from pyg_fusion.cli import main
    out = tmp_path / "out"
    argv = ["--dataset", "digits", "--method", "gcn-mean", "--seeds", "0", "--epochs", "1",
            "--root", str(tmp_path / "data"), "--out", str(out), "--no-progress"]
    assert main(["train", *argv]) == 0
    first = (out / "gcn-mean" / "seed0" / "checkpoints" / "best.ckpt").read_bytes()
    capsys.readouterr()
    assert main(["compare", *argv, "--lr", "0.05"]) == 0
    err = capsys.readouterr().err
    assert "compare writes no checkpoints, so the checkpoints of the earlier run stay in its " \
           "run folders, beside this run's logs: they are not this run's" in err, err
    assert (out / "gcn-mean" / "seed0" / "checkpoints" / "best.ckpt").read_bytes() == first
    capsys.readouterr()
    assert main(["train", *argv]) == 0  # train replaces them: nothing to say
    assert "compare writes no checkpoints" not in capsys.readouterr().err


def test_a_compare_rerun_removes_the_earlier_runs_restart_and_start_folders(tmp_path, capsys):
    """A compare of one start over one of init auto (init_product, init_mean)
    and of 2 restarts, then of none, in the same --out: the run folder held
    the earlier run's init_* / restart* beside the new run's files. They are
    removed when the new run is published, with a notice; a user's file stays."""
    from pyg_fusion.cli import main
    out = tmp_path / "out"
    run = out / "lego" / "seed0"
    argv = ["compare", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
            "--num-segments", "8", "--method", "lego", "--seeds", "0", "--epochs", "1",
            "--no-progress", "--out", str(out)]
    assert main([*argv, "--patience", "1"]) == 0  # init auto: both starts
    assert sorted(p.name for p in run.glob("init_*")) == ["init_mean", "init_product"]
    (run / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main([*argv, "--init", "product", "--restarts", "2"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"{run} holds an earlier run: this run does not write its init_mean, " \
           f"init_product: removed" in err, err
    assert sorted(p.name for p in run.iterdir()) == ["ensemble", "notes.txt", "restart0",
                                                    "restart1", "scores.json"]
    assert main([*argv, "--init", "product"]) == 0
    assert "its ensemble, restart0, restart1: removed" in " ".join(capsys.readouterr().err.split())
    assert sorted(p.name for p in run.iterdir()) == ["logs", "notes.txt", "scores.json"]
