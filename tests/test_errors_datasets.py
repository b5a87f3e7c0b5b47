"""Bad inputs to pyg_fusion.datasets and the file helpers (pyg_fusion._files
and _loading): each gives a clear error naming the argument or the file (or a defined,
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

import numpy as np
import torch

from bad_inputs import Case, Defined, case_tests
from pyg_fusion.datasets import (MultiFeatureDigits, MultiViewTables, SyntheticVAD, VADFeatures,
                                 VADLayout)
from pyg_fusion.datasets._io import load_npy, read_table
from test_datasets_vad import LAYOUT, VIDEOS, make_stacked_tree

N = 12


def files():
    # imported when a case runs, so that the catalogue also runs against a
    # version of the package without this module (cases then count as obscure)
    from pyg_fusion import _files
    return _files


def loading():
    from pyg_fusion import _loading
    return _loading


def _tables(root: Path, first_col=None, header=True) -> tuple[str, str]:
    """A view CSV (an id column unless ``first_col`` replaces it) and labels."""
    rng = np.random.default_rng(0)
    col = first_col if first_col is not None else [f"s{i}" for i in range(N)]
    lines = ["id,f0,f1"] if header else []
    lines += [f"{col[i]},{rng.normal():.4f},{rng.normal():.4f}" for i in range(N)]
    (root / "raw").mkdir(parents=True, exist_ok=True)
    view = root / "raw" / "view.csv"
    view.write_text("\n".join(lines) + "\n")
    labels = root / "raw" / "labels.csv"
    labels.write_text("".join(f"{i % 2}\n" for i in range(N)))
    return str(view), str(labels)


def _in_tmp(fn):
    def run():
        with tempfile.TemporaryDirectory() as d:
            return fn(Path(d))
    return run


def _truncate(path: str, keep: int = 40) -> None:
    with open(path, "rb") as f:
        head = f.read(keep)
    with open(path, "wb") as f:
        f.write(head)


def _tables_ds(root: Path, **kw):
    # the raw files are written once: their modification time is part of the
    # processed file's name
    view, labels = (_tables(root) if not (root / "raw" / "view.csv").exists() else
                    (str(root / "raw" / "view.csv"), str(root / "raw" / "labels.csv")))
    return MultiViewTables(str(root), [view], labels, label_rate=0.5, log=False, **kw)


# -- tables -------------------------------------------------------------------
@_in_tmp
def _typo_in_feature_column(root):
    col = [f"{v:.3f}" for v in np.linspace(0, 1, N)]
    col[3] = "0.2x"
    view, _ = _tables(root, col)
    read_table(view)


@_in_tmp
def _empty_cell_in_feature_column(root):
    col = [f"{v:.3f}" for v in np.linspace(0, 1, N)]
    col[5] = ""
    view, _ = _tables(root, col)
    read_table(view)


@_in_tmp
def _number_among_ids(root):
    col = [f"s{i}" for i in range(N)]
    col[7] = "17"
    view, _ = _tables(root, col)
    read_table(view)


@_in_tmp
def _tables_dataset_typo(root):
    col = [f"{v:.3f}" for v in np.linspace(0, 1, N)]
    col[2] = "n/a?"
    view, labels = _tables(root, col)
    MultiViewTables(str(root), [view], labels, label_rate=0.5, log=False)


@_in_tmp
def _ragged(root):
    p = root / "t.csv"
    p.write_text("1,2,3\n4,5\n")
    read_table(str(p))


@_in_tmp
def _not_a_number(root):
    p = root / "t.csv"
    p.write_text("a,b\n1,2\n3,x\n")
    read_table(str(p), index_col=None)


@_in_tmp
def _npz_several(root):
    np.savez(root / "t.npz", a=np.zeros(2), b=np.ones(2))
    read_table(str(root / "t.npz"))


@_in_tmp
def _index_col_range(root):
    p = root / "t.csv"
    p.write_text("1,2\n3,4\n")
    read_table(str(p), index_col=5)


@_in_tmp
def _tables_nan(root):
    p = root / "raw" / "v.csv"
    p.parent.mkdir(parents=True)
    p.write_text("".join(f"{i},{'nan' if i == 3 else 1.0}\n" for i in range(N)))
    (root / "raw" / "y.csv").write_text("".join(f"{i % 2}\n" for i in range(N)))
    MultiViewTables(str(root), [str(p)], str(root / "raw" / "y.csv"), label_rate=0.5, log=False)


@_in_tmp
def _index_detection(root):
    ids = read_table(_tables(root)[0])
    assert ids.index == [f"s{i}" for i in range(N)] and ids.values.shape == (N, 2)
    nums = read_table(_tables(root / "b", [str(i) for i in range(N)])[0])
    assert nums.index is None and nums.values.shape == (N, 3)
    p = root / "pandas.csv"
    p.write_text(",a\n0,1.5\n1,2.5\n")
    pd = read_table(str(p))
    assert pd.index == ["0", "1"] and pd.values.tolist() == [[1.5], [2.5]]
    forced = read_table(_tables(root / "c", [str(i) for i in range(N)])[0], index_col=0)
    assert forced.index == [str(i) for i in range(N)]


# -- VAD features -------------------------------------------------------------
def _vad_tree(root: Path, poison=None):
    make_stacked_tree(root / "raw", np.random.default_rng(0))
    if poison is not None:
        path = root / "raw" / poison
        a = np.load(path)
        a[1, 0, 2] = np.nan if "flow" in poison else np.inf
        np.save(path, a)


@_in_tmp
def _vad_nan(root):
    _vad_tree(root, "flow/Fight002.npy")
    VADFeatures(str(root), "test", VADLayout(**LAYOUT), num_segments=4, log=False)


@_in_tmp
def _vad_inf(root):
    _vad_tree(root, "rgb/Normal_003_i3d.npy")
    VADFeatures(str(root), "test", VADLayout(**LAYOUT), num_segments=4, log=False)


@_in_tmp
def _npy_strings(root):
    np.save(root / "s.npy", np.array(["a", "b"]))
    load_npy(str(root / "s.npy"), "features", finite=True)


@_in_tmp
def _vad_beyond_float32(root):
    _vad_tree(root)
    path = root / "raw" / "flow" / "Fight002.npy"
    a = np.load(path).astype(np.float64)
    a[0, 0, 0] = 1e300
    np.save(path, a)
    VADFeatures(str(root), "test", VADLayout(**LAYOUT), num_segments=4, log=False)


@_in_tmp
def _vad_ground_truth_not_binary(root):
    _vad_tree(root)
    gt = np.load(root / "raw" / "list" / "gt.npy").astype(np.float64)
    gt[7] = 0.5
    np.save(root / "raw" / "list" / "gt.npy", gt)
    VADFeatures(str(root), "test", VADLayout(**LAYOUT), num_segments=4, log=False)


def _vad_normal_pattern_not_regex():
    VADLayout(**LAYOUT, normal_pattern="(")


@_in_tmp
def _vad_features_edited_in_place(root):
    # the cache's name stamps every feature file: an edited one re-processes
    _vad_tree(root)
    layout = VADLayout(**LAYOUT)
    ds = VADFeatures(str(root), "test", layout, num_segments=4, log=False)
    path = root / "raw" / "flow" / "Fight002.npy"
    a = np.load(path)
    np.save(path, np.full_like(a, 7.0))
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10 ** 9))
    again = VADFeatures(str(root), "test", layout, num_segments=4, log=False)
    i = [d.video for d in again].index("Fight002")
    assert not torch.equal(ds[i].x_flow, again[i].x_flow)
    assert bool((again[i].x_flow == 7.0).all())


@_in_tmp
def _vad_abnormal_is_not_normal(root):
    # the default normal_pattern: "normal" after a letter (Abnormal) is no match
    _vad_tree(root)
    (root / "raw" / "list" / "lab.list").write_text(
        "".join(f"/x/rgb/{n}_i3d.npy,{'Normal' if 'Normal' in n else 'Abnormal'}\n"
                for n in VIDEOS))
    ds = VADFeatures(str(root), "test", VADLayout(**{**LAYOUT, "test_list": "list/lab.list"}),
                     num_segments=4, log=False)
    assert [int(d.y) for d in ds] == [int("Normal" not in n) for n in VIDEOS]


@_in_tmp
def _tables_same_file_names(root):
    _tables(root / "a")
    view, labels = _tables(root / "b")
    MultiViewTables(str(root), [str(root / "a" / "raw" / "view.csv"), view], labels,
                    log=False)


@_in_tmp
def _tables_named_views(root):
    _tables(root / "a")
    view, labels = _tables(root / "b")
    ds = MultiViewTables(str(root), [f"rgb={root / 'a' / 'raw' / 'view.csv'}", f"depth={view}"],
                         labels, label_rate=0.5, log=False)
    assert ds[0].sources == ["depth", "rgb"]


@_in_tmp
def _tables_beyond_float32(root):
    view, labels = _tables(root)
    lines = Path(view).read_text().splitlines()
    row = lines[1].split(",")
    lines[1] = ",".join([row[0], "1e300", *row[2:]])
    Path(view).write_text("\n".join(lines) + "\n")
    MultiViewTables(str(root), [view], labels, label_rate=0.5, log=False)


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


# -- caches -------------------------------------------------------------------
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


# -- file helpers -------------------------------------------------------------
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


def _two_sources():
    from pyg_fusion.data import MultiSourceData
    return MultiSourceData(x_rgb=torch.randn(6, 3), x_depth=torch.randn(6, 2))


def _relation_graphs_missing_source():
    from pyg_fusion.transforms import RelationGraphs
    RelationGraphs(k=2, sources=["ir"])(_two_sources())


def _relation_graphs_shared_finer():
    from pyg_fusion.transforms import RelationGraphs
    data = _two_sources()
    data.x_frames, data.assign_frames = torch.randn(9, 2), torch.arange(9) // 3
    RelationGraphs(k=2, support="shared")(data)


def _recordings(seed, lengths=(40, 48, 56, 64)):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(4, n)) for _ in range(2) for n in lengths]
    return X, ["a"] * len(lengths) + ["b"] * len(lengths)


def _streams(root, **kw):
    from pyg_fusion.datasets import RecordingStreamsVAD
    opts = dict(train_recordings=_recordings(0), test_recordings=_recordings(1),
                sensors={"acc": [0, 1], "gyr": [2, 3]}, rate=8, recordings=(1, 2),
                anomaly_snippets=(2, 4), num_videos=(4, 4), log=False)
    RecordingStreamsVAD(str(root), **{**opts, **kw})


@_in_tmp
def _streams_samples_first(root):
    X, y = _recordings(0)
    _streams(root, train_recordings=([x.T for x in X], y))


@_in_tmp
def _streams_test_in_train(root):
    X, y = _recordings(1)
    X[3] = _recordings(0)[0][0]
    _streams(root, test_recordings=(X, y))


@_in_tmp
def _streams_short_recordings(root):
    _streams(root, anomaly_snippets=(2, 6))


def catalogue():
    return [
        Defined("atomic_write leaves another machine's temporary file alone",
                _atomic_temp_of_another_machine_kept),
        Case("VAD features beyond float32", _vad_beyond_float32, ValueError,
             r"Fight002\.npy holds values beyond float32's range \(largest magnitude 1e\+300"),
        Case("VAD ground truth not 0 / 1", _vad_ground_truth_not_binary, ValueError,
             r"ground truth .*gt\.npy holds 1 value\(s\) other than 0 and 1 \(frame 7: 0\.5\)"),
        Case("VAD normal_pattern not a regex", _vad_normal_pattern_not_regex, ValueError,
             r"normal_pattern '\(' is not a regular expression"),
        Case("VAD num_abnormal a string", lambda: VADLayout(**{**LAYOUT, "num_abnormal": "3"}),
             ValueError, r"num_abnormal must be an int >= 0 \(or \{split: int\}\), got '3'"),
        Case("SyntheticVAD noise NaN", lambda: SyntheticVAD("unused", noise=float("nan")),
             ValueError, r"noise must be a finite number >= 0, got nan"),
        Case("SyntheticVAD negative seed", lambda: SyntheticVAD("unused", seed=-1),
             ValueError, r"seed must be an int in \[0, 2\*\*32\)"),
        Case("stratified_masks float seed",
             lambda: __import__("pyg_fusion.datasets._split", fromlist=["x"]).stratified_masks(
                 torch.tensor([0, 1, 0, 1]), 0.5, seed=1.7),
             TypeError, r"split_seed must be an int, got 1.7"),
        Case("RecordingStreamsVAD [samples, channels] arrays", _streams_samples_first,
             ValueError, r"must be \[channels, samples\] .* must be transposed"),
        Case("RecordingStreamsVAD a test recording among the training ones",
             _streams_test_in_train, ValueError,
             r"test_recordings\[0\]\[3\] is train_recordings\[0\]\[0\]: the two groups must "
             r"be disjoint"),
        Case("RecordingStreamsVAD recordings shorter than the spliced stretch",
             _streams_short_recordings, ValueError,
             r"a stream of recordings\[0\] = 1 train recording\(s\) of 'a' can be 5 snippets "
             r"long, shorter than anomaly_snippets\[1\] = 6"),
        Case("MotionVAD float pair",
             lambda: __import__("pyg_fusion.datasets", fromlist=["x"]).MotionVAD(
                 "unused", recordings=(2.9, 5)),
             ValueError, r"recordings must be a pair of ints, got \(2.9, 5\)"),
        Case("tables: two files of one name", _tables_same_file_names, ValueError,
             r"views: two files make the view 'view' .* name them as NAME=FILE"),
        Case("tables: values beyond float32", _tables_beyond_float32, ValueError,
             r"view 'view': .*view\.csv holds values beyond float32's range"),
        Case("processed file that would run code", _processed_file_that_runs_code, ValueError,
             r"the processed file: cannot read .*\.pt \(.*loads safely .*force_reload=True"),
        Case("foreign processed file", _foreign_processed_file, ValueError,
             r"cannot load the processed file .*\.pt \(it holds no collated"),
        Defined("VAD features edited in place re-process", _vad_features_edited_in_place),
        Defined("VAD label 'Abnormal' is not normal", _vad_abnormal_is_not_normal),
        Defined("tables views named NAME=FILE", _tables_named_views),
        Case("column 0 with a typo", _typo_in_feature_column, ValueError,
             r"view\.csv line 5, column 0: '0\.2x' is not a number while 11 other cells"),
        Case("column 0 with an empty cell", _empty_cell_in_feature_column, ValueError,
             r"view\.csv line 7, column 0: '' is not a number"),
        Case("a number among ids", _number_among_ids, ValueError,
             r"view\.csv line 9, column 0: '17' is a number while 11 other cells"),
        Case("MultiViewTables column 0 typo", _tables_dataset_typo, ValueError,
             r"view 'view': .*view\.csv line 4, column 0: 'n/a\?'.*index_col=0"),
        Case("read_table ragged rows", _ragged, ValueError, r"t\.csv line 2 has 2 fields"),
        Case("read_table non-number", _not_a_number, ValueError,
             r"t\.csv line 3, column 1: 'x' is not a number"),
        Case("read_table npz with several arrays", _npz_several, ValueError,
             r"t\.npz holds arrays \['a', 'b'\]; pass npz_key"),
        Case("read_table index_col out of range", _index_col_range, ValueError,
             r"index_col must be None, 'auto' or a column number in \[0, 2\)"),
        Case("MultiViewTables NaN", _tables_nan, ValueError, r"v\.csv holds 1 NaN or Inf"),
        Case("MultiViewTables views type", lambda: MultiViewTables("x", "a.csv", "y.csv"),
             TypeError, r"views must be a dict \{name: file\} or a list of files"),
        Case("MultiViewTables no views", lambda: MultiViewTables("x", [], "y.csv"),
             ValueError, r"views must name at least one file"),
        Case("MultiViewTables missing file",
             _in_tmp(lambda r: MultiViewTables(str(r), ["nope.csv"], "y.csv", log=False)),
             FileNotFoundError, r"file\(s\) not found: .*nope\.csv"),
        Case("VADFeatures NaN feature file", _vad_nan, ValueError,
             r"source 'flow'.*Fight002\.npy holds 1 NaN or Inf value\(s\), the first at "
             r"index \(1, 0, 2\)"),
        Case("VADFeatures Inf feature file", _vad_inf, ValueError,
             r"source 'rgb'.*Normal_003_i3d\.npy holds 1 NaN or Inf"),
        Case("feature .npy of strings", _npy_strings, ValueError,
             r"features: .*s\.npy holds <U1 values, expected numbers"),
        Case("truncated processed file", _truncated_processed, ValueError,
             r"MultiViewTables: the processed file: cannot read .*\.pt .*force_reload=True"),
        Defined("broken pre_transform.pt / pre_filter.pt are rewritten, never read",
                _pyg_records_are_not_read),
        Case("truncated digits value cache", _truncated_digits_cache, ValueError,
             r"MultiFeatureDigits value cache: cannot read .*mfeat_values_\w+\.pt .*"
             r"force_reload=True"),
        Case("digits unknown view", lambda: MultiFeatureDigits("x", views=["rgb"]),
             ValueError, r"views must be distinct names among"),
        Case("digits label_rate 0", lambda: MultiFeatureDigits("x", label_rate=0),
             ValueError, r"label_rate must be > 0"),
        Case("digits val_rate", lambda: MultiFeatureDigits("x", val_rate=1.5),
             ValueError, r"val_rate must be a number in \[0, 1\]"),
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
        Case("RelationGraphs of a source the data lacks", _relation_graphs_missing_source,
             ValueError, r"RelationGraphs: sources \['ir'\] are not in the data"),
        Case("RelationGraphs: a shared support over a finer source",
             _relation_graphs_shared_finer, ValueError,
             r"support='shared'\): sources \['frames'\] are at a finer level"),
        Defined("index column only when all of column 0 is ids", _index_detection),
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
