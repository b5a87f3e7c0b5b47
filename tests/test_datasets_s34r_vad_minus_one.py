"""A VAD list's label column of -1 / 1 with a normal_pattern naming its
normal value: 8d9054d refused every -1 column ('write the column as 0 / 1'),
even where the user had said which value is normal."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout

NAMES = ["Abuse001", "Normal002", "Arson003", "Normal004"]


def _read(tmp_path, normal, abnormal, **kw):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for n in NAMES:
        np.save(raw / "i3d" / f"{n}.npy", rng.normal(size=(5, 8)).astype(np.float32))
    (raw / "train.csv").write_text("".join(
        f"i3d/{n}.npy,{normal if 'Normal' in n else abnormal}\n" for n in NAMES))
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.csv",
                       labels="list", **kw)
    ds = VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False,
                     force_reload=True)
    return [int(g.y) for g in ds]


@pytest.mark.parametrize("normal,abnormal", [("1", "-1"), ("-1", "1")])
def test_a_minus_one_column_reads_with_its_normal_value_named(tmp_path, normal, abnormal):
    pattern = f"^{normal}$"
    assert _read(tmp_path, normal, abnormal, normal_pattern=pattern) == [1, 0, 1, 0]


def test_without_a_named_value_the_refusal_says_how_to_name_it(tmp_path):
    with pytest.raises(ValueError, match=r"holds -1 beside \['1'\]: .* write the column as 0 "
                       r"\(normal\) / 1 \(abnormal\), or name the normal value with "
                       r"normal_pattern='\^1\$' or '\^-1\$' \(pyg-fusion: "
                       r"--vad-normal-pattern\)"):
        _read(tmp_path, "1", "-1")
