"""VAD feature files of a shape that holds no [T, F] matrix are refused
naming the video, the source and the file: one of no feature column
([T, 0]; it reached the model, whose error, in_channels['b'] must be >= 1,
named no file; the CLI: one line, exit 2), and a 1-D one ((T,), one number
per snippet) with how to fix it (it said only ``expected [T, F]``)."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import VADFeatures


def _root(tmp_path, b_features, per_crop=False):
    # four videos of 6 snippets; source 'a' well formed, source 'b' from b_features(rng)
    raw = tmp_path / "raw"
    rng = np.random.default_rng(0)
    for s in ("a", "b"):
        (raw / s).mkdir(parents=True)
    names = [f"v{i}" for i in range(4)]
    for n in names:
        np.save(raw / "a" / f"{n}.npy", rng.normal(size=(6, 3)).astype(np.float32))
        np.save(raw / "b" / (f"{n}__0.npy" if per_crop else f"{n}.npy"), b_features(rng))
    (raw / "train.list").write_text("\n".join(names[:2]) + "\n")
    (raw / "test.list").write_text("\n".join(names[2:]) + "\n")
    np.save(raw / "gt.npy", np.r_[np.ones(6 * 16), np.zeros(6 * 16)].astype(np.int64))
    return tmp_path


def _no_column(rng):
    return np.zeros((6, 0), dtype=np.float32)


def _one_dim(rng):
    return rng.normal(size=6).astype(np.float32)  # (T,)


def test_a_source_of_no_feature_column_is_refused_naming_the_file(tmp_path):
    root = _root(tmp_path, _no_column)
    with pytest.raises(ValueError, match=r"^video 'v0' .*source 'b': .*v0\.npy holds no "
                                         r"feature column \(shape \(6, 0\)\)"):
        VADFeatures(str(root), "train", sources={"a": "a", "b": "b"},
                    train_list="train.list", num_abnormal={"train": 1}, labels="position",
                    num_segments=4, log=False)


def test_cli_one_line(tmp_path, capsys):
    root = _root(tmp_path, _no_column)
    assert main(["train", "--dataset", "vad", "--root", str(root), "--vad-source", "a=a",
                 "--vad-source", "b=b", "--vad-train-list", "train.list", "--vad-test-list",
                 "test.list", "--vad-gt", "gt.npy", "--vad-labels", "position",
                 "--vad-num-abnormal", "1", "--num-segments", "4", "--method", "graph-a",
                 "--epochs", "1", "--no-progress", "--out", str(root / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "holds no feature column" in err and "source 'b'" in err


@pytest.mark.parametrize("per_crop", [False, True])
def test_a_one_dim_feature_file_is_refused_saying_how_to_fix_it(tmp_path, per_crop):
    root = _root(tmp_path, _one_dim, per_crop)
    b = "b/{name}__{crop}.npy" if per_crop else "b"
    with pytest.raises(ValueError, match=r"source 'b'.*got shape \(6,\).*one feature per "
                                         r"snippet.*a\[:, None\].*reshape\(-1, 1\)"):
        VADFeatures(str(root), "train", sources={"a": "a", "b": b},
                    train_list="train.list", num_abnormal={"train": 1}, labels="position",
                    num_segments=4, log=False)
