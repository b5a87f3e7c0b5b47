"""docs/bad_input.md and datasets/README.md state this session's refusals and
readings of tables and VAD lists: each sentence is quoted beside what the
readers do."""
from pathlib import Path

import numpy as np
import pytest

from pyg_fusion.datasets import MultiViewTables, VADFeatures, VADLayout
from pyg_fusion.datasets._io import read_table

ROOT = Path(__file__).resolve().parent.parent


def _said(page: str, quote: str) -> None:
    text = " ".join((ROOT / page).read_text(encoding="utf-8").split())
    assert quote in text, f"{page} no longer says {quote!r}: update this test"


def _tables(tmp_path, view: str, labels: str, **kw):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "v.csv").write_text(view, encoding="utf-8")
    (tmp_path / "y.csv").write_text(labels, encoding="utf-8")
    return MultiViewTables(str(tmp_path / "root"), {"v": str(tmp_path / "v.csv")},
                           str(tmp_path / "y.csv"), log=False, **kw)


VIEW = "a,b\n" + "".join(f"{i}.5,{i % 3}.25\n" for i in range(6))


def test_byte_order_marks_at_line_starts_are_dropped_as_the_readme_says(tmp_path):
    _said("datasets/README.md", "a byte-order mark is dropped at the start of the file and of "
          "any line, as files joined by `cat` hold it")
    path = tmp_path / "j.csv"
    path.write_text("\ufeff1,2\n3,4\n\ufeff5,6\n", encoding="utf-8")
    np.testing.assert_array_equal(read_table(str(path)).values, [[1, 2], [3, 4], [5, 6]])


def test_a_labels_column_of_the_same_classes_is_no_other_label(tmp_path):
    _said("datasets/README.md", "a column of the same classes (`label,label_name` over `0,cat`, "
          "`1,dog`: ids and their names) is no other label.")
    names = "label,label_name\n" + "".join(f"{i % 2},{'cd'[i % 2]}at\n" for i in range(6))
    assert _tables(tmp_path / "a", VIEW, names)[0].y.tolist() == [0, 1, 0, 1, 0, 1]
    _said("docs/bad_input.md", "a labels header that names another column than the one read "
          "as the label (`label,fold`: the fold is the last column) is refused, naming both")
    folds = "label,fold\n" + "".join(f"{i % 2},{i % 3}\n" for i in range(6))
    with pytest.raises(ValueError, match="is named 'label', but the label is read from "
                                         "column 1, 'fold'"):
        _tables(tmp_path / "b", VIEW, folds)


def test_the_tables_refusals_are_the_bad_input_pages(tmp_path):
    _said("docs/bad_input.md", "Thousands separators elsewhere (numbers grouped so, or cut into "
          "two cells at the delimiter: `1,037,2,500`) are errors naming the line and cells, and "
          "so is a header row repeated inside a file (two files joined, `cat a.csv b.csv`).")
    _said("docs/bad_input.md", "Labels of numbers holding `-1` beside classes other than `1` are "
          "an error asking whether `-1` marks an unlabelled row (`unlabelled=\"-1\"`, "
          "`--unlabelled -1`) or is a class (`unlabelled=None`, `--unlabelled none`)")
    cut = "a,b\n1,037,2,500\n2,100,3,001\n3,200,4,050\n"
    with pytest.raises(ValueError, match=r"line 2.*thousands"):
        _tables(tmp_path / "a", cut, "0\n1\n0\n")
    with pytest.raises(ValueError, match="line 4 repeats the header row"):
        _tables(tmp_path / "b", "a,b\n1.5,2\n3.5,4\na,b\n5.5,6\n", "0\n1\n0\n")
    minus = "".join(f"{(i % 4) - 1}\n" for i in range(6))
    with pytest.raises(ValueError, match=r"holds -1 beside 0, 1, 2.*--unlabelled -1, "
                                         r"--unlabelled none"):
        _tables(tmp_path / "c", VIEW, minus)


def test_the_vad_refusals_are_the_bad_input_pages(tmp_path):
    _said("docs/bad_input.md", "A list's label column holding `-1` or a fraction (`0.5`) is an "
          "error (write 0 / 1, or name the normal value of a -1 / 1 column with "
          "`--vad-normal-pattern`), and so is a test video labelled normal whose frames the "
          "concatenated ground truth marks abnormal (a list in another order than the ground "
          "truth, or a wrong label), naming the video and its frames.")
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    videos = ["Abuse001", "Normal_Videos_002"]
    for n in videos:
        np.save(raw / "i3d" / f"{n}.npy", np.ones((3, 4), np.float32) * len(n))
    np.save(raw / "gt.npy", np.array([1.0] * 6 + [0.0] * 6))

    def load(split, text, **kw):
        (raw / "list.csv").write_text(text)
        where = {"train_list" if split == "train" else "test_list": "list.csv"}
        layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, snippet_len=2, **where, **kw)
        return VADFeatures(str(tmp_path), split, layout, num_segments=None, log=False,
                           force_reload=True)
    for bad in ("-1", "0.5"):
        with pytest.raises(ValueError, match="holds -1|a fraction"):
            load("train", f"i3d/Abuse001.npy,1\ni3d/Normal_Videos_002.npy,{bad}\n",
                 labels="list")
    assert len(load("test", "i3d/Abuse001.npy\ni3d/Normal_Videos_002.npy\n", gt="gt.npy")) == 2
    with pytest.raises(ValueError, match=r"'Normal_Videos_002' .* is normal \(its label\), but "
                                         r"its ground truth \(frames 0..5 of gt.npy\)"):
        load("test", "i3d/Normal_Videos_002.npy\ni3d/Abuse001.npy\n", gt="gt.npy")


def test_caches_of_other_code_are_in_the_bad_input_page():
    _said("docs/bad_input.md", "the caches of the same options that other code left there are "
          "named, with their size, in a notice, not removed)")
    _said("datasets/README.md", "Caches of the same options made by other code (each release "
          "or edit of it writes one more) are named, with their size, in a notice "
          "(`PygFusionNotice`) when a new one is written, and not removed")


def test_an_empty_method_is_refused_as_the_page_says(capsys):
    _said("docs/bad_input.md", "an empty `--method` (`--method \"$METHOD\"` of an unset variable, "
          "`method: []` in a config), repeated `--seeds`")
    from pyg_fusion.cli import main
    for command in (["train"], ["compare"], ["evaluate"]):
        with pytest.raises(SystemExit) as err:
            main([*command, "--method", ""])
        assert err.value.code == 2
        assert "argument --method: expected a method name, got ''" in capsys.readouterr().err
