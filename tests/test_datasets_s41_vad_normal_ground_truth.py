"""A per-video ground truth (``gt='gt/{name}.npy'``) without a file for a
normal test video: its frames are all normal by definition (RTFM's
concatenated ground truth holds zeros for them), so it reads as zeros; an
abnormal video without its file is an error that says what to give. Before,
both were 'file not found'."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures

VIDEOS = {"Fight001": (4, 1), "Normal_002": (6, 0)}  # name -> (snippets, abnormal)
LAYOUT = dict(sources={"a": "a/{name}.npy"}, test_list="list/test.list",
              train_list="list/test.list", gt="gt/{name}.npy", num_abnormal=1)


def _tree(root):
    raw = root / "raw"
    for d in ("a", "list", "gt"):
        (raw / d).mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, (T, _) in VIDEOS.items():
        np.save(raw / "a" / f"{name}.npy", rng.normal(size=(T, 3)).astype(np.float32))
    (raw / "list" / "test.list").write_text("".join(f"{n}\n" for n in VIDEOS))
    fight = np.zeros(4 * 16, dtype=np.uint8)
    fight[20:40] = 1
    np.save(raw / "gt" / "Fight001.npy", fight)
    return fight


def test_a_normal_video_without_its_file_is_all_normal(tmp_path):
    fight = _tree(tmp_path)
    ds = VADFeatures(str(tmp_path), "test", log=False, **LAYOUT)
    by_name = {d.video: d.frame_gt.numpy() for d in ds}
    assert np.array_equal(by_name["Fight001"], fight)
    assert by_name["Normal_002"].shape == (6 * 16, ) and not by_name["Normal_002"].any()
    # the same as with its file of zeros given
    np.save(tmp_path / "raw" / "gt" / "Normal_002.npy", np.zeros(6 * 16, dtype=np.uint8))
    again = VADFeatures(str(tmp_path), "test", log=False, **LAYOUT)
    assert all(np.array_equal(a.frame_gt.numpy(), b.frame_gt.numpy()) for a, b in zip(ds, again))


def test_an_abnormal_video_without_its_file_says_what_to_give(tmp_path):
    _tree(tmp_path)
    (tmp_path / "raw" / "gt" / "Fight001.npy").unlink()
    with pytest.raises(ValueError, match=r"'Fight001'.* is abnormal, but its ground truth "
                       r".*Fight001.npy \(gt='gt/\{name\}.npy'\) does not exist: give its frame "
                       r"labels \(0 / 1, at least 64 = 4 snippets x 16\)"):
        VADFeatures(str(tmp_path), "test", log=False, **LAYOUT)
