"""A record names a user's files by absolute path: read from another folder
it names the same files (as the data's files are recorded)."""
import contextlib
import io
import json
import os

from pyg_fusion.cli import main
from test_checkpoint_fingerprint import train_tables


def test_evaluate_records_its_checkpoint_by_absolute_path(tmp_path, monkeypatch):
    # recorded as given ("run/lego/seed0/..."), it named no file from elsewhere
    run, ckpt = train_tables(tmp_path)
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["evaluate", "--checkpoint", str(ckpt.relative_to(tmp_path)),
                     "--no-progress", "--out", "ev"]) == 0
    records = json.loads((tmp_path / "ev" / "results.json").read_text())
    assert all(os.path.isabs(r["checkpoint"]) and os.path.samefile(r["checkpoint"], ckpt)
               for r in records)
    # the data scored is recorded (the checkpoint's here), as an image evaluation's is
    trained = json.loads((run / "results.json").read_text())[0]["config"]["data"]
    assert all({k: r["data"][k] for k in ("dataset", "views", "labels", "val_rate")}
               == {k: trained[k] for k in ("dataset", "views", "labels", "val_rate")}
               for r in records)


def test_a_translation_folder_is_recorded_by_absolute_path(tmp_path, monkeypatch):
    # --data scenes (a relative folder) was recorded as given in metrics.json and
    # the checkpoint, as segment's --root no longer was: read from elsewhere it
    # named another folder, and evaluate's "the folder it was trained on" check missed it
    import torch
    from translation_folders import translation_folder
    translation_folder(tmp_path / "scenes", n=4, size=16)
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["translate", "train", "--data", "scenes", "--image-size", "16",
                     "--batch-size", "2", "--epochs", "1", "--ngf", "4", "--gan-mode", "none",
                     "--no-progress", "--out", "run"]) == 0
    report = json.loads((tmp_path / "run" / "metrics.json").read_text())
    trained = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt",
                         weights_only=True)["hyper_parameters"]["data_config"]
    for recorded in (report["config"]["data"]["data"], trained["data"]):
        assert os.path.isabs(recorded) and os.path.samefile(recorded, tmp_path / "scenes")
