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
