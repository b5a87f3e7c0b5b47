"""A test list in another order than its concatenated ground truth (one of
them sorted): each video was scored against another's frames, their total
equal, without a word. A normal video given abnormal frames says so."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout

# RTFM's order: abnormal videos first; each of its own length
VIDEOS = [("Abuse001", 6, [2, 3]), ("Arson002", 4, [0]), ("Normal_Videos_003", 5, []),
          ("Normal_Videos_004", 3, [])]


def _root(tmp_path, per_video=False):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    rng = np.random.default_rng(0)
    gts = {}
    for name, t, abnormal in VIDEOS:
        np.save(raw / "i3d" / f"{name}.npy", rng.normal(size=(t, 4)).astype(np.float32))
        g = np.zeros(t * 2)
        for s in abnormal:
            g[2 * s:2 * s + 2] = 1
        gts[name] = g
        if per_video:
            (raw / "gt").mkdir(exist_ok=True)
            np.save(raw / "gt" / f"{name}.npy", g)
    np.save(raw / "gt.npy", np.concatenate([gts[n] for n, _, _ in VIDEOS]))
    return raw


def _load(tmp_path, order, gt="gt.npy"):
    (tmp_path / "raw" / "test.list").write_text("".join(f"i3d/{n}.npy\n" for n in order))
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, test_list="test.list", gt=gt,
                       snippet_len=2)
    return VADFeatures(str(tmp_path), "test", layout, num_segments=None, log=False,
                       force_reload=True)


def test_a_list_sorted_apart_from_its_ground_truth_is_refused(tmp_path):
    _root(tmp_path)
    names = [n for n, _, _ in VIDEOS]
    ds = _load(tmp_path, names)  # the ground truth's order: read
    assert [int(g.frame_gt.sum()) for g in ds] == [4, 2, 0, 0]
    # reversed: the lengths sum to the same total, every slice another video's
    with pytest.raises(ValueError, match=r"video 'Normal_Videos_004' .* is normal \(its "
                       r"label\), but its ground truth \(frames 0..5 of gt.npy\) marks 2 of "
                       r"its 6 frames abnormal: a ground truth concatenated in another order "
                       r"than the list \(one of them sorted\?\), or a wrong label"):
        _load(tmp_path, names[::-1])


def test_a_normal_videos_own_ground_truth_of_anomalies_is_refused(tmp_path):
    raw = _root(tmp_path, per_video=True)
    names = [n for n, _, _ in VIDEOS]
    assert len(_load(tmp_path, names, gt="gt/{name}.npy")) == 4
    np.save(raw / "gt" / "Normal_Videos_003.npy", np.ones(10))
    with pytest.raises(ValueError, match=r"'Normal_Videos_003' .* is normal \(its label\), "
                       r"but its ground truth \(gt/Normal_Videos_003.npy\) marks 10 of its 10 "
                       r"frames abnormal: a ground truth of another video, or a wrong label"):
        _load(tmp_path, names, gt="gt/{name}.npy")
