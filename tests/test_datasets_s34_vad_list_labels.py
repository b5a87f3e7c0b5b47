"""A VAD list's label column as users write it: yes / no (or Y / N) of an
is_anomaly column, -1 / 1 (two conventions of opposite meaning), fractions,
and lines separated by a space."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout

NAMES = ["Abuse001", "Normal002", "Arson003", "Normal004"]


def _read(tmp_path, text, labels="list", **kw):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for n in NAMES:
        np.save(raw / "i3d" / f"{n}.npy", rng.normal(size=(5, 8)).astype(np.float32))
    (raw / "train.csv").write_text(text)
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.csv",
                       labels=labels, **kw)
    ds = VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False,
                     force_reload=True)
    return [int(g.y) for g in ds]


def _lines(normal, abnormal, sep=","):
    return "".join(f"i3d/{n}.npy{sep}{normal if 'Normal' in n else abnormal}\n" for n in NAMES)


@pytest.mark.parametrize("labels", ["list", "auto"])
def test_yes_no_labels_read_no_as_normal(tmp_path, labels):
    # 'no' was abnormal like 'yes': every video abnormal under labels='list'
    assert _read(tmp_path, "path,is_anomaly\n" + _lines("no", "yes"), labels) == [1, 0, 1, 0]
    assert _read(tmp_path, _lines("N", "Y"), labels) == [1, 0, 1, 0]


@pytest.mark.parametrize("normal,abnormal", [("1", "-1"), ("-1", "1"), ("-1.0", "1.0")])
def test_minus_one_labels_name_both_readings(tmp_path, normal, abnormal):
    # both read as abnormal (neither is 0): every video abnormal, without a word
    with pytest.raises(ValueError, match=r"train list 'train.csv': its label column holds "
                       r"-1 beside \['1(\.0)?'\]: scikit-learn's outlier detectors .* mark "
                       r"an anomaly -1 .* normal sample -1; write the column as 0 \(normal\) "
                       r"/ 1 \(abnormal\)"):
        _read(tmp_path, _lines(normal, abnormal))


def test_fractional_labels_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"holds '0.5', a fraction: a video's label is 0 "
                       r"\(normal\) or 1 \(abnormal\)"):
        _read(tmp_path, _lines("0", "0.5"))


def test_a_list_separated_by_spaces_keeps_its_labels(tmp_path):
    # 'i3d/a.npy 1' was the video 'a.npy 1' ('file not found'), or, with
    # labels='list', 'the train list has no label column'
    for labels in ("list", "auto"):
        assert _read(tmp_path, _lines("0", "1", " "), labels) == [1, 0, 1, 0]
    assert _read(tmp_path, "path label\n" + _lines("Normal", "Abuse", " ")) == [1, 0, 1, 0]
    # paths alone: as before
    assert _read(tmp_path, "".join(f"i3d/{n}.npy\n" for n in NAMES), "name") == [1, 0, 1, 0]


@pytest.mark.parametrize("zero", ["0.00", "0e0", "-0", "00"])
def test_a_zero_in_any_form_is_normal(tmp_path, zero):
    # '0.00' (a %.2f column) was abnormal, being neither '0' nor '0.0'
    assert _read(tmp_path, _lines(zero, "1.00")) == [1, 0, 1, 0]


def test_two_values_neither_normal_say_how_to_name_the_normal_one(tmp_path):
    # the advice was labels='list' alone, which made every video abnormal
    with pytest.raises(ValueError, match=r"its values are 'anomaly' and 'benign': if one "
                       r"marks normal videos, name it with normal_pattern='\^anomaly\$' or "
                       r"'\^benign\$' \(pyg-fusion: --vad-normal-pattern\); else give "
                       r"labels='list'"):
        _read(tmp_path, _lines("benign", "anomaly"), "auto")
    # the advice read back
    assert _read(tmp_path, _lines("benign", "anomaly"), "auto",
                 normal_pattern="^benign$") == [1, 0, 1, 0]
