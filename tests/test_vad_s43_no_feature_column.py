"""A VAD feature file of no feature column ([T, 0]) is an error naming the
video, the source and the file (the CLI: one line, exit 2); it reached the
model, whose error (in_channels['b'] must be >= 1) named no file."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import VADFeatures


@pytest.fixture
def root(tmp_path):
    raw = tmp_path / "raw"
    rng = np.random.default_rng(0)
    for s in ("a", "b"):
        (raw / s).mkdir(parents=True)
    names = [f"v{i}" for i in range(4)]
    for n in names:
        np.save(raw / "a" / f"{n}.npy", rng.normal(size=(6, 3)).astype(np.float32))
        np.save(raw / "b" / f"{n}.npy", np.zeros((6, 0), dtype=np.float32))
    (raw / "train.list").write_text("\n".join(names[:2]) + "\n")
    (raw / "test.list").write_text("\n".join(names[2:]) + "\n")
    np.save(raw / "gt.npy", np.r_[np.ones(6 * 16), np.zeros(6 * 16)].astype(np.int64))
    return tmp_path


def test_a_source_of_no_feature_column_is_refused_naming_the_file(root):
    with pytest.raises(ValueError, match=r"^video 'v0' .*source 'b': .*v0\.npy holds no "
                                         r"feature column \(shape \(6, 0\)\)"):
        VADFeatures(str(root), "train", sources={"a": "a", "b": "b"},
                    train_list="train.list", num_abnormal={"train": 1}, labels="position",
                    num_segments=4, log=False)


def test_cli_one_line(root, capsys):
    assert main(["train", "--dataset", "vad", "--root", str(root), "--vad-source", "a=a",
                 "--vad-source", "b=b", "--vad-train-list", "train.list", "--vad-test-list",
                 "test.list", "--vad-gt", "gt.npy", "--vad-labels", "position",
                 "--vad-num-abnormal", "1", "--num-segments", "4", "--method", "graph-a",
                 "--epochs", "1", "--no-progress", "--out", str(root / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "holds no feature column" in err and "source 'b'" in err
