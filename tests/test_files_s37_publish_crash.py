"""publish_folder killed between its steps loses no finished result: the
earlier run's entry, set aside to be replaced, comes back on the next write
into the folder (it was deleted there as an orphaned temporary file)."""
import os
import subprocess
import sys
import textwrap

import pytest

from pyg_fusion import _publish
from pyg_fusion._files import remove_stale_temps
from pyg_fusion._publish import publish_folder, staged_folder


def _runs(tmp_path):
    dst, stage = tmp_path / "out", tmp_path / "out" / "run.partial"
    (dst / "lego").mkdir(parents=True)
    (dst / "lego" / "best.ckpt").write_text("old")
    (stage / "lego").mkdir(parents=True)
    (stage / "lego" / "best.ckpt").write_text("new")
    return dst, stage


def _killed_publish(dst, stage, kill_at: str, exchange: bool) -> None:
    """publish_folder(stage, dst) in a process that dies (os._exit, no
    ``finally``) at ``kill_at``: the move of the new entry in (``rename``)
    or the deletion of the old one (``discard``)."""
    code = textwrap.dedent(f"""
        import os
        from pyg_fusion import _publish
        if not {exchange}:
            _publish._exchange = lambda a, b: False
        if {kill_at!r} == "rename":
            rename = os.rename
            def killed(src, dst):
                if "run.partial" in str(src):
                    os._exit(9)
                rename(src, dst)
            os.rename = killed
        else:
            _publish._discard = lambda path: os._exit(9)
        _publish.publish_folder({str(stage)!r}, {str(dst)!r})
    """)
    rc = subprocess.run([sys.executable, "-c", code], env=os.environ).returncode
    assert rc == 9


def test_a_kill_before_the_new_entry_is_in_leaves_the_old_one_recoverable(tmp_path):
    dst, stage = _runs(tmp_path)
    _killed_publish(dst, stage, "rename", exchange=False)
    assert not (dst / "lego").exists()  # the kill's moment: the old entry set aside
    with staged_folder(dst) as again:  # the next run, before it trains
        assert (dst / "lego" / "best.ckpt").read_text() == "old"
        os.mkdir(os.path.join(again, "lego"))
    assert sorted(os.listdir(dst)) == ["lego"]  # nothing set aside is left


def test_a_kill_after_the_new_entry_is_in_removes_the_old_one(tmp_path):
    dst, stage = _runs(tmp_path)
    _killed_publish(dst, stage, "discard", exchange=False)
    remove_stale_temps(str(dst))
    assert (dst / "lego" / "best.ckpt").read_text() == "new"
    assert sorted(os.listdir(dst)) == ["lego", "run.partial"]


def test_the_swap_never_leaves_the_name_missing(tmp_path, monkeypatch):
    """Where the OS swaps two names in one step, a reader of the folder finds
    the old entry or the new one at every moment: no rename of the target."""
    dst, stage = _runs(tmp_path)
    probe = tmp_path / "probe"
    probe.mkdir()
    (tmp_path / "other").mkdir()
    if not _publish._exchange(str(probe), str(tmp_path / "other")):
        pytest.skip("no renameat2 exchange on this OS or file system")

    def no_rename(src, dst):
        raise AssertionError(f"renamed {src} -> {dst}: the name was missing meanwhile")
    monkeypatch.setattr(os, "rename", no_rename)
    publish_folder(stage, dst)
    assert (dst / "lego" / "best.ckpt").read_text() == "new"
    assert sorted(os.listdir(dst)) == ["lego"]


def test_a_kill_after_the_swap_keeps_the_new_entry(tmp_path):
    dst, stage = _runs(tmp_path)
    probe, other = tmp_path / "probe", tmp_path / "other"
    probe.mkdir()
    other.mkdir()
    if not _publish._exchange(str(probe), str(other)):
        pytest.skip("no renameat2 exchange on this OS or file system")
    _killed_publish(dst, stage, "discard", exchange=True)
    assert (dst / "lego" / "best.ckpt").read_text() == "new"
    with staged_folder(dst):  # the old entry went with the stage
        pass
    assert sorted(os.listdir(dst)) == ["lego"]


@pytest.mark.parametrize("error", [TypeError, OSError, AttributeError])
def test_without_a_c_library_the_swap_is_declined(tmp_path, monkeypatch, error):
    """Windows' ctypes.CDLL(None) is a TypeError: publish_folder falls back to
    the rename aside instead of failing."""
    import ctypes

    def no_library(*args, **kwargs):
        raise error("no C library")
    monkeypatch.setattr(ctypes, "CDLL", no_library)
    dst, stage = _runs(tmp_path)
    publish_folder(stage, dst)
    assert (dst / "lego" / "best.ckpt").read_text() == "new"
    assert sorted(os.listdir(dst)) == ["lego"]
