"""What the docs say of tables, feature lists and their caches
(datasets/README.md, docs/bad_input.md), held to the code."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


@pytest.mark.parametrize("head,rows,index_col,read", [
    ("a,b", "1,0.5,0.25\n2,0.1,0.2\n", "auto", True),    # R's row names
    ("a,b", "1.5,0.5,0.25\n2.5,0.1,0.2\n", "auto", False),  # a fraction: no row names
    ("a,b", "1,0.5,0.25\n1,0.1,0.2\n", "auto", False),    # repeated: no row names
    ("a,b", "1,0.5,0.25\n1,0.1,0.2\n", 0, True),          # index_col=0 says so
    ("a,b", "1,0.5,0.25\n2,0.1,0.2\n", None, False),
    ("a,b,c,", "1,0.5,0.25\n2,0.1,0.2\n", "auto", False),  # a delimiter at the end
    ("a,b,c,d", "1,0.5,0.25\n2,0.1,0.2\n", "auto", False),
])
def test_a_header_of_another_width_is_read_as_the_tables_pages_say(tmp_path, head, rows,
                                                                   index_col, read):
    # 952b466: a header of another width than the rows is refused naming both
    # widths, but one short over row names (R's write.table)
    for page in ("datasets/README.md", "docs/bad_input.md"):
        assert "R's `write.table`" in _page(page) and "both widths" in _page(page), page
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    path.write_text(f"{head}\n{rows}")
    if read:
        assert read_table(str(path), index_col=index_col).values.shape == (2, 2)
    else:
        with pytest.raises(ValueError, match=r"header row names \d column\(s\), its data rows "
                                             r"hold 3 fields"):
            read_table(str(path), index_col=index_col)


@pytest.mark.parametrize("text,said", [
    ("1.234,5;2\n2.345,5;3\n", "thousands are separated by a dot"),
    ("1.234.567;2\n2.345.678;3\n", "thousands are separated by a dot"),
    ("1,5;1.234\n2,5;2.345\n", "decimal=',', thousands='.'"),
    ("1.234,2\n2.345,3\n", None),  # 1.234 alone is 1.234
])
def test_dots_grouping_thousands_are_as_the_tables_pages_say(tmp_path, text, said):
    # fa63bba: a dot's thousands refused where they show, 1.234 alone read
    assert "or by a dot where it shows (`1.234.567`, `1.234,5`; `1.234` alone is 1.234)" \
        in _page("datasets/README.md")
    assert "`pandas.read_csv(path, sep=..., decimal=\",\", thousands=\".\")` reads both" \
        in _page("datasets/README.md")
    assert "grouped by a space, an apostrophe or a dot (`1 037`, `1'037`, `1.234,5`)" \
        in _page("docs/bad_input.md")
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    path.write_text(text)
    if said is None:
        assert read_table(str(path)).values.tolist() == [[1.234, 2.0], [2.345, 3.0]]
    else:
        with pytest.raises(ValueError, match=re.escape(said)):
            read_table(str(path))


def test_vad_class_ids_are_refused_as_the_pages_say(tmp_path):
    # f9324ce: a list's label column 1 / 2 refused under labels="list" too;
    # f7a3f92: a test video's class index refused, saying how to convert it
    assert ("A label column of two or more numbers none of them 0 (`1` / `2`: class ids counted "
            "from 1) is an error under `labels=\"list\"` too") in _page("datasets/README.md")
    bad_input = _page("docs/bad_input.md")
    assert ("A label column of two or more numbers without 0 (`1` / `2`: class ids counted from "
            "1) is refused with `--vad-labels list` too") in bad_input
    assert "A test video built in Python whose `y` is a class index (UCF-Crime's 0..13)" in bad_input
    import numpy as np
    import torch
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.datasets import VADFeatures
    from pyg_fusion.training.vad_split import check_test_videos
    (tmp_path / "raw" / "f").mkdir(parents=True)
    (tmp_path / "raw" / "list").mkdir()
    for i in range(4):
        np.save(tmp_path / "raw" / "f" / f"v{i}.npy", np.ones((8, 3), np.float32))
    (tmp_path / "raw" / "list" / "train.csv").write_text(
        "".join(f"f/v{i}.npy,{1 + i % 2}\n" for i in range(4)))
    kw = dict(sources={"a": "f/{name}.npy"}, train_list="list/train.csv", log=False)
    with pytest.raises(ValueError, match=r"holds the numbers 1, 2 and no 0"):
        VADFeatures(str(tmp_path), "train", labels="list", **kw)
    ds = VADFeatures(str(tmp_path), "train", labels="list", normal_pattern="^1$", **kw)
    assert [int(d.y) for d in ds] == [0, 1, 0, 1]
    # eec9f1e: class ids asked which is normal; a named number is the only normal one
    assert ("So is a column of more than two numbers (class ids: UCF-Crime's 0..13, whose "
            "alphabetical numbering makes 0 `Abuse`) unless `normal_pattern` names one of them"
            ) in _page("datasets/README.md")
    assert "unless `--vad-normal-pattern` names one of them, which is then the only normal" \
        in bad_input
    (tmp_path / "raw" / "list" / "train.csv").write_text(
        "".join(f"f/v{i}.npy,{c}\n" for i, c in enumerate((0, 2, 7, 2))))
    with pytest.raises(ValueError, match=r"holds 3 numbers \(0, 2, 7\): class ids\?"):
        VADFeatures(str(tmp_path), "train", labels="list", force_reload=True, **kw)
    ds = VADFeatures(str(tmp_path), "train", labels="list", normal_pattern="^7$",
                     force_reload=True, **kw)
    assert [int(d.y) for d in ds] == [1, 1, 0, 1]
    videos = [MultiSourceData(x_a=torch.zeros(8, 3), y=torch.tensor([y]), video=str(y),
                              frame_gt=torch.tensor([0, 1] * 8)) for y in (1, 7)]
    with pytest.raises(ValueError, match=r"a class index\?.*attribute of its own"):
        check_test_videos(videos)


def test_a_view_column_of_the_labels_is_noticed_as_the_pages_say(tmp_path):
    # 4a69d37: label leakage is a notice naming the view, column and header
    assert ("A view column that holds the labels (a table exported with its label column) or a "
            "code of them (`1 - y`, one number per class of text labels) gives a notice "
            "(`PygFusionNotice`) naming the view, the file's column and its header name"
            ) in _page("datasets/README.md")
    assert ("a view column that holds the labels or a code of them (`1 - y`) is a notice naming "
            "the view and the column (label leakage), not an error") in _page("docs/bad_input.md")
    from pyg_fusion import PygFusionNotice
    from pyg_fusion.datasets import MultiViewTables
    raw = tmp_path / "raw"
    raw.mkdir()
    y = [0, 1, 2] * 4
    (raw / "v.csv").write_text("a,b,c\n" + "".join(f"{i * 0.37 % 1:.3f},{i},{1 - c}\n"
                                                   for i, c in enumerate(y)))
    (raw / "y.csv").write_text("".join(f"{c}\n" for c in y))
    with pytest.warns(PygFusionNotice, match=r"view 'v': column 2 \('c'\) .*label leakage"):
        data = MultiViewTables(str(tmp_path), ["v.csv"], "y.csv", log=False)[0]
    assert data.x_v.shape == (12, 3)


def test_small_inputs_are_stamped_by_their_contents_as_the_pages_say(tmp_path):
    # d1bdbc9: a same-size edit with its time kept re-processes inputs of
    # 4 MiB or less in all (larger ones: test_docs_s32d_datasets_readme)
    import os
    import torch
    assert ("Smaller inputs (tables, lists, labels, small generated sets) are stamped by their "
            "contents too, so such an edit re-processes them.") in _page("datasets/README.md")
    assert ("A cache knows its input files by size and modification time, and by their contents "
            "too where they hold 4 MiB or less in all") in _page("docs/bad_input.md")
    from pyg_fusion.datasets import MultiViewTables
    raw = tmp_path / "raw"
    raw.mkdir()
    old = "".join(f"{i}.5,{i}.25\n" for i in range(6))
    (raw / "a.csv").write_text(old)
    (raw / "y.csv").write_text("0\n1\n0\n1\n0\n1\n")
    MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)
    stat = os.stat(raw / "a.csv")
    (raw / "a.csv").write_text(old.replace(".5,", ".7,"))  # same size, other values
    os.utime(raw / "a.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    x = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)[0].x_a
    assert torch.allclose(x[:, 0], torch.arange(6) + 0.7)


def test_comma_numbers_in_column_0_and_digit_separators_are_as_the_page_says(tmp_path):
    # 61c9c97: comma numbers in column 0 refused (they were dropped as ids);
    # '_' is no digit separator: 1_2 is an id, 1_000 no number
    said = _page("datasets/README.md")
    assert "is an error saying so, in column 0 too (such numbers are no row ids" in said
    assert "`1_2` too: Python's digit separator `_` is not read" in said
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    for text in ("1,5;2\n2,5;3\n", '"1,5",2\n"2,5",3\n'):
        path.write_text(text)
        with pytest.raises(ValueError, match="a number with a comma inside"):
            read_table(str(path))
    path.write_text("id,x\n1_1,0.5\n1_2,0.7\n")
    table = read_table(str(path))
    assert table.index == ["1_1", "1_2"] and table.values.tolist() == [[0.5], [0.7]]


def test_compressed_tables_and_features_first_are_as_the_pages_say(tmp_path):
    # ca27422: gzip read by its mark, other compressions refused by name;
    # bcb28ac: [F, T] feature files named at the video that shows them
    import gzip
    said = _page("datasets/README.md")
    assert "Text compressed with gzip is read whatever the file's name (with or without its " \
        "`.gz`)" in said
    assert "files saved features first (`[F, T]`, MATLAB's column order" in said
    assert "saved features first (`[F, T]`, read as `[T, F]`: save each as `a.T`)" \
        in _page("docs/bad_input.md")
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    path.write_bytes(gzip.compress(b"1.5,2\n2.5,3\n"))
    assert read_table(str(path)).values.tolist() == [[1.5, 2.0], [2.5, 3.0]]
    import bz2
    path = tmp_path / "b.csv.bz2"
    path.write_bytes(bz2.compress(b"1.5,2\n2.5,3\n"))
    with pytest.raises(ValueError, match="bzip2"):
        read_table(str(path))


def test_classes_differing_in_case_are_as_the_page_says(tmp_path):
    # ac2f731: two classes, with a notice naming both names
    assert ("names that differ only in case, `Yes` / `yes`, stay two classes, with a notice naming "
            "the file and both names") in _page("datasets/README.md")
    from pyg_fusion import PygFusionNotice
    from pyg_fusion.datasets import MultiViewTables
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "v.csv").write_text("".join(f"{i * 0.37 % 1:.3f},{i * 0.11 % 1:.3f}\n"
                                       for i in range(9)))
    (raw / "y.csv").write_text("".join(f"{c}\n" for c in ["Yes", "yes", "no"] * 3))
    with pytest.warns(PygFusionNotice, match="'Yes' and 'yes' differ only in case"):
        ds = MultiViewTables(str(tmp_path), ["v.csv"], "y.csv", log=False)
    assert len(ds.classes) == 3


def test_a_vad_list_with_pandas_index_is_read_as_the_page_says(tmp_path):
    # 557d4fa: ',path,label' over '0,f/v0.npy,0' is read without the index column
    assert ("a list written by pandas' `to_csv` with its index (`,path,label` over "
            "`0,i3d/a.npy,0`: an empty first header cell over whole numbers) is read without "
            "that column") in _page("datasets/README.md")
    import numpy as np
    from pyg_fusion.datasets import VADFeatures
    (tmp_path / "raw" / "f").mkdir(parents=True)
    (tmp_path / "raw" / "list").mkdir()
    for i in range(4):
        np.save(tmp_path / "raw" / "f" / f"v{i}.npy", np.ones((8, 3), np.float32))
    (tmp_path / "raw" / "list" / "train.csv").write_text(
        ",path,label\n" + "".join(f"{i},f/v{i}.npy,{i % 2}\n" for i in range(4)))
    ds = VADFeatures(str(tmp_path), "train", sources={"a": "f/{name}.npy"},
                     train_list="list/train.csv", labels="list", log=False)
    assert [int(d.y) for d in ds] == [0, 1, 0, 1]


def test_a_column_0_of_ip_addresses_is_ids_as_the_page_says(tmp_path):
    # 15bd61a: grouped numbers in column 0 are refused only where every cell is a number
    assert ("where every cell of it is a number in some writing (a column of IP addresses, "
            "`192.168.100.200` beside `10.0.0.1`, which is none, is ids)"
            ) in _page("datasets/README.md")
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "flows.csv"
    path.write_text("ip,a,b\n10.0.0.1,1.5,2\n192.168.100.200,2.5,3\n")
    assert read_table(str(path)).index == ["10.0.0.1", "192.168.100.200"]
