import gzip
import os

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._io import read_table
from pyg_fusion.datasets.tables import encode_labels

N = 60


@pytest.fixture()
def views(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(N, 5))
    b = rng.normal(size=(N, 3))
    c = rng.normal(size=(N, 4))
    names = ["cat", "dog", "owl"]
    labels = [names[i % 3] for i in range(N)]
    raw = tmp_path / "raw"
    raw.mkdir()
    ids = [f"s{i:03d}" for i in range(N)]
    # CSV with a header row and an index column of string ids
    lines = ["id," + ",".join(f"f{j}" for j in range(5))]
    lines += [f"{ids[i]}," + ",".join(repr(float(v)) for v in a[i]) for i in range(N)]
    (raw / "shape.csv").write_text("\n".join(lines) + "\n")
    np.save(raw / "texture.npy", b)
    np.savez(raw / "colour.npz", feats=c)
    (raw / "labels.csv").write_text("id,label\n" + "".join(f"{ids[i]},{labels[i]}\n"
                                                           for i in range(N)))
    return tmp_path, a, b, c, labels


def test_csv_npy_npz_with_header_index_and_string_labels(views):
    root, a, b, c, labels = views
    ds = MultiViewTables(str(root), ["shape.csv", "texture.npy", "colour.npz"], "labels.csv",
                         label_rate=0.2, log=False)
    data = ds[0]
    assert data.sources == ["colour", "shape", "texture"]
    assert torch.equal(data.x_shape, torch.from_numpy(a).float())
    assert torch.equal(data.x_texture, torch.from_numpy(b).float())
    assert torch.equal(data.x_colour, torch.from_numpy(c).float())
    assert ds.classes == ["cat", "dog", "owl"] and ds.num_classes == 3
    assert data.y.tolist() == [ds.classes.index(s) for s in labels]
    # per class 20 nodes: 4 test, 2 val, pool 14 -> round(0.2 * 14) = 3 train
    assert int(data.train_mask.sum()) == 9 and int(data.val_mask.sum()) == 6
    assert int(data.test_mask.sum()) == 12
    assert not (data.train_mask & (data.val_mask | data.test_mask)).any()


def test_dict_views_headerless_whitespace_and_gz(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    x = np.arange(40, dtype=float).reshape(10, 4) / 7
    with gzip.open(raw / "a.txt.gz", "wt") as f:
        f.write("\n".join(" ".join(repr(float(v)) for v in row) for row in x) + "\n")
    (raw / "y.txt").write_text("\n".join(str(i % 2) for i in range(10)) + "\n")
    ds = MultiViewTables(str(tmp_path), {"alpha": "a.txt.gz"}, "y.txt", label_rate=0.5,
                         test_rate=0.2, val_rate=0.2, log=False)
    assert torch.equal(ds[0].x_alpha, torch.from_numpy(x).float())
    assert ds[0].y.tolist() == [i % 2 for i in range(10)] and ds.classes == ["0", "1"]


def test_misaligned_rows_error(views):
    root, *_ = views
    raw = root / "raw"
    np.save(raw / "short.npy", np.zeros((N - 1, 2)))
    with pytest.raises(ValueError, match="not aligned.*short.npy"):
        MultiViewTables(str(root), ["shape.csv", "short.npy"], "labels.csv", log=False)
    # same length but ids in another order
    text = (raw / "labels.csv").read_text().splitlines()
    text[1], text[2] = text[2], text[1]
    (raw / "labels2.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(ValueError, match="row 0 is 's000'.*'s001'"):
        MultiViewTables(str(root), ["shape.csv"], "labels2.csv", log=False)


def test_bad_files_are_named(views):
    root, *_ = views
    raw = root / "raw"
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        MultiViewTables(str(root), ["missing.csv"], "labels.csv", log=False)
    (raw / "bad.csv").write_text("1,2\n3,x\n" + "5,6\n" * (N - 2))
    with pytest.raises(ValueError, match="bad.csv line 2, column 1: 'x'"):
        MultiViewTables(str(root), ["bad.csv"], "labels.csv", index_col=None, log=False)
    (raw / "ragged.csv").write_text("1,2\n3\n")
    with pytest.raises(ValueError, match="ragged.csv line 2 has 1 fields"):
        read_table(str(raw / "ragged.csv"))
    np.save(raw / "nan.npy", np.full((N, 2), np.nan))
    with pytest.raises(ValueError, match="nan.npy holds 120 NaN"):
        MultiViewTables(str(root), ["nan.npy"], "labels.csv", log=False)
    np.savez(raw / "two.npz", p=np.zeros((N, 1)), q=np.zeros((N, 1)))
    with pytest.raises(ValueError, match="npz_key"):
        MultiViewTables(str(root), ["two.npz"], "labels.csv", log=False)
    ds = MultiViewTables(str(root), ["two.npz"], "labels.csv", npz_keys={"two": "q"},
                         log=False)
    assert ds[0].x_two.shape == (N, 1)
    (raw / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="empty.csv is empty"):
        MultiViewTables(str(root), ["empty.csv"], "labels.csv", log=False)
    with pytest.raises(ValueError, match="view name"):
        MultiViewTables(str(root), {"a-b": "shape.csv"}, "labels.csv", log=False)


def test_pandas_style_index_and_numeric_header(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    # pandas.DataFrame.to_csv: empty first header cell, numeric row ids
    (raw / "v.csv").write_text(",a,b\n0,1.5,2\n1,3,4\n2,5,6\n")
    t = read_table(str(raw / "v.csv"))
    assert t.index == ["0", "1", "2"] and t.header == ["a", "b"]
    assert t.values.tolist() == [[1.5, 2], [3, 4], [5, 6]]
    # a header of column numbers over whole numbers is a header or data as asked
    # (tests/test_datasets_s32_tables_files.py: without asking, an error)
    (raw / "w.csv").write_text("0,1\n7,8\n9,10\n")
    assert read_table(str(raw / "w.csv"), header=False).values.shape == (3, 2)
    assert read_table(str(raw / "w.csv"), header=True).values.tolist() == [[7, 8], [9, 10]]


def test_encode_labels_numeric_order_and_missing():
    y, names = encode_labels(["10", "2", "2.0", "", "nan", "10"])
    assert names == ["2", "10"] and y.tolist() == [1, 0, 0, -1, -1, 1]
    y, names = encode_labels(["b", "a", "?"])
    assert names == ["a", "b"] and y.tolist() == [1, 0, -1]


def test_unlabelled_rows_in_no_mask_and_cache(views):
    root, *_ = views
    raw = root / "raw"
    lab = ["NA", "dog"] * 30
    (raw / "partial.txt").write_text("label\n" + "\n".join(lab) + "\n")
    ds = MultiViewTables(str(root), ["texture.npy"], "partial.txt", label_rate=1.0, log=False)
    data = ds[0]
    assert (data.y[::2] == -1).all()
    anymask = data.train_mask | data.val_mask | data.test_mask
    assert not anymask[::2].any() and anymask[1::2].all()
    path = ds.processed_paths[0]
    mtime = os.stat(path).st_mtime_ns
    again = MultiViewTables(str(root), ["texture.npy"], "partial.txt", label_rate=1.0,
                            log=False)
    assert os.stat(again.processed_paths[0]).st_mtime_ns == mtime
    seeded = MultiViewTables(str(root), ["texture.npy"], "partial.txt", label_rate=1.0,
                             split_seed=5, log=False)
    assert seeded.processed_paths[0] != path


class _Double:
    def __call__(self, data):
        data.x_texture = 2 * data.x_texture
        return data

    def __repr__(self):
        return "Double()"


def test_pre_transform_and_pre_filter_name_the_cache(views, recwarn):
    """One processed file per setting, pre_transform included: a cache built
    without it is never read as if it had one (PyG keeps one pre_transform.pt
    per folder, the last run's), and no run warns about another's."""
    root, *_ = views
    make = lambda **kw: MultiViewTables(str(root), ["texture.npy"], "labels.csv",  # noqa: E731
                                        log=False, **kw)
    plain = make(label_rate=0.5)[0].x_texture
    make(label_rate=0.6, pre_transform=_Double())
    doubled = make(label_rate=0.5, pre_transform=_Double())
    assert torch.equal(doubled[0].x_texture, 2 * plain)
    assert doubled.processed_paths[0] != make(label_rate=0.5).processed_paths[0]
    assert torch.equal(make(label_rate=0.5)[0].x_texture, plain)
    # PyG's "The `pre_transform` argument differs ..." (the folder's name holds
    # pre_transform too, in a notice naming a file)
    assert not [w for w in recwarn if "`pre_transform`" in str(w.message)]


def test_a_hash_is_no_comment_mark(tmp_path):
    """numpy's loadtxt cuts cells at "#" by default: the fast path read "8#x"
    as 8 and dropped a row starting with "#", where the slow path refuses."""
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "h.csv"
    path.write_text("1,2\n#3,4\n5,6\n7,8#x\n")
    with pytest.raises(ValueError, match="'#3' is not a number"):
        read_table(str(path), index_col=None)


def test_a_byte_order_mark_is_no_cell(tmp_path):
    """Windows tools start UTF-8 text with a byte-order mark: a numeric file
    so marked lost its first row, taken for a header ("\\ufeff1" is no
    number)."""
    for name, opener in (("t.csv", open), ("t.csv.gz", gzip.open)):
        with opener(tmp_path / name, "wb") as f:
            f.write("\ufeff1,2\r\n3,4\r\n".encode())
        t = read_table(str(tmp_path / name))
        assert t.header is None and t.values.tolist() == [[1.0, 2.0], [3.0, 4.0]], name
    (tmp_path / "h.csv").write_bytes("\ufeffa,b\r\n1,2\r\n".encode())
    assert read_table(str(tmp_path / "h.csv")).header == ["a", "b"]
