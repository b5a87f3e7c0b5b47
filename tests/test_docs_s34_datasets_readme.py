"""datasets/README.md states how a VAD list's labels and a view's thousands
separators read as the readers read them: each statement is quoted (so that
it cannot be edited away unnoticed) beside what the readers do."""
from pathlib import Path

import numpy as np
import pytest

from pyg_fusion.datasets import MultiViewTables, VADFeatures, VADLayout

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Abuse001", "Normal002", "Arson003", "Normal004"]


def _said():
    return " ".join((ROOT / "datasets" / "README.md").read_text().split())


def _labels(tmp_path, text, labels="list"):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for n in NAMES:
        np.save(raw / "i3d" / f"{n}.npy", rng.normal(size=(5, 8)).astype(np.float32))
    (raw / "train.csv").write_text(text)
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.csv",
                       labels=labels)
    ds = VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False,
                     force_reload=True)
    return [int(g.y) for g in ds]


def _lines(normal, abnormal, sep=","):
    return "".join(f"i3d/{n}.npy{sep}{normal if 'Normal' in n else abnormal}\n" for n in NAMES)


def test_vad_list_labels_read_as_the_readme_says(tmp_path):
    said = _said()
    assert ("`false`, `no`, `n` (an `is_anomaly` column of yes / no) or `A`" in said)
    assert ("A label column holding `-1` (normal to a -1 / 1 classifier, an anomaly to "
            "scikit-learn's outlier detectors) or a fraction (`0.5`) is an error: write 0 "
            "(normal) / 1 (abnormal), or, for -1," in said)
    assert ("a list whose every line is a `.npy` path, a space and a label (`i3d/a.npy 1`) is "
            "split on spaces" in said)
    assert _labels(tmp_path / "a", _lines("no", "yes")) == [1, 0, 1, 0]
    assert _labels(tmp_path / "b", _lines("n", "y")) == [1, 0, 1, 0]
    assert _labels(tmp_path / "c", _lines("0", "1", sep=" ")) == [1, 0, 1, 0]
    for normal, abnormal in (("1", "-1"), ("0", "0.5")):
        with pytest.raises(ValueError, match="label column holds"):
            _labels(tmp_path / f"d{abnormal}", _lines(normal, abnormal))


@pytest.mark.parametrize("rows", [["5,1 037", "6,2 100", "7,3 200"],
                                  ["1,037,2,500", "2,100,3,001", "3,200,4,050"]])
def test_thousands_separators_are_refused_as_the_readme_says(tmp_path, rows):
    assert ("So are thousands separators: numbers grouped by a space, a no-break space or an "
            "apostrophe (`1 037`, `1'037`), or by a dot where it shows (`1.234.567`, `1.234,5`; "
            "`1.234` alone is 1.234), and numbers cut into two cells at a separator that "
            "is the delimiter (`1,037,2,500`" in _said())
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "v.csv").write_text("\n".join(["a,b", *rows]) + "\n")
    (raw / "y.csv").write_text("0\n1\n0\n")
    with pytest.raises(ValueError, match="thousands"):
        MultiViewTables(str(tmp_path), {"v": "v.csv"}, "y.csv", log=False)


def test_the_unlabelled_option_is_as_the_pages_say(tmp_path):
    assert ("and so does the label that `unlabelled` names (`unlabelled=\"-1\"`, scikit-learn's "
            "semi-supervised mark; `--unlabelled -1`). With `unlabelled=\"auto\"` (the default) "
            "labels of numbers holding `-1` beside others than `1`" in _said())
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "`--unlabelled LABEL|none|auto` (a label that marks a row without one" in readme
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "v.csv").write_text("".join(f"{i}.5,{i % 3}.25\n" for i in range(9)))
    (raw / "y.csv").write_text("".join(f"{(i % 4) - 1}\n" for i in range(9)))
    with pytest.raises(ValueError, match="unlabelled"):
        MultiViewTables(str(tmp_path), {"v": "v.csv"}, "y.csv", log=False)
    data = MultiViewTables(str(tmp_path), {"v": "v.csv"}, "y.csv", unlabelled="-1",
                           log=False, label_rate=1.0, val_rate=0.0, test_rate=0.0)[0]
    assert int((data.y == -1).sum()) == 3


def test_zero_labels_savetxt_lines_and_test_video_labels_are_as_the_pages_say(tmp_path):
    said = _said()
    assert "or is `0` (in any form: `0.00`, `0e0`), `false`, `no`, `n`" in said
    assert _labels(tmp_path / "z", _lines("0.00", "1.00")) == [1, 0, 1, 0]
    assert ("`np.savetxt`'s `# ` lines: of a block of them at the head of a file, the last whose "
            "cell count is the data's is the header row (none: all are dropped), and `# ` lines "
            "at its end (a footer) are dropped. A header row repeated inside a file (two files "
            "joined, `cat a.csv b.csv`) is an error naming its line." in said)
    from pyg_fusion.datasets._io import read_table
    x = np.arange(12, dtype=float).reshape(4, 3) / 7
    path = tmp_path / "a.csv"
    np.savetxt(path, x, delimiter=",", header="a,b,c\nunits: cm", footer="end")
    np.testing.assert_allclose(read_table(str(path)).values, x)
    path.write_text("a,b,c\n1,2,3\na,b,c\n4,5,6\n")
    with pytest.raises(ValueError, match="repeats the header row"):
        read_table(str(path))
    bad_input = " ".join((ROOT / "docs" / "bad_input.md").read_text().split())
    assert ("Before any training, the test videos must carry a video label 0 or 1 (a soft label "
            "such as 0.5 was recorded as 0) and frame ground truth of both classes" in bad_input)


def test_rgbd_space_lists_minus_one_with_its_pattern_and_gt_order_as_the_pages_say(tmp_path):
    said = _said()
    assert ("A line without a tab that holds exactly three space-separated paths "
            "(`rgb/1.png mask/1.png depth/1.png`" in said)
    assert "(`train.txt` / `val.txt`, tab- or space-separated rgb / mask / depth PNG paths;" in \
        " ".join((ROOT / "docs" / "asymfusion.md").read_text().split())
    from pyg_fusion.datasets import RGBDSegmentation
    (tmp_path / "train.txt").write_text("rgb/1.png mask/1.png depth/1.png\n")
    assert [len(item) for item in RGBDSegmentation(str(tmp_path), "train").items] == [3]
    assert ("or, for -1, name the normal value with `normal_pattern` (`\"^1$\"` or `\"^-1$\"`; "
            "`--vad-normal-pattern`)." in said)
    raw = tmp_path / "v" / "raw"
    (raw / "i3d").mkdir(parents=True)
    for n in NAMES:
        np.save(raw / "i3d" / f"{n}.npy", np.ones((5, 8), np.float32) * len(n))
    (raw / "train.csv").write_text("".join(
        f"i3d/{n}.npy,{1 if 'Normal' in n else -1}\n" for n in NAMES))
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.csv",
                       labels="list", normal_pattern="^1$")
    ds = VADFeatures(str(tmp_path / "v"), "train", layout, num_segments=4, log=False)
    assert [int(g.y) for g in ds] == [1, 0, 1, 0]
    assert ("A concatenated ground truth follows the list's order: a video labelled normal "
            "whose frames it marks abnormal (a list sorted otherwise than the ground truth, or "
            "a wrong label) is an error naming the video and its frames." in said)


def test_a_header_naming_every_column_keeps_a_zero_padded_code(tmp_path):
    assert ("a header naming every column (`age,code,x` over `34,007,0.5`) and the `index_col` "
            "keep a zero-padded code column as it is." in _said())
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    path.write_text("age,code,x\n34,007,0.5\n41,012,0.25\n29,003,0.75\n")
    assert read_table(str(path)).values.shape == (3, 3)


def test_two_values_neither_normal_are_named_as_the_readme_says(tmp_path):
    assert ("a column of two values, e.g. `benign` / `anomaly`, names both and how to name the "
            "normal one with `normal_pattern`)." in _said())
    with pytest.raises(ValueError, match="normal_pattern='\\^anomaly\\$' or '\\^benign\\$'"):
        _labels(tmp_path, _lines("benign", "anomaly"), labels="auto")
