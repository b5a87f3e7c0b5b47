"""datasets/README.md states how a user's files are read as this session's
readers read them: pandas' header of column numbers, UTF-16 text, the
formats refused by name, the labels file as a view and a class per row,
quoted VAD lists, crops-first feature files, and a cache that knows its
input files by size and modification time only."""
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import MultiViewTables

PAGE = Path(__file__).resolve().parent.parent / "datasets" / "README.md"


def _text() -> str:
    return " ".join(PAGE.read_text().split())


def _root(tmp_path, files):
    (tmp_path / "raw").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (tmp_path / "raw" / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(tmp_path)


LABELS = "".join(f"{i % 2}\n" for i in range(6))


def test_a_header_of_column_numbers_is_read_as_the_page_says(tmp_path):
    # the page said 'pass header=True for a header of column numbers', which
    # 6b53f40 detects over decimals and asks about over whole numbers
    text = _text()
    assert "pass `header=True` for a header of column numbers" not in text
    assert ("A first row of the column numbers `0,1,...,d-1` (the header pandas writes for "
            "unnamed columns, `DataFrame(X).to_csv(index=False)`) is a header over rows of "
            "other numbers") in text
    assert "error asking which: `header=True` or `header=False` (`--header`, `--no-header`)" \
        in text
    decimals = "0,1\n" + "".join(f"{i}.5,{i}.25\n" for i in range(6))
    ds = MultiViewTables(_root(tmp_path / "d", {"a.csv": decimals, "y.csv": LABELS}),
                         ["a.csv"], "y.csv", log=False)
    assert ds[0].num_nodes == 6
    whole = "0,1\n" + "".join(f"{i % 2},{(i + 1) % 2}\n" for i in range(6))
    with pytest.raises(ValueError, match=r"header=True or header=False \(pyg-fusion: "
                                         r"--header, --no-header\)"):
        MultiViewTables(_root(tmp_path / "w", {"a.csv": whole, "y.csv": LABELS}),
                        ["a.csv"], "y.csv", log=False)


def test_the_refused_formats_are_the_readers_list(tmp_path):
    # the page lists the suffixes that read_table refuses by name: the same set
    from pyg_fusion.datasets._io import _NOT_TABLES
    bullet = _text().split("- Files: ", 1)[1].split(" - Header row", 1)[0]
    listed = set(re.findall(r"`(\.\w+)`", bullet.split("are refused by name")[0]))
    assert listed == set(_NOT_TABLES)
    assert "UTF-16 with its byte-order mark (Excel's \"Unicode Text\", tab-separated)" in bullet
    features = "".join(f"{i}.5\t{i}.25\n" for i in range(6))
    got = MultiViewTables(_root(tmp_path / "u", {"a.txt": features.encode("utf-16"),
                                                 "y.txt": LABELS.encode("utf-16")}),
                          ["a.txt"], "y.txt", log=False)[0]
    assert got.num_nodes == 6 and torch.allclose(got.x_a[:, 1], torch.arange(6) + 0.25)
    root = _root(tmp_path / "x", {"book.xlsx": b"PK\x03\x04", "y.csv": LABELS})
    with pytest.raises(ValueError, match=r"book.xlsx is an Excel workbook, which is not read"):
        MultiViewTables(root, ["book.xlsx"], "y.csv", log=False)
    np.save(tmp_path / "x" / "raw" / "c.npy", np.ones((6, 2), dtype=np.complex64))
    assert "A `.npy` / `.npz` of complex numbers is refused" in bullet
    with pytest.raises(ValueError, match="complex"):
        MultiViewTables(root, ["c.npy"], "y.csv", log=False)


def test_the_labels_refusals_are_the_pages(tmp_path):
    text = _text()
    assert ("The labels file given as a view too (`--views data/*.csv` with the labels among "
            "them) is refused") in text
    assert ("Labels that give each of more than two labelled rows a class of its own "
            "(continuous values, a regression target) are refused") in text
    features = "".join(f"{i}.5,{i}.25\n" for i in range(6))
    root = _root(tmp_path, {"a.csv": features, "y.csv": LABELS,
                            "r.csv": "".join(f"{i * 0.37 - 0.9:.3f}\n" for i in range(6))})
    with pytest.raises(ValueError, match="is the labels file"):
        MultiViewTables(root, ["a.csv", "y.csv"], "y.csv", log=False)
    with pytest.raises(ValueError, match="a class of its own"):
        MultiViewTables(root, ["a.csv"], "r.csv", log=False)


def test_a_quoted_vad_list_and_crops_first_files_are_as_the_page_says(tmp_path):
    from pyg_fusion.datasets import VADFeatures, VADLayout
    from pyg_fusion.datasets.vad_layout import check_crop_axis
    text = _text()
    assert "quotes are removed and a quoted comma kept (`\"a,b.npy\"`" in text
    assert "files saved crops first (`[crops, T, F]`, which would read as `[T, crops, F]`" in text
    raw = tmp_path / "raw"
    (raw / "f").mkdir(parents=True)
    for n in ("a,b", "Normal1"):
        np.save(raw / "f" / f"{n}.npy", np.ones((4, 3), np.float32))
    (raw / "l.csv").write_text('"f/a,b.npy","Abuse"\n"f/Normal1.npy","Normal"\n')
    layout = VADLayout(sources={"f": "f/{name}.npy"}, train_list="l.csv", labels="list",
                       normal_pattern="Normal")
    ds = VADFeatures(str(tmp_path), "train", layout, num_segments=2, log=False)
    assert [(g.video, int(g.y)) for g in ds] == [("a,b", 1), ("Normal1", 0)]
    # the header words the page lists are the reader's
    from pyg_fusion.datasets._vad_lists import _LIST_HEADER
    said = text.split("A first line whose cells are all header words (", 1)[1].split(";")[0]
    assert set(re.findall(r"`(\w+)`", said)) == _LIST_HEADER
    seen = {}
    check_crop_axis(seen, {"i3d": np.zeros((10, 30, 4))}, "video 'a'")
    with pytest.raises(ValueError, match=r"np.swapaxes\(a, 0, 1\)"):
        check_crop_axis(seen, {"i3d": np.zeros((10, 41, 4))}, "video 'b'")


def test_a_same_size_copy_with_its_time_kept_loads_the_old_cache(tmp_path):
    # the stamps are size and mtime (options_hash): the page says what that
    # misses and that force_reload=True is the remedy
    text = _text()
    assert ("an edit that keeps both (a file of the same size copied over it with its time, "
            "by `cp -p`, `tar -x` or `rsync -t`) loads the cache of the old contents; pass "
            "`force_reload=True` after such a copy") in text
    old = "".join(f"{i}.5,{i}.25\n" for i in range(6))
    root = _root(tmp_path, {"a.csv": old, "y.csv": LABELS})
    # inputs of 4 MiB or less in all are stamped by their contents too
    np.save(tmp_path / "raw" / "big.npy", np.zeros((6, 90_000)))
    views = ["a.csv", "big.npy"]
    path = tmp_path / "raw" / "a.csv"
    first = MultiViewTables(root, views, "y.csv", log=False)[0].x_a.clone()
    stat = os.stat(path)
    path.write_text(old.replace(".5,", ".7,"))  # same size, other values
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(path).st_size == stat.st_size
    stale = MultiViewTables(root, views, "y.csv", log=False)[0].x_a
    assert torch.equal(stale, first)
    fresh = MultiViewTables(root, views, "y.csv", force_reload=True, log=False)[0].x_a
    assert torch.allclose(fresh[:, 0], torch.arange(6) + 0.7)


def test_readme_own_tables_says_what_the_reader_refuses_and_asks():
    # README's summary of how a user's files are read, beside datasets/README.md's
    # rules that the tests above check against the reader
    readme = " ".join((PAGE.parent.parent / "README.md").read_text().split())
    part = readme[readme.index("<!-- section:own-tables -->"):
                  readme.index("<!-- /section:own-tables -->")]
    for said in ("a header of column numbers `0,1,...` over whole numbers asked about: "
                 "`--header` or `--no-header`", "labels mapped to classes, continuous values "
                 "refused", "UTF-8 or UTF-16, `.npy` or `.npz`, workbooks refused"):
        assert said in part, said


def test_a_pre_transforms_module_constant_names_its_cache_as_the_page_says():
    from pyg_fusion.datasets._identity import callable_identity
    assert ("and the module-level values its code reads, such as a `SCALE = 2.0` of your "
            "script") in _text()
    assert ("A function imported from another module, a class given itself (not an object of "
            "it), a base class from another module (PyG's `BaseTransform`) and a module are "
            "known by name only: after editing their code, pass `force_reload=True`") in _text()
    ids = []
    for scale in (1.0, 2.0):
        namespace = {"__name__": "user_script", "SCALE": scale}
        exec("def pre_transform(data):\n    data.x_a = data.x_a * SCALE\n    return data\n",
             namespace)
        ids.append(callable_identity(namespace["pre_transform"]))
    assert ids[0] != ids[1]


def test_the_pages_data_code_list_is_data_code():
    # the page listed 5 of DATA_CODE's 9 entries: an edit of _loading.py or
    # _scatter.py also makes new caches, which it did not say
    from pyg_fusion.datasets._cache_names import DATA_CODE
    said = _text().split("(`DATA_CODE` in `pyg_fusion/datasets/_cache_names.py`: ", 1)[1].split(")")[0]
    listed = set(re.findall(r"`([\w./]+)`", said))
    assert listed == {p.replace("*.py", "").rstrip("/") + ("/" if "*" in p else "")
                      for p in DATA_CODE}


def test_pandas_written_views_and_labels_read_as_the_page_says(tmp_path):
    # DataFrame(X).to_csv / Series(y).to_csv, both with index=False: the
    # labels' header '0' reads as a label; the error names header=True
    pd = pytest.importorskip("pandas")
    assert ("the `0` that pandas writes over an unnamed labels column "
            "(`Series(y).to_csv(index=False)`) is a label like the others, so the files differ "
            "by one row and the error says to pass `header=True` (`--header`)") in _text()
    (tmp_path / "raw").mkdir()
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.normal(size=(12, 3))).to_csv(tmp_path / "raw" / "a.csv", index=False)
    pd.Series(np.arange(12) % 2).to_csv(tmp_path / "raw" / "y.csv", index=False)
    with pytest.raises(ValueError, match=r"pass header=True \(pyg-fusion: --header\)"):
        MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)
    data = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", header=True, log=False)[0]
    assert data.num_nodes == 12 and data.y.tolist() == [i % 2 for i in range(12)]


def test_readme_says_how_to_name_a_view_whose_file_name_is_no_name(tmp_path, capsys):
    from pyg_fusion.cli import main
    readme = " ".join((PAGE.parent.parent / "README.md").read_text().split())
    assert ("a name is letters, digits or `_`, so a file such as `my-view.csv` is given one: "
            "`my_view=my-view.csv`") in readme
    data = tmp_path / "d"
    data.mkdir()
    np.savetxt(data / "my-view.csv", np.random.default_rng(0).normal(size=(30, 2)),
               delimiter=",")
    np.savetxt(data / "y.csv", np.arange(30) % 2, fmt="%d")
    run = ["train", "--dataset", "tables", "--labels", str(data / "y.csv"), "--root",
           str(tmp_path / "c"), "--method", "graph-mean", "--epochs", "1", "--no-progress",
           "--threads", "1", "--out", str(tmp_path / "o"), "--views"]
    assert main([*run, str(data / "my-view.csv")]) == 2
    assert "'my-view' must be letters, digits or '_'" in capsys.readouterr().err
    assert main([*run, f"my_view={data / 'my-view.csv'}"]) == 0
