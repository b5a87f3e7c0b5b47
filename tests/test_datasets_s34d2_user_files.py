"""A user's own files read as they were meant, or refused with a reason:
never a column silently dropped or a value silently changed."""
import numpy as np
import pytest

from pyg_fusion.datasets._io import read_table


@pytest.mark.parametrize("mark", [" ", "'", "\u00a0"])
@pytest.mark.parametrize("header", ["price,weight\n", ""])
def test_a_first_column_of_grouped_thousands_is_no_index(tmp_path, mark, header):
    # none of '1 037', "1'037" is a number to float(): column 0 was taken for
    # row ids and dropped, shape (4, 1) (without a header, its first row a header)
    path = tmp_path / "a.csv"
    path.write_text(header + "".join(f"{a}{mark}{b},{w}\n" for a, b, w in
                                     [(1, "037", 5.5), (2, 500, 6.5), (3, 120, 7.5)]),
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"line \d holds .*037.*thousands are separated"
                                         r".*index_col=0"):
        read_table(str(path))
    # the way out for ids that look so
    table = read_table(str(path), index_col=0, header=bool(header))
    assert table.values.shape == (3, 1) and table.index[0] == f"1{mark}037"


def test_string_ids_in_column_0_are_still_an_index(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,a\ns 1,5.5\ns 2,6.5\n", encoding="utf-8")
    table = read_table(str(path))
    assert table.index == ["s 1", "s 2"]
    np.testing.assert_array_equal(table.values, [[5.5], [6.5]])


@pytest.mark.parametrize("name,text,how", [
    ("w.arff", "@relation w\n@attribute a numeric\n@data\n1.5\n", "scipy.io.arff.loadarff"),
    ("w.svm", "1 3:0.5 7:1.25\n0 1:2\n", "sklearn.datasets.load_svmlight_file"),
    ("w.libsvm", "1 3:0.5 7:1.25\n0 1:2\n", "sklearn.datasets.load_svmlight_file")])
def test_arff_and_svmlight_files_are_refused_with_how_to_convert(tmp_path, name, text, how):
    # read as text they failed on '@relation' or 'index:value' cells, a width error
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{name} is a .*, which is not read: .*{how}"):
        read_table(str(path))


@pytest.mark.parametrize("head", ["y", "id,y"])
def test_a_labels_header_repeated_mid_file_is_named(tmp_path, head):
    # two labels files joined (cat): their header 'y' occurs twice, so it is a
    # value to header='auto', and the error said only the row counts
    from pyg_fusion.datasets import MultiViewTables
    view = tmp_path / "v.csv"
    view.write_text("a,b\n" + "".join(f"{i}.5,{i}.25\n" for i in range(6)), encoding="utf-8")
    ids = head.startswith("id")
    part = "".join(f"{'s%d,' % i if ids else ''}{i % 2}\n" for i in range(3))
    labels = tmp_path / "y.csv"
    labels.write_text(f"{head}\n{part}{head}\n{part}", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"has 8; line 5 of .*y.csv repeats its first row "
                                         rf"\({head}\): files joined one after another"):
        MultiViewTables(str(tmp_path / "root"), {"v": str(view)}, str(labels), log=False)


def test_the_two_standard_deviations_are_the_ones_the_pages_name():
    # node datasets' standardize=True: sample std; StandardizeSources.fit: population std
    import pathlib

    import torch

    from pyg_fusion.datasets import StandardizeSources
    from pyg_fusion.datasets.standardize import zscore_columns
    x = torch.tensor([[0.0], [1.0], [2.0]], dtype=torch.float64)
    assert zscore_columns(x).view(-1).tolist() == [-1.0, 0.0, 1.0]
    assert torch.isclose(StandardizeSources.fit({"a": x}).stats("a")[1],
                         torch.tensor([(2 / 3) ** 0.5])).all()
    page = " ".join((pathlib.Path(__file__).parents[1] / "datasets" / "README.md")
                    .read_text(encoding="utf-8").split())
    assert "with the sample standard deviation (divided by n - 1" in page
    assert "whose standard deviation is the population one (divided by n" in page
    assert "mean and population standard deviation (divided by n" in page


def test_caches_of_other_code_are_named_in_a_notice(tmp_path, monkeypatch):
    # each version of the data code wrote its own cache of the same options and
    # nothing said so (130 MB of digits caches after a few); kept, as another
    # version may share the root, but named
    import os

    import pyg_fusion.datasets._cache_names as cache_names
    from pyg_fusion import PygFusionNotice
    from pyg_fusion.datasets import MultiViewTables
    view, labels = tmp_path / "v.csv", tmp_path / "y.csv"
    view.write_text("a,b\n" + "".join(f"{i}.5,{i}.25\n" for i in range(6)), encoding="utf-8")
    labels.write_text("y\n0\n1\n0\n1\n0\n1\n", encoding="utf-8")

    def load(**kw):
        return MultiViewTables(str(tmp_path / "root"), {"v": str(view)}, str(labels),
                               log=False, **kw)
    load()
    first = sorted(os.listdir(tmp_path / "root" / "processed"))
    # another version's code: its hash, for the cache's name and the notice alike
    monkeypatch.setattr(cache_names, "_code_hash", lambda package: "0123456789")
    with pytest.warns(PygFusionNotice, match=r"holds 1 cache file\(s\) of these options made "
                                             r"by other versions .*: delete them unless"):
        load()
    now = sorted(os.listdir(tmp_path / "root" / "processed"))
    assert set(first) < set(now) and any("_0123456789_" in f for f in now)
    # other options: a cache of their own, no notice of the other code's
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", PygFusionNotice)
        load(label_rate=0.5)


def test_a_first_column_of_categories_is_no_index(tmp_path):
    # no cell of column 0 is a number, so it was taken for row ids and dropped
    # without a word: shape (6, 1), where the same column second was refused
    path = tmp_path / "a.csv"
    path.write_text("color,size\n" + "".join(f"{c},{i}\n" for i, c in
                                           enumerate(["red", "blue"] * 3)), encoding="utf-8")
    with pytest.raises(ValueError, match=r"column 0 holds no number, which makes it row ids, "
                                         r"but 'red' is on lines 2 and 4: a feature of "
                                         r"categories\?.*index_col=0"):
        read_table(str(path))
    assert read_table(str(path), index_col=0).values.shape == (6, 1)
    # a header naming ids, or pandas' unnamed index, keeps them as ids
    for head in ("id,size\n", ",size\n"):
        path.write_text(head + "s1,1\ns1,2\n", encoding="utf-8")
        assert read_table(str(path)).index == ["s1", "s1"]


def test_a_labels_header_naming_another_column_the_label_is_refused(tmp_path):
    # 'label,fold': the last column (the fold) was every node's class, silently
    from pyg_fusion.datasets import MultiViewTables
    view, labels = tmp_path / "v.csv", tmp_path / "y.csv"
    view.write_text("a,b\n" + "".join(f"{i}.5,{i}.25\n" for i in range(6)), encoding="utf-8")
    labels.write_text("label,fold\n" + "".join(f"{i % 2},{i % 3}\n" for i in range(6)),
                      encoding="utf-8")

    def load(**kw):
        return MultiViewTables(str(tmp_path / "root"), {"v": str(view)}, str(labels),
                               log=False, **kw)[0]
    with pytest.raises(ValueError, match=r"column 0 is named 'label', but the label is read "
                                         r"from column 1, 'fold': pass label_column=0"):
        load()
    assert load(label_column=0).y.tolist() == [0, 1, 0, 1, 0, 1]
    labels.write_text("id,fold,y\n" + "".join(f"s{i},{i % 3},{i % 2}\n" for i in range(6)),
                      encoding="utf-8")
    assert load().y.tolist() == [0, 1, 0, 1, 0, 1]
