"""A checkpoint records a fingerprint of the data it was trained and tested
on, and evaluate says when the data it scores is other data: a user's files
changed under the checkpoint's recorded paths were scored without a word."""
import contextlib
import glob
import io
import json
import warnings

import numpy as np
import torch

from pyg_fusion.cli import main
from pyg_fusion.experiments.checkpoints import data_fingerprint, evaluate_checkpoint
from pyg_fusion.experiments.data import DataConfig, load_data
from pyg_fusion.experiments.run import run_method


def _tables(folder):
    """Two views and the labels of 3 classes of 4 rows."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 4)
    folder.mkdir()
    np.savetxt(folder / "a.csv", rng.normal(y[:, None] * 2.0, 1.0, (12, 3)), delimiter=",")
    np.save(folder / "b.npy", rng.normal(-y[:, None] * 2.0, 1.0, (12, 2)))
    (folder / "y.csv").write_text("".join(f"c{c}\n" for c in y))
    return ["--dataset", "tables", "--views", str(folder / "a.csv"), str(folder / "b.npy"),
            "--labels", str(folder / "y.csv")]


def train_tables(tmp):
    """A 1-epoch ``lego`` run of `pyg-fusion train` on :func:`_tables` under
    ``tmp / "t"``: ``(its folder, its best checkpoint)``."""
    data = _tables(tmp / "t")
    assert main(["train", *data, "--root", str(tmp / "data"), "--method", "lego",
                 "--epochs", "1", "--k", "3", "--label-rate", "1", "--val-rate", "0.25",
                 "--test-rate", "0.25", "--no-progress", "--out", str(tmp / "run")]) == 0
    return tmp / "run", tmp / "run" / "lego" / "seed0" / "checkpoints" / "best.ckpt"


def _evaluate(argv, out):
    """``(exit status, accuracy, notices)`` of ``pyg-fusion evaluate``: its
    notice lines on stderr, which its results.json records too."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["evaluate", *argv, "--no-progress", "--out", str(out)])
    records = json.loads((out / "results.json").read_text())
    acc = next(r["values"][0] for r in records if r["metric"] == "accuracy")
    prefix = "pyg-fusion evaluate: notice: "
    notices = [ln[len(prefix):] for ln in err.getvalue().splitlines() if ln.startswith(prefix)]
    assert all(r["notices"] == notices for r in records), (records, notices)
    return code, acc, notices


def test_evaluate_announces_data_changed_under_the_checkpoints_paths(tmp_path):
    _, ckpt = train_tables(tmp_path)
    trained = torch.load(ckpt, weights_only=True)["hyper_parameters"]["config"]
    parts = trained["data"]["fingerprint"]
    assert sorted(parts) == ["class_names", "num_nodes", "test_mask", "train_mask",
                             "val_mask", "x_a", "x_b", "y"]
    assert all(len(h) == 16 and int(h, 16) >= 0 for h in parts.values())
    # the same data: silent, the training run's accuracy
    first = json.loads((tmp_path / "run" / "results.json").read_text())
    acc0 = next(r["values"][0] for r in first if r["metric"] == "accuracy")
    assert _evaluate(["--checkpoint", str(ckpt)], tmp_path / "e0") == (0, acc0, [])

    # one value of view a changed in place: the same paths, other data
    a = np.loadtxt(tmp_path / "t" / "a.csv", delimiter=",")
    a[5, 1] += 1.0
    np.savetxt(tmp_path / "t" / "a.csv", a, delimiter=",")
    code, _, notices = _evaluate(["--checkpoint", str(ckpt)], tmp_path / "e1")
    assert code == 0 and notices == [
        f"the data of the checkpoint {ckpt} changed since it was trained: its recorded files "
        f"now hold other values of x_a; the scores are of the data as it is now"]

    # the checkpoint's own paths given (e.g. its config read back): changed all the same
    code, _, again = _evaluate(["--checkpoint", str(ckpt), "--views", str(tmp_path / "t" / "a.csv"),
                                str(tmp_path / "t" / "b.npy")], tmp_path / "e1b")
    assert code == 0 and again == notices

    # other data given anew on purpose: said as such (view b's file given)
    b = np.load(tmp_path / "t" / "b.npy")
    b[0, 0] += 3.0
    np.save(tmp_path / "b2.npy", b)
    code, _, notices = _evaluate(["--checkpoint", str(ckpt), "--views",
                                  str(tmp_path / "t" / "a.csv"), f"b={tmp_path / 'b2.npy'}"],
                                 tmp_path / "e2")
    assert code == 0 and notices == [
        f"the data given anew (--views) is not what the checkpoint {ckpt} was trained and "
        f"tested on (other values of x_a, x_b); the scores are of the data given"]

    # a checkpoint written before the fingerprint: evaluated as before, silent
    old = torch.load(ckpt, weights_only=True)
    del old["hyper_parameters"]["config"]["data"]["fingerprint"]
    torch.save(old, tmp_path / "old.ckpt")
    code, _, notices = _evaluate(["--checkpoint", str(tmp_path / "old.ckpt")], tmp_path / "e3")
    assert code == 0 and notices == []


def _vad_layout(raw, scale=1.0):
    """A user VAD layout: 4 training and 4 test videos of 6 snippets of one
    source (the first 2 of each list abnormal) and their frame ground truth."""
    rng = np.random.default_rng(1)
    (raw / "f").mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        names = [f"{split}{i}" for i in range(4)]
        for n in names:
            np.save(raw / "f" / f"{n}.npy", (scale * rng.normal(size=(6, 3))).astype("f4"))
        (raw / f"{split}.list").write_text("".join(n + "\n" for n in names))
    # abnormal frames in the 2 abnormal videos only (a normal video whose ground
    # truth marks abnormal frames is refused)
    np.save(raw / "gt.npy", np.r_[np.tile([0, 1, 1, 0, 0, 0], 2), np.zeros(12, int)])


def test_a_vad_checkpoint_names_the_split_whose_features_changed(tmp_path):
    _vad_layout(tmp_path / "raw")
    cfg = DataConfig("vad", str(tmp_path), num_segments=4, vad_source=["rgb=f/{name}.npy"],
                     vad_train_list="train.list", vad_test_list="test.list", vad_gt="gt.npy",
                     vad_num_abnormal=2, vad_snippet_len=1)
    td = load_data(cfg)
    # the stored tensors of both splits, before any transform; deterministic
    assert td.extra["fingerprint"] == data_fingerprint({"train": td.train, "test": td.test})
    assert td.extra["fingerprint"] == load_data(cfg).extra["fingerprint"]
    run_method(td, "graph-product", 0, tmp_path / "run", progress=False,
               options={"epochs": 1, "min_epochs": 0})
    path = glob.glob(str(tmp_path / "run" / "**" / "best.ckpt"), recursive=True)[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_checkpoint(path, None, tmp_path / "e0", progress=False)
    assert not [w for w in caught if "trained" in str(w.message)]

    x = np.load(tmp_path / "raw" / "f" / "test2.npy")
    x[3, 0] = 7.0
    np.save(tmp_path / "raw" / "f" / "test2.npy", x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_checkpoint(path, None, tmp_path / "e1", progress=False)
    notices = [str(w.message) for w in caught if "trained" in str(w.message)]
    assert len(notices) == 1 and "other values of test.x_rgb;" in notices[0], notices
