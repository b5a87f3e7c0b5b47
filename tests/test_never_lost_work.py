"""Damaged, stale and half-written files, as a user meets them: a truncated
or foreign input is a ValueError naming the file (and the way out), never a
traceback of the decoder; an interrupted or concurrent run never replaces
finished work."""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil

import numpy as np
import pytest

from pyg_fusion.datasets._io import read_table


def _gz_table(path):
    with gzip.open(path, "wt") as f:
        np.savetxt(f, np.arange(600.0).reshape(200, 3), delimiter=",")
    return path


@pytest.mark.parametrize("damage, why", [
    (lambda b: b[:len(b) // 2], r"cut short \(truncated\)"),
    (lambda b: b"not gzip at all\n", r"not a valid gzip file"),
])
def test_damaged_gzip_table_names_the_file(tmp_path, damage, why):
    path = str(_gz_table(tmp_path / "v.csv.gz"))
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(damage(data))
    # was EOFError / gzip.BadGzipFile, naming no file
    with pytest.raises(ValueError, match=rf"view: cannot read .*v\.csv\.gz: .*{why}"):
        read_table(path, what="view")


def test_binary_text_table_names_the_file(tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes(b"\xff\xfe\x00\x81" * 50)
    # was UnicodeDecodeError's message alone: no file
    with pytest.raises(ValueError, match=r"labels: cannot read .*v\.csv: not UTF-8 text"):
        read_table(str(path), what="labels", numeric=False)


def test_binary_list_files_name_the_file(tmp_path):
    from pyg_fusion.datasets.rgbd import RGBDSegmentation
    (tmp_path / "train.txt").write_bytes(b"\xff\xfe\x81\n")
    with pytest.raises(ValueError, match=r"list file: cannot read .*train\.txt: not UTF-8"):
        RGBDSegmentation(str(tmp_path), "train")


def test_damaged_digits_copy_names_the_remedy(tmp_path):
    from pyg_fusion.datasets import MultiFeatureDigits
    root = str(tmp_path / "digits")
    first = MultiFeatureDigits(root, log=False)
    raw = os.path.join(root, "raw", "mfeat-mor.csv.gz")
    shutil.copy(raw, tmp_path / "good.gz")
    with open(raw, "r+b") as f:
        f.truncate(os.path.getsize(raw) // 2)
    with pytest.raises(ValueError, match=r"view 'mor': cannot read .*mfeat-mor\.csv\.gz: the "
                       r"compressed file is cut short .*; delete it, or pass "
                       r"force_reload=True \(pyg-fusion's --force-reload\), and the bundled "
                       r"copy replaces it"):
        MultiFeatureDigits(root, log=False)
    os.remove(raw)  # the remedy the error names
    again = MultiFeatureDigits(root, log=False)
    assert (again[0].x_mor == first[0].x_mor).all()


def _train_checkpoint(path, edit):
    """A checkpoint of `pyg-fusion train` as this version writes it, changed
    by ``edit(config)``."""
    import dataclasses

    import torch

    from pyg_fusion.specs import MethodSpec
    from pyg_fusion.experiments.checkpoints import CHECKPOINT_FORMAT
    from pyg_fusion.experiments.data import DataConfig
    cfg = {"format": CHECKPOINT_FORMAT, "method": "lego", "task": "node", "dataset": "digits",
           "setting": "label_rate=0.05", "in_channels": {}, "num_classes": 10, "options": {},
           "spec": MethodSpec.create("lego", "node", {}).to_dict(), "seed": 0, "data": {},
           "data_config": dataclasses.asdict(DataConfig())}
    edit(cfg)
    torch.save({"state_dict": {}, "hyper_parameters": {"config": cfg}}, path)
    return str(path)


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(format=99), r"has config format 99; this version of pyg_fusion reads "
     r"formats up to 2"),
    # was a TypeError traceback of FusionConfig
    (lambda c: c["spec"]["fusion"].update(bogus=3), r"was written by another version of "
     r"pyg_fusion: this one does not know its options \['fusion\.bogus'\]"),
    # these two were ignored: another model or data, silently
    (lambda c: c["spec"].update(bogus={}), r"does not know its options \['bogus'\]"),
    (lambda c: c["data_config"].update(crop=2), r"does not know its options "
     r"\['data_config\.crop'\]"),
    # a value out of its range (hand-edited) built a model silently
    (lambda c: c["spec"]["head"].update(center=1), r"saved spec \(lego, node\): center must be "
     r"True or False, got 1"),
    # was AttributeError: 'str' object has no attribute 'get'
    (lambda c: c.update(spec="lego"), r"its config's spec is not a method spec \(got str\)"),
])
def test_evaluate_refuses_a_checkpoint_of_another_version(tmp_path, capsys, edit, message):
    from pyg_fusion.cli import main
    path = _train_checkpoint(tmp_path / "c.ckpt", edit)
    code = main(["evaluate", "--checkpoint", path, "--out", str(tmp_path / "e"),
                 "--root", str(tmp_path / "data"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"pyg-fusion evaluate: error: --checkpoint: {path}"), err
    assert re.search(message, err), err
    assert not (tmp_path / "data").exists()  # refused before the data loads


def test_checkpoints_are_written_beside_themselves(tmp_path, monkeypatch):
    """The trainers' checkpoints go through the atomic writer: Lightning's own
    wrote a temporary file in $TMPDIR and moved it into place, a copy into
    the checkpoint itself across file systems (a kill left it truncated); a
    full $TMPDIR failed the save of a run whose folder had room."""
    import errno
    import tempfile

    import torch

    from pyg_fusion.training.trainer import build_trainer

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    trainer = build_trainer(tmp_path / "run", progress=False)
    path = tmp_path / "run" / "checkpoints" / "best.ckpt"
    monkeypatch.setattr(tempfile, "mkstemp", full)  # $TMPDIR is full
    trainer.strategy.checkpoint_io.save_checkpoint({"epoch": 3}, path)
    assert torch.load(path, weights_only=True) == {"epoch": 3}
    assert os.listdir(path.parent) == ["best.ckpt"]  # no temporary file left beside it


def _train(tmp_path, out, *extra):
    from pyg_fusion.cli import main
    return main(["train", "--root", str(tmp_path / "data"), "--out", str(out), "--no-progress",
                 "--epochs", "1", *extra])


def test_an_interrupted_rerun_keeps_the_finished_run(tmp_path, monkeypatch, capsys):
    """A rerun into a used --out trained over the finished run's checkpoints:
    stopped part-way, it left its own unfinished best.ckpt beside the first
    run's results.json. Now it trains in seed0.partial and says so."""
    import pyg_fusion.experiments.run as run
    out = tmp_path / "out"
    assert _train(tmp_path, out) == 0
    ckpts = out / "lego" / "seed0" / "checkpoints"
    first = {p.name: p.read_bytes() for p in ckpts.iterdir()}
    real = run._run_method

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)  # its checkpoints are written, the run is not finished
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "_run_method", interrupted)
    capsys.readouterr()
    assert _train(tmp_path, out, "--lr", "0.05") == 130
    err = capsys.readouterr().err
    assert "notice: --out" in err and "holds an earlier run" in err, err
    assert {p.name: p.read_bytes() for p in ckpts.iterdir()} == first
    assert (out / "lego" / "seed0.partial" / "checkpoints" / "best.ckpt").is_file()
    assert not (out / ".pyg-fusion.lock").exists()
    monkeypatch.setattr(run, "_run_method", real)
    assert _train(tmp_path, out, "--lr", "0.05") == 0  # finished: replaces the run
    assert not (out / "lego" / "seed0.partial").exists()
    assert {p.name: p.read_bytes() for p in ckpts.iterdir()} != first


@pytest.mark.parametrize("command", [["train"], ["compare"], ["segment", "train"],
                                     ["translate", "train"], ["evaluate", "--checkpoint", "c"]])
def test_two_runs_into_one_out_are_refused(tmp_path, capsys, command):
    """Two commands writing into one --out at once mixed their checkpoints,
    logs and reports."""
    from pyg_fusion._files import folder_lock
    from pyg_fusion.cli import main
    out = tmp_path / "out"
    import torch
    torch.save({}, tmp_path / "c")  # a checkpoint file: a missing or empty one is refused first
    command = [str(tmp_path / "c") if word == "c" else word for word in command]
    with folder_lock(out):  # another run writes there
        assert main([*command, "--root", str(tmp_path / "data"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--out {out} is in use by another pyg-fusion run" \
        in err, err
    assert not (tmp_path / "data").exists()  # refused before the data loads
    assert os.listdir(out) == []


def test_publish_folder_replaces_only_what_the_run_wrote(tmp_path):
    from pyg_fusion._publish import publish_folder
    dst, stage = tmp_path / "seed0", tmp_path / "seed0.partial"
    (dst / "checkpoints").mkdir(parents=True)
    (dst / "checkpoints" / "best.ckpt").write_text("train's")
    (dst / "logs").mkdir()
    (dst / "logs" / "old.csv").write_text("old")
    (stage / "logs").mkdir(parents=True)
    (stage / "logs" / "new.csv").write_text("new")
    publish_folder(stage, dst)  # a compare run (logs only) into a train run's folder
    assert (dst / "checkpoints" / "best.ckpt").read_text() == "train's"
    assert sorted(os.listdir(dst / "logs")) == ["new.csv"]
    assert sorted(os.listdir(dst)) == ["checkpoints", "logs"] and not stage.exists()


def test_publish_folder_removes_the_earlier_runs_folders_that_this_one_lacks(tmp_path):
    """A run of 2 restarts published over one of 3 (and over one of both
    starts of init auto) removes restart2 and init_*, which it does not
    write; a user's entries stay, even ones named like a run's."""
    from pyg_fusion._publish import publish_folder
    from pyg_fusion.experiments._run_folders import stale_run_folders
    from pyg_fusion.experiments.run import STARTS
    dst, stage = tmp_path / "seed0", tmp_path / "seed0.partial"
    earlier = ["restart0", "restart1", "restart2", "ensemble", *(f"init_{s}" for s in STARTS)]
    for name in earlier + ["restart_notes", "init_other", "logs"]:
        (dst / name).mkdir(parents=True)
        (dst / name / "old.csv").write_text("old")
    (dst / "restart9").write_text("a user's file")  # a file, not a run's folder
    for name in ("restart0", "restart1", "ensemble", "logs"):
        (stage / name).mkdir(parents=True)
        (stage / name / "new.csv").write_text("new")
    stale = stale_run_folders(stage, dst)
    assert stale == ["init_mean", "init_product", "restart2"]
    publish_folder(stage, dst, remove=stale)
    assert sorted(os.listdir(dst)) == ["ensemble", "init_other", "logs", "restart0",
                                       "restart1", "restart9", "restart_notes"]
    for name in ("restart0", "restart1", "ensemble", "logs"):
        assert os.listdir(dst / name) == ["new.csv"]
    assert os.listdir(dst / "restart_notes") == ["old.csv"] and not stage.exists()
    assert stale_run_folders(tmp_path / "empty", tmp_path / "none") == []


def test_damaged_generated_vad_names_the_remedy(tmp_path):
    """A generated feature file cut short or deleted was named, but deleting
    it only made it 'not found': the remedy is the generated folder."""
    import glob

    from pyg_fusion.datasets import SyntheticVAD
    kw = dict(num_videos=(4, 4), num_segments=4, log=False)
    first = SyntheticVAD(str(tmp_path), "test", **kw)
    feature = sorted(glob.glob(str(tmp_path / "raw" / "synthetic_*" / "domain0" / "features"
                                   / "*" / "*.npy")))[0]
    with open(feature, "r+b") as f:
        f.truncate(60)
    folder = os.path.join(first.raw_dir, first.tag)
    with pytest.raises(ValueError, match=rf"cannot read .*\.npy .*; the files of "
                       rf"{re.escape(folder)} are generated: delete that folder, or pass "
                       r"force_reload=True \(pyg-fusion's --force-reload\), and they are "
                       r"generated again"):
        SyntheticVAD(str(tmp_path), "test", **kw)
    os.remove(feature)
    with pytest.raises(FileNotFoundError, match=r"file not found: .*; the files of .* are "
                       r"generated"):
        SyntheticVAD(str(tmp_path), "test", **kw)
    shutil.rmtree(folder)  # the remedy the error names
    again = SyntheticVAD(str(tmp_path), "test", **kw)
    assert all((a.x_c3d == b.x_c3d).all() for a, b in zip(first, again))


def test_damaged_generated_scene_names_the_remedy(tmp_path):
    from pyg_fusion.datasets.synthetic_rgbd import SyntheticRGBD
    kw = dict(size=16, num_train=2, num_test=2)
    first = SyntheticRGBD(str(tmp_path), "test", **kw)[1]["rgb"]
    png = tmp_path / "rgb" / "test_00001.png"
    png.write_bytes(png.read_bytes()[:40])
    with pytest.raises(ValueError, match=r"cannot read rgb file .*test_00001\.png: .*; the "
                       r"scenes of .* are generated: delete .*meta\.json, or pass "
                       r"force_reload=True \(pyg-fusion's --force-reload\), and they are "
                       r"generated again"):
        SyntheticRGBD(str(tmp_path), "test", **kw)
    os.remove(tmp_path / "meta.json")  # the remedy the error names
    assert (SyntheticRGBD(str(tmp_path), "test", **kw)[1]["rgb"] == first).all()


@pytest.mark.parametrize("command, hp, message", [
    (["segment", "evaluate"], {"config": {"method": "lego", "dataset": "digits"}},
     r"is a checkpoint of `pyg-fusion train`, not of the segment task; evaluate it with "
     r"`pyg-fusion evaluate`$"),
    (["translate", "evaluate"], {"variant": "asymfusion", "arch": {}, "num_classes": 5},
     r"is a checkpoint of the segment task, not of the translate task; evaluate it with "
     r"`pyg-fusion segment evaluate`"),
])
def test_an_image_evaluate_names_the_command_of_another_checkpoint(tmp_path, capsys, command,
                                                                  hp, message):
    """Was 'is not a checkpoint of SegmentationModule (SegmentationModule.__init__()
    got an unexpected keyword argument 'config')'."""
    import torch

    from pyg_fusion.cli import main
    path = tmp_path / "c.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": hp}, path)
    assert main([*command, "--checkpoint", str(path), "--out", str(tmp_path / "e"),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and re.search(message, err), err


def test_synthetic_translation_cache_follows_pre_transform(tmp_path):
    """Its processed file was named by size and seed only: a new pre_transform
    loaded the scenes as the first one had left them, silently."""
    import torch
    from torch_geometric.transforms import BaseTransform

    from pyg_fusion.datasets.translation import SyntheticTranslation

    class Zero(BaseTransform):
        def forward(self, data):
            data.x_depth = torch.zeros_like(data.x_depth)
            return data

    kw = dict(num_images=2, image_size=8, progress=False)
    plain = SyntheticTranslation(str(tmp_path), **kw)
    zeroed = SyntheticTranslation(str(tmp_path), pre_transform=Zero(), **kw)
    assert bool((zeroed[0].x_depth == 0).all()) and bool((plain[0].x_depth != 0).any())
    again = SyntheticTranslation(str(tmp_path), **kw)  # both caches stay, side by side
    assert torch.equal(again[0].x_depth, plain[0].x_depth)


def test_processing_writes_pyg_records_atomically(tmp_path, monkeypatch):
    """PyG wrote pre_transform.pt / pre_filter.pt in place (fs.torch_save): a
    kill there left a truncated file that the next run refused to read."""
    import torch
    import torch_geometric.io.fs as fs

    from pyg_fusion.datasets.translation import SyntheticTranslation

    def killed(obj, path):  # what a kill there leaves
        with open(path, "wb") as f:
            f.write(b"PK\x03\x04")
        raise RuntimeError("killed")

    monkeypatch.setattr(fs, "torch_save", killed)
    ds = SyntheticTranslation(str(tmp_path), num_images=2, image_size=8, progress=False)
    assert torch.load(os.path.join(ds.processed_dir, "pre_transform.pt")) == "None"


def test_a_full_disk_names_the_file(tmp_path):
    """A write that runs out of room was torch's 'RuntimeError: [enforce fail
    at inline_container.cc] unexpected pos' (a traceback in the CLI), or an
    OSError naming no file; here the file limit (RLIMIT_FSIZE) plays the full
    disk, in a process of its own."""
    import subprocess
    import sys
    pytest.importorskip("resource")
    code = f"""
import resource, signal, torch
from pyg_fusion._files import save_torch, write_text
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
for save in (lambda p: save_torch(torch.zeros(100_000), p), lambda p: write_text(p, "x" * 200_000)):
    try:
        save({str(tmp_path / "big.pt")!r})
    except OSError as exc:
        print(type(exc).__name__, exc.filename, exc.strerror)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    lines = out.stdout.splitlines()
    assert len(lines) == 2, out.stdout + out.stderr
    assert all(ln.startswith(f"OSError {tmp_path / 'big.pt'} File too large") for ln in lines), lines
    assert os.listdir(tmp_path) == []  # no temporary file left


def test_evaluate_does_not_replace_a_training_runs_results(tmp_path, capsys):
    from pyg_fusion.cli import main
    out = tmp_path / "run"
    out.mkdir()
    train_records = [{"dataset": "digits", "method": "lego", "metric": "accuracy",
                      "mean": 0.97, "std": 0.0, "seeds": [0], "values": [0.97]}]
    (out / "results.json").write_text(json.dumps(train_records))
    path = _train_checkpoint(tmp_path / "c.ckpt", lambda c: None)
    code = main(["evaluate", "--checkpoint", path, "--out", str(out),
                 "--root", str(tmp_path / "data"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "holds the results of a train or compare run" in err and "--out" in err, err
    assert json.loads((out / "results.json").read_text()) == train_records
    assert not (tmp_path / "data").exists()
    # evaluate's own results (records naming their checkpoint) are replaced, as before
    from pyg_fusion.cli.evaluate import check_results_replaceable
    (out / "results.json").write_text(json.dumps([{**train_records[0], "checkpoint": "c"}]))
    check_results_replaceable(out / "results.json")
