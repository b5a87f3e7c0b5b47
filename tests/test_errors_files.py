"""Bad inputs to the file helpers (pyg_fusion._files and _loading) and to the
datasets' caches: each gives a clear error naming the file (or a defined,
checked behaviour: caches recover with force_reload=True, writes are atomic
and leave no orphan); see tests/bad_inputs.py."""
import glob
import os
import os.path as osp
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from bad_inputs import Case, Defined, case_tests
from pyg_fusion.datasets import MultiFeatureDigits
from test_errors_datasets import _in_tmp, _tables_ds, _truncate


def files():
    # imported when a case runs, so that the catalogue also runs against a
    # version of the package without this module (cases then count as obscure)
    from pyg_fusion import _files
    return _files


def loading():
    from pyg_fusion import _loading
    return _loading


@_in_tmp
def _foreign_processed_file(root):
    ds = _tables_ds(root)
    torch.save((1, 2, 3), ds.processed_paths[0])
    _tables_ds(root)


@_in_tmp
def _processed_file_that_runs_code(root):
    # a processed file someone shared: loading it must not run its code
    ds = _tables_ds(root)
    data, slices, cls = torch.load(ds.processed_paths[0], weights_only=False)
    p = _Payload()
    p.target = str(root / "pwned")
    torch.save((data, {"x": p}, cls), ds.processed_paths[0])
    try:
        _tables_ds(root)
    finally:
        assert not (root / "pwned").exists()


@_in_tmp
def _truncated_processed(root):
    ds = _tables_ds(root)
    _truncate(ds.processed_paths[0])
    _tables_ds(root)


@_in_tmp
def _pyg_records_are_not_read(root):
    # PyG's records of the last processing hold nothing the cache needs (its
    # name holds pre_transform and pre_filter): broken, they are rewritten
    ds = _tables_ds(root)
    x = ds[0].x_view.clone()
    _truncate(osp.join(ds.processed_dir, "pre_transform.pt"), 10)
    Path(ds.processed_dir, "pre_filter.pt").write_bytes(b"not a torch file")
    assert torch.equal(_tables_ds(root)[0].x_view, x)
    os.remove(ds.processed_paths[0])
    assert torch.equal(_tables_ds(root)[0].x_view, x)
    assert torch.load(osp.join(ds.processed_dir, "pre_transform.pt")) == "None"
    assert torch.load(osp.join(ds.processed_dir, "pre_filter.pt")) == "None"


@_in_tmp
def _caches_recover(root):
    ds = _tables_ds(root)
    x = ds[0].x_view.clone()
    _truncate(ds.processed_paths[0])
    _truncate(osp.join(ds.processed_dir, "pre_transform.pt"), 10)
    again = _tables_ds(root, force_reload=True)
    assert torch.equal(again[0].x_view, x)
    assert torch.equal(_tables_ds(root)[0].x_view, x)  # and the rebuilt files load


_DIGITS = {}


def _digits_root() -> Path:
    # one processing of the bundled digits for the digits cases of a session
    if "root" not in _DIGITS:
        _DIGITS["tmp"] = tempfile.TemporaryDirectory()
        _DIGITS["root"] = Path(_DIGITS["tmp"].name)
        MultiFeatureDigits(str(_DIGITS["root"]), views=["fou", "kar"], log=False)
    return _DIGITS["root"]


def _value_cache() -> str:
    return glob.glob(str(_digits_root() / "processed" / "mfeat_values_*.pt"))[0]


def _truncated_digits_cache():
    _truncate(_value_cache(), 100)
    MultiFeatureDigits(str(_digits_root()), label_rate=0.2, views=["fou"], log=False)


def _digits_cache_recovers():
    cache = _value_cache()
    _truncate(cache, 100)
    ds = MultiFeatureDigits(str(_digits_root()), label_rate=0.3, views=["fou"], log=False,
                            force_reload=True)
    assert ds[0].x_fou.shape == (2000, 76)
    assert torch.load(cache, weights_only=True)["fou"].shape == (2000, 77)


@_in_tmp
def _load_missing(root):
    loading().load_torch(root / "none.pt", what="--checkpoint")


@_in_tmp
def _load_garbage(root):
    (root / "g.ckpt").write_bytes(b"\x00garbage")
    loading().load_torch(root / "g.ckpt", what="--checkpoint")


class _Payload:
    def __reduce__(self):
        return (os.mkdir, (self.target, ))


@_in_tmp
def _load_runs_no_code(root):
    p = _Payload()
    p.target = str(root / "pwned")
    torch.save({"state_dict": {}, "x": p}, root / "evil.ckpt")
    try:
        loading().load_checkpoint(root / "evil.ckpt", what="--checkpoint")
    finally:
        assert not (root / "pwned").exists()


@_in_tmp
def _load_list(root):
    torch.save([1, 2, 3], root / "l.ckpt")
    loading().load_checkpoint(root / "l.ckpt", what="--checkpoint")


@_in_tmp
def _load_missing_keys(root):
    torch.save({"a": 1}, root / "d.ckpt")
    loading().load_checkpoint(root / "d.ckpt", what="--checkpoint", keys=("state_dict", ))


@_in_tmp
def _load_lightning_wrong(root):
    from pyg_fusion.training.translation import TranslationModule
    torch.save({"state_dict": {}, "hyper_parameters": {"foo": 1}}, root / "w.ckpt")
    loading().load_lightning(TranslationModule, root / "w.ckpt", what="--checkpoint")


@_in_tmp
def _write_into_folder(root):
    (root / "d").mkdir()
    files().write_text(root / "d", "x")


@_in_tmp
def _atomic_permissions(root):
    old = os.umask(0o022)
    try:
        files().write_json(root / "r.json", {"a": 1})
        files().save_torch({"a": torch.ones(1)}, root / "c.pt")
    finally:
        os.umask(old)
    for name in ("r.json", "c.pt"):
        assert stat.S_IMODE(os.stat(root / name).st_mode) == 0o644


@_in_tmp
def _atomic_no_orphan_on_error(root):
    (root / "keep.json").write_text("old")
    try:
        with files().atomic_write(root / "keep.json", "w") as f:
            f.write("half")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert sorted(os.listdir(root)) == ["keep.json"]
    assert (root / "keep.json").read_text() == "old"


@_in_tmp
def _atomic_orphan_of_killed_writer_removed(root):
    # a writer killed mid-write (SIGKILL: no cleanup runs) leaves its temp file
    # (the module is loaded by path: importing the package would take seconds)
    code = ("import importlib.util, os, sys\n"
            "spec = importlib.util.spec_from_file_location('files', sys.argv[2])\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "with m.atomic_write(sys.argv[1]) as f:\n"
            "    f.write(b'x' * 100); f.flush(); os._exit(9)\n")
    subprocess.run([sys.executable, "-c", code, str(root / "data.pt"), files().__file__],
                   check=False)
    orphans = [n for n in os.listdir(root) if n.endswith(files().TMP_SUFFIX)]
    assert len(orphans) == 1 and not (root / "data.pt").exists()
    files().write_text(root / "other.txt", "ok")  # the next write in the folder cleans up
    assert sorted(os.listdir(root)) == ["other.txt"]


@_in_tmp
def _atomic_temp_of_another_machine_kept(root):
    # a writer on another machine sharing the folder (NFS, another container)
    # cannot be checked for life: its file is left alone unless it is a day old
    other = root / f".cache.pt.m0123456789.4000000.deadbeef{files().TMP_SUFFIX}"
    untagged = root / f".old.pt.4000001.cafe0000{files().TMP_SUFFIX}"
    other.write_bytes(b"in progress")
    untagged.write_bytes(b"in progress")
    files().write_text(root / "results.json", "{}")
    assert other.exists() and untagged.exists()
    day = files().FOREIGN_TEMP_AGE_S + 60
    os.utime(other, (other.stat().st_atime - day, other.stat().st_mtime - day))
    files().write_text(root / "results.json", "{}")
    assert not other.exists() and untagged.exists()


def catalogue():
    return [
        Defined("atomic_write leaves another machine's temporary file alone",
                _atomic_temp_of_another_machine_kept),
        Case("processed file that would run code", _processed_file_that_runs_code, ValueError,
             r"the processed file: cannot read .*\.pt \(.*loads safely .*force_reload=True"),
        Case("foreign processed file", _foreign_processed_file, ValueError,
             r"cannot load the processed file .*\.pt \(it holds no collated"),
        Case("truncated processed file", _truncated_processed, ValueError,
             r"MultiViewTables: the processed file: cannot read .*\.pt .*force_reload=True"),
        Defined("broken pre_transform.pt / pre_filter.pt are rewritten, never read",
                _pyg_records_are_not_read),
        Case("truncated digits value cache", _truncated_digits_cache, ValueError,
             r"MultiFeatureDigits value cache: cannot read .*mfeat_values_\w+\.pt .*"
             r"force_reload=True"),
        Case("load_torch missing file", _load_missing, FileNotFoundError,
             r"--checkpoint: no such file: .*none\.pt"),
        Case("load_torch garbage", _load_garbage, ValueError,
             r"--checkpoint: cannot read .*g\.ckpt"),
        Case("load_checkpoint runs no code", _load_runs_no_code, ValueError,
             r"--checkpoint: cannot read .*evil\.ckpt \(UnpicklingError"),
        Case("load_checkpoint of a list", _load_list, ValueError,
             r"--checkpoint: .*l\.ckpt holds a list, expected a checkpoint \(a dict\)"),
        Case("load_checkpoint missing keys", _load_missing_keys, ValueError,
             r"--checkpoint: .*d\.ckpt lacks \['state_dict'\]"),
        Case("load_lightning of another class", _load_lightning_wrong, ValueError,
             r"--checkpoint: .*w\.ckpt is not a checkpoint of TranslationModule"),
        Case("atomic write onto a folder", _write_into_folder, IsADirectoryError,
             r"is a folder, expected a file path"),
        Defined("force_reload rebuilds a truncated processed file and pre_transform.pt",
                _caches_recover),
        Defined("force_reload rebuilds a truncated digits value cache", _digits_cache_recovers),
        Defined("files are written with 0o666 & ~umask", _atomic_permissions),
        Defined("an interrupted write leaves no temp file and the old file", _atomic_no_orphan_on_error),
        Defined("a killed writer's temp file is removed by the next write",
                _atomic_orphan_of_killed_writer_removed),
    ]


CASES = catalogue()
test_clear_error, test_defined_behaviour = case_tests(CASES)
