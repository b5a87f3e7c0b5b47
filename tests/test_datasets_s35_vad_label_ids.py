"""A VAD list's label column of numbers without 0 (1 / 2: class ids counted
from 1) was read as 'not 0', every video abnormal, under labels='list'
without a word (labels='auto' refused it, offering labels='list')."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout

NAMES = ["Abuse001", "Normal002", "Arson003", "Normal004"]


def _read(tmp_path, normal, abnormal, labels="list", **kw):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for n in NAMES:
        np.save(raw / "i3d" / f"{n}.npy", rng.normal(size=(5, 8)).astype(np.float32))
    (raw / "train.csv").write_text("".join(
        f"i3d/{n}.npy,{normal if 'Normal' in n else abnormal}\n" for n in NAMES))
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.csv",
                       labels=labels, **kw)
    ds = VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False,
                     force_reload=True)
    return [int(g.y) for g in ds]


@pytest.mark.parametrize("labels", ["list", "auto"])
@pytest.mark.parametrize("normal,abnormal", [("1", "2"), ("2", "1"), ("1.0", "2.0")])
def test_two_numbers_without_zero_are_asked_about(tmp_path, labels, normal, abnormal):
    with pytest.raises(ValueError, match=r"label column holds the numbers 1(\.0)?, 2(\.0)? and "
                                         r"no 0 \(normal\), so every video would be abnormal: "
                                         r"class ids counted from 1\? .*normal_pattern="
                                         r"'\^1(\\\.0)?\$'.* write the column as 0 \(normal\) / "
                                         r"1 \(abnormal\)"):
        _read(tmp_path, normal, abnormal, labels)


def test_the_named_normal_value_reads_the_column(tmp_path):
    assert _read(tmp_path, "1", "2", normal_pattern="^1$") == [1, 0, 1, 0]
    assert _read(tmp_path, "0", "2") == [1, 0, 1, 0]  # 0 is normal: as before
    assert _read(tmp_path, "1", "1") == [1, 1, 1, 1]  # one value: a list of abnormal videos


@pytest.mark.parametrize("labels", ["list", "auto"])
def test_class_ids_are_asked_which_is_normal(tmp_path, labels):
    # 0..13 (UCF-Crime's classes): 0 was normal, every other id abnormal, where
    # an alphabetical numbering makes 0 Abuse and 7 Normal
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    ids = {"Abuse001": "0", "Normal002": "7", "Arson003": "2", "Normal004": "7"}
    for n in ids:
        np.save(raw / "i3d" / f"{n}.npy", np.ones((5, 8), dtype=np.float32))
    (raw / "train.csv").write_text("".join(f"i3d/{n}.npy,{c}\n" for n, c in ids.items()))

    def read(**kw):
        layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.csv",
                           labels=labels, **kw)
        return [int(g.y) for g in VADFeatures(str(tmp_path), "train", layout, num_segments=4,
                                              log=False, force_reload=True)]
    with pytest.raises(ValueError, match=r"label column holds 3 numbers \(0, 2, 7\): class ids\? "
                                         r"0 would be read as normal and the others abnormal; "
                                         r"name the normal videos' id with normal_pattern"):
        read()
    assert read(normal_pattern="^7$") == [1, 0, 1, 0]


def test_a_named_normal_number_is_the_only_normal_one(tmp_path):
    # normal_pattern='^1$' over a 0 / 1 column: 0 was normal too, every video normal
    assert _read(tmp_path, "1", "0", normal_pattern="^1$") == [1, 0, 1, 0]
