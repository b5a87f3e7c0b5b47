"""A user's own tables, as they come out of pandas, R or numpy: the cases
that read wrong or failed without a way out."""
import os

import numpy as np
import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._io import read_table
from pyg_fusion.datasets.standardize import zscore_columns

N = 12


def _root(tmp_path, files):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    for name, content in files.items():
        if isinstance(content, np.ndarray):
            np.save(raw / name, content)
        else:
            (raw / name).write_text(content)
    return str(tmp_path)


def _x(n=N, d=2):
    return np.arange(n * d, dtype=float).reshape(n, d) / 7


def test_one_column_labels_csv_keeps_spaces_and_drops_quotes(tmp_path):
    """A one-column CSV was split on whitespace: "big cat" and "small cat"
    were one class "cat"; R's quoted '"cat"' kept its quotes."""
    names = ["big cat", "small cat", "dog"]
    labels = [names[i % 3] for i in range(N)]
    root = _root(tmp_path, {"v.npy": _x(),
                            "y.csv": "label\n" + "".join(f"{s}\n" for s in labels),
                            "q.csv": "".join(f'"{s}"\n' for s in labels)})
    for lab in ("y.csv", "q.csv"):
        ds = MultiViewTables(root, ["v.npy"], lab, label_rate=0.5, log=False)
        assert ds.classes == ["big cat", "dog", "small cat"], lab
        assert ds[0].y.tolist() == [ds.classes.index(s) for s in labels], lab


def test_space_separated_numeric_csv_still_reads(tmp_path):
    """np.savetxt writes spaces whatever the file's name."""
    x = _x(d=3)
    np.savetxt(tmp_path / "v.csv", x)
    assert np.allclose(read_table(str(tmp_path / "v.csv")).values, x)


def test_blank_lines_of_a_one_column_labels_file_are_missing_labels(tmp_path):
    """pandas writes NaN of a one-column file as an empty line: it was
    dropped, so the labels no longer matched the rows."""
    labels = ["a", "", "b", "a", "", "b"] * 2
    root = _root(tmp_path, {"v.npy": _x(), "y.csv": "label\n" + "\n".join(labels) + "\n\n"})
    ds = MultiViewTables(root, ["v.npy"], "y.csv", label_rate=1.0, val_rate=0.0,
                         test_rate=0.0, log=False)
    y = ds[0].y
    assert y.tolist() == [{"a": 0, "b": 1, "": -1}[s] for s in labels]
    assert not ds[0].train_mask[y < 0].any()


def test_index_col_for_views_leaves_a_one_column_labels_file_alone(tmp_path):
    """index_col=0 (numeric row ids in the views) took the only column of a
    labels file without ids: 'no columns left after the index column'."""
    x = _x()
    view = "".join(f"{100 + i}," + ",".join(str(float(v)) for v in row) + "\n" for i, row in enumerate(x))
    root = _root(tmp_path, {"v.csv": view, "y.csv": "".join(f"{i % 2}\n" for i in range(N))})
    ds = MultiViewTables(root, ["v.csv"], "y.csv", index_col=0, label_rate=0.5, log=False)
    assert torch.equal(ds[0].x_v, torch.from_numpy(x).float())
    assert ds[0].y.tolist() == [i % 2 for i in range(N)]


def test_an_empty_cell_is_named_as_missing_not_as_an_id(tmp_path):
    (tmp_path / "v.csv").write_text("1,2\n3,\n5,6\n")
    with pytest.raises(ValueError, match=r"v\.csv line 2, column 1 is empty: features must "
                                          r"be complete"):
        read_table(str(tmp_path / "v.csv"))


def test_a_first_row_taken_for_a_header_is_named(tmp_path):
    """A headerless view of string ids, or a first label of a class met once,
    reads as a header: the error said only '11 rows, 12'."""
    x = _x()
    view = "".join(f"s{i}," + ",".join(str(float(v)) for v in row) + "\n" for i, row in enumerate(x))
    labels = "".join(f"{['owl', 'cat', 'dog'][min(i, 1 + i % 2)]}\n" for i in range(N))
    root = _root(tmp_path, {"v.csv": view, "y.csv": "".join(f"{i % 2}\n" for i in range(N)),
                            "odd.csv": labels, "v.npy": x})
    with pytest.raises(ValueError, match=r"has 11.*first row of .*v\.csv \(0\.0, .*\) was taken "
                                         r"for a header.*header=False"):
        MultiViewTables(root, ["v.csv"], "y.csv", label_rate=0.5, log=False)
    ds = MultiViewTables(root, ["v.csv"], "y.csv", header=False, label_rate=0.5, log=False)
    assert torch.equal(ds[0].x_v, torch.from_numpy(x).float())
    with pytest.raises(ValueError, match=r"first row of .*odd\.csv \(owl\) was taken"):
        MultiViewTables(root, ["v.npy"], "odd.csv", label_rate=0.5, log=False)
    ds = MultiViewTables(root, ["v.npy"], "odd.csv", header=False, label_rate=0.5,
                         test_rate=0.0, val_rate=0.0, log=False)
    assert ds.classes == ["cat", "dog", "owl"] and ds[0].y[0] == 2


def test_a_given_index_column_is_no_header_cell(tmp_path):
    """index_col=0 (--index-col 0) said which column holds ids, but the
    header detection read every cell of the first row: a headerless view of
    string ids (s0,0.0,0.14) lost its first row, taken for a header, and the
    run stopped on 11 rows against 12. The index cell is now judged against
    the column's ids: s0 over s1, s2 is data; id over s0, or over numeric
    ids, a header, as is an empty cell (pandas)."""
    x = _x()
    view = "".join(f"s{i}," + ",".join(str(float(v)) for v in row) + "\n"
                   for i, row in enumerate(x))
    labels = "".join(f"{i % 2}\n" for i in range(N))
    root = _root(tmp_path, {"v.csv": view, "y.csv": labels})
    ds = MultiViewTables(root, ["v.csv"], "y.csv", index_col=0, label_rate=0.5, log=False)
    assert torch.equal(ds[0].x_v, torch.from_numpy(x).float())
    t = read_table(os.path.join(root, "raw", "v.csv"), index_col=0)
    assert t.header is None and t.index == [f"s{i}" for i in range(N)]
    for head, ids in (("id,0,1", [f"s{i}" for i in range(N)]), ("id,0,1", list(range(N))),
                      (",0,1", list(range(N)))):
        body = "".join(f"{i}," + ",".join(str(float(v)) for v in row) + "\n"
                       for i, row in zip(ids, x))
        (tmp_path / "h.csv").write_text(f"{head}\n{body}")
        t = read_table(str(tmp_path / "h.csv"), index_col=0)
        assert t.header == ["0", "1"] and t.index == list(map(str, ids)), head
        assert np.array_equal(t.values, x)


def test_standardize_only_centres_a_constant_column(tmp_path):
    """std > 0 was the test: 2,000 copies of 0.1 have std ~1e-17 (the mean
    is an ulp off), so the column became -1 everywhere."""
    n = 2000
    rng = np.random.default_rng(0)
    x = np.c_[np.full(n, 0.1), np.full(n, 1 / 3), rng.normal(size=n)]
    z = zscore_columns(torch.from_numpy(x))
    assert torch.equal(z[:, :2], torch.zeros(n, 2, dtype=torch.float64))
    assert torch.allclose(z[:, 2].std(), torch.tensor(1.0, dtype=torch.float64))
    root = _root(tmp_path, {"v.npy": x, "y.csv": "".join(f"{i % 4}\n" for i in range(n))})
    ds = MultiViewTables(root, ["v.npy"], "y.csv", standardize=True, log=False)
    assert (ds[0].x_v[:, :2] == 0).all()
    assert torch.equal(zscore_columns(torch.tensor([[5.0, 2.0]])), torch.zeros(1, 2))


def test_force_reload_reads_an_edit_that_kept_size_and_mtime(tmp_path):
    # inputs over 4 MiB in all (smaller ones are stamped by their contents too)
    root = _root(tmp_path, {"v.npy": _x(d=50_000),
                            "y.csv": "".join(f"{i % 2}\n" for i in range(N))})
    ds = MultiViewTables(root, ["v.npy"], "y.csv", label_rate=0.5, log=False)
    path = os.path.join(root, "raw", "y.csv")
    st = os.stat(path)
    with open(path, "w") as f:
        f.write("".join(f"{(i + 1) % 2}\n" for i in range(N)))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    stale = MultiViewTables(root, ["v.npy"], "y.csv", label_rate=0.5, log=False)
    assert torch.equal(stale[0].y, ds[0].y)  # the stamps cannot see it
    fresh = MultiViewTables(root, ["v.npy"], "y.csv", label_rate=0.5, force_reload=True,
                            log=False)
    assert torch.equal(fresh[0].y, 1 - ds[0].y)


def _graph():
    return MultiSourceData(
        x_a=torch.randn(6, 3), y=torch.arange(6), train_mask=torch.ones(6, dtype=torch.bool),
        edge_index_a=torch.tensor([[0, 5, 1], [5, 0, 2]]),
        edge_weight_a=torch.tensor([1.0, 2.0, 3.0]),
        x_f=torch.randn(9, 2), assign_f=torch.tensor([0, 0, 1, 2, 2, 2, 3, 5, 5]),
        edge_index_f=torch.tensor([[0, 3, 7], [1, 8, 8]]))


def test_subgraph_relabels_every_source():
    """PyG's subgraph relabels `edge_index` only: edge_index_a kept node 5 in
    a 3-node graph, and the finer source f kept all its units."""
    d = _graph()
    s = d.subgraph(torch.tensor([5, 0, 2]))
    assert s.num_nodes == 3 and s.y.tolist() == [5, 0, 2]
    assert torch.equal(s.x_a, d.x_a[[5, 0, 2]])
    assert s.edge_index_a.tolist() == [[1, 0], [0, 1]] and s.edge_weight_a.tolist() == [1, 2]
    # units of nodes 5, 0, 2 in the new node order
    assert torch.equal(s.x_f, d.x_f[[7, 8, 0, 1, 3, 4, 5]])
    assert s.assign_f.tolist() == [0, 0, 1, 1, 2, 2, 2]
    assert s.edge_index_f.tolist() == [[2, 4, 0], [3, 1, 1]]
    m = d.subgraph(torch.tensor([True, False, True, False, False, True]))
    assert m.y.tolist() == [0, 2, 5] and m.edge_index_a.tolist() == [[0, 2], [2, 0]]
    assert int(m.edge_index_f.max()) < m.x_f.size(0) and m.assign_f.max() < m.num_nodes
    b = Batch.from_data_list([s, m])
    assert b.num_nodes == 6 and b.assign_f[-1] == 5 and b.edge_index_a.max() == 5
    with pytest.raises(ValueError, match=r"bool mask must have shape \[6\]"):
        d.subgraph(torch.ones(4, dtype=torch.bool))


def test_space_separated_id_label_csv_is_two_columns(tmp_path):
    """An "id label" labels.csv written with spaces (np.savetxt, pandas
    sep=" ") has rows of one width and no quotes: split on whitespace, as
    before the one-column rule, not one class per row."""
    labels = ["cat" if i % 2 else "dog" for i in range(N)]
    root = _root(tmp_path, {"v.npy": _x(),
                            "y.csv": "".join(f"{i} {s}\n" for i, s in enumerate(labels))})
    ds = MultiViewTables(root, ["v.npy"], "y.csv", header=False, label_rate=0.5, log=False)
    assert ds.classes == ["cat", "dog"]
    assert ds[0].y.tolist() == [ds.classes.index(s) for s in labels]


def test_printed_table_shows_no_spread_for_one_seed_and_counts_the_seeds():
    from pyg_fusion.experiments.records import format_table
    one = {"dataset": "digits", "setting": "s", "method": "lego", "metric": "accuracy",
           "mean": 0.97, "std": 0.0, "seeds": [0], "values": [0.97]}
    two = {**one, "method": "graph-mean", "mean": 0.95, "std": 0.01, "seeds": [0, 1],
           "values": [0.94, 0.96]}
    lines = format_table([one, two]).splitlines()
    assert lines[0].split() == ["dataset", "setting", "method", "accuracy", "seeds"]
    assert lines[2].split() == ["digits", "s", "lego", "0.9700", "1"]  # was "0.9700 ± 0.0000"
    assert lines[3].split() == ["digits", "s", "graph-mean", "0.9500", "±", "0.0100", "2"]
