"""Bad inputs to pyg_fusion.datasets (tables, VAD features, recording
streams, digits, the synthetic sets) and to the RelationGraphs transform:
each gives a clear error naming the argument or the file (or a defined,
checked behaviour); see tests/bad_inputs.py. The file helpers and the
datasets' caches: tests/test_errors_files.py."""
import os
import tempfile
from pathlib import Path

import numpy as np
import torch

from bad_inputs import Case, Defined, case_tests
from pyg_fusion.datasets import (MultiFeatureDigits, MultiViewTables, SyntheticVAD, VADFeatures,
                                 VADLayout)
from pyg_fusion.datasets._io import read_table
from pyg_fusion.datasets._npy import load_npy
from test_datasets_vad import LAYOUT, VIDEOS, make_stacked_tree

N = 12


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
    p.write_text("".join(f"{i / 2},{'nan' if i == 3 else 1.0}\n" for i in range(N)))
    (root / "raw" / "y.csv").write_text("".join(f"{i % 2}\n" for i in range(N)))
    MultiViewTables(str(root), [str(p)], str(root / "raw" / "y.csv"), label_rate=0.5, log=False)


@_in_tmp
def _index_detection(root):
    ids = read_table(_tables(root)[0])
    assert ids.index == [f"s{i}" for i in range(N)] and ids.values.shape == (N, 2)
    # numbers under a header cell that names no ids (under 'id' the reader asks)
    nums = _tables(root / "b", [str(i) for i in range(N)])[0]
    Path(nums).write_text(Path(nums).read_text().replace("id,", "f,", 1))
    nums = read_table(nums)
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


# -- caches -------------------------------------------------------------------


# -- file helpers -------------------------------------------------------------


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
             r"t\.csv has 2 column\(s\), no column 5 for index_col=5 .* a column number in "
             r"\[0, 2\)"),
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
        Case("digits unknown view", lambda: MultiFeatureDigits("x", views=["rgb"]),
             ValueError, r"views must be distinct names among"),
        Case("digits label_rate 0", lambda: MultiFeatureDigits("x", label_rate=0),
             ValueError, r"label_rate must be > 0"),
        Case("digits val_rate", lambda: MultiFeatureDigits("x", val_rate=1.5),
             ValueError, r"val_rate must be a number in \[0, 1\]"),
        Case("RelationGraphs of a source the data lacks", _relation_graphs_missing_source,
             ValueError, r"RelationGraphs: sources \['ir'\] are not in the data"),
        Case("RelationGraphs: a shared support over a finer source",
             _relation_graphs_shared_finer, ValueError,
             r"support='shared'\): sources \['frames'\] are at a finer level"),
        Defined("index column only when all of column 0 is ids", _index_detection),
    ]


CASES = catalogue()
test_clear_error, test_defined_behaviour = case_tests(CASES)
