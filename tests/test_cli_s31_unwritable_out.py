"""An --out that cannot be made or written (a read-only mount, no
permission) was refused as '<path>: Read-only file system', naming no flag:
the lock every folder-writing command takes first names --out, before any
work, one line, exit 2."""
import errno
import os

import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv", [
    ["train", "--dataset", "digits", "--epochs", "1"],
    ["sweep", "--dataset", "digits", "--p", "1", "--q", "1", "--epochs", "1"],
    ["translate", "train", "--epochs", "1"],
    ["demo", "--node-epochs", "1"],
])
def test_an_out_that_cannot_be_written_is_named(tmp_path, capsys, monkeypatch, argv):
    below = str(tmp_path / "ro")
    real = os.makedirs

    def read_only(path, *args, **kwargs):
        if os.path.abspath(path).startswith(below):
            raise OSError(errno.EROFS, "Read-only file system", os.fspath(path))
        return real(path, *args, **kwargs)
    monkeypatch.setattr(os, "makedirs", read_only)
    out = tmp_path / "ro" / "out"
    assert main([*argv, "--out", str(out), "--root", str(tmp_path / "data"),
                 "--threads", "1"]) == 2
    command = " ".join(argv[:2] if argv[0] == "translate" else argv[:1])
    assert capsys.readouterr().err == (f"pyg-fusion {command}: error: --out {out}: cannot "
                                       f"write there ({out}: Read-only file system)\n")
    assert not (tmp_path / "data").exists()
