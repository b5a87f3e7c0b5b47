import json
import sys

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import MotionVAD, motion_snippet_features
from pyg_fusion.datasets.motion_vad import ACTIVITIES, RATE, SENSORS

SMALL = dict(num_videos=(8, 6), num_segments=None, log=False)


# -- without aeon ----------------------------------------------------------
def test_snippet_features_against_hand_computation():
    t = np.arange(20) / RATE
    x = np.stack([3.0 + 2.0 * np.sin(2 * np.pi * 2 * t), np.arange(20.0), np.zeros(20)])
    f = motion_snippet_features(x)
    assert f.shape == (2, 3 * 13) and f.dtype == np.float32
    sine, ramp, flat = f[0, :13], f[0, 13:26], f[1, 26:]
    assert sine[0] == pytest.approx(3.0, abs=1e-6)                 # mean
    assert sine[1] == pytest.approx(np.sqrt(2.0), rel=1e-5)        # std of 2 sin
    assert sine[8 + 1] == pytest.approx(1.0, abs=1e-5)             # |X_2| / 10 = A / 2
    assert np.abs(np.delete(sine[8:], 1)).max() < 1e-5             # nothing at 1, 3-5 Hz
    assert ramp[0] == pytest.approx(4.5) and ramp[2:4].tolist() == [0.0, 9.0]
    assert ramp[4] == pytest.approx(4.5) and ramp[6] == pytest.approx(1.0)  # median, |diff|
    assert f[1, 13] == pytest.approx(14.5)                          # second snippet
    assert np.all(flat == 0)
    assert motion_snippet_features(x[:, :15]).shape == (1, 39)      # partial snippet dropped


def test_snippet_features_errors():
    with pytest.raises(ValueError, match="axes, samples"):
        motion_snippet_features(np.zeros(10))
    with pytest.raises(ValueError, match="fewer than one snippet"):
        motion_snippet_features(np.zeros((3, 9)))
    with pytest.raises(ValueError, match=r"got shape \(1333, 6\): more axes than samples; a "
                                         r"\[samples, axes\] array must be transposed"):
        motion_snippet_features(np.zeros((1333, 6)), rate=4)   # ran, 1333 axes of 1 snippet


def test_snippet_features_refuse_nan_and_inf_naming_the_first():
    # NaN input gave NaN features (every statistic of its snippet) without a word
    signal = np.random.default_rng(0).normal(size=(3, 40))
    signal[2, 17] = signal[2, 30] = np.nan
    with pytest.raises(ValueError, match=r"signal holds NaN or Inf \(2 value\(s\), the first "
                                         r"at axis 2, sample 17\)"):
        motion_snippet_features(signal)
    signal[2] = 0.0
    signal[1, 5] = -np.inf
    with pytest.raises(ValueError, match=r"first at axis 1, sample 5"):
        motion_snippet_features(signal)


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="recordings"):
        MotionVAD(str(tmp_path), recordings=(3, 11))
    with pytest.raises(ValueError, match="anomaly_snippets"):
        MotionVAD(str(tmp_path), anomaly_snippets=(5, 2))
    with pytest.raises(ValueError, match="normal_activities"):
        MotionVAD(str(tmp_path), normal_activities=("jogging",))
    with pytest.raises(ValueError, match="no activity other than"):
        MotionVAD(str(tmp_path), normal_activities=("running",),
                  anomaly_activities=("running",))
    with pytest.raises(ValueError, match="num_videos"):
        MotionVAD(str(tmp_path), num_videos=(1, 4))


def test_missing_aeon_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "aeon", None)
    monkeypatch.setitem(sys.modules, "aeon.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'pyg-fusion\[motion\]'"):
        MotionVAD(str(tmp_path), **SMALL)


# -- with aeon ---------------------------------------------------------------
@pytest.fixture(scope="module")
def aeon_data():
    datasets = pytest.importorskip("aeon.datasets")
    return {s: datasets.load_basic_motions(split=s.upper()) for s in ("train", "test")}


@pytest.fixture(scope="module")
def motion(tmp_path_factory, aeon_data):
    root = str(tmp_path_factory.mktemp("motion"))
    return root, {s: MotionVAD(root, s, **SMALL) for s in ("train", "test")}


def _meta(root, ds):
    with open(f"{root}/raw/{ds.tag}/motion.json") as f:
        return json.load(f)


def test_layout_labels_and_ground_truth(motion):
    root, ds = motion
    meta = _meta(root, ds["train"])
    assert meta["options"]["num_videos"] == [8, 6]
    for split, n in (("train", 8), ("test", 6)):
        d = ds[split]
        assert len(d) == n
        labels = [int(d[i].y) for i in range(n)]
        assert labels == [1] * ((n + 1) // 2) + [0] * (n // 2)   # abnormal first
        bases = [meta["videos"][d[i].video]["activity"] for i in range(n)]
        h = (n + 1) // 2
        assert bases == [ACTIVITIES[k % 4] for k in range(h)] + \
            [ACTIVITIES[k % 4] for k in range(n - h)]
        for i in range(n):
            g = d[i]
            info = meta["videos"][g.video]
            T = int(g.num_snippets)
            assert T == 10 * len(info["recordings"]) and 30 <= T <= 50
            assert g.x_accel.shape == (T, 39) and g.x_gyro.shape == (T, 39)
            assert int(g.snippet_len) == RATE and int(g.num_frames) == T * RATE
            if split == "test":
                gt = g.frame_gt.view(T, RATE)
                assert bool((gt == gt[:, :1]).all())                  # whole snippets
                snip = gt[:, 0]
                if labels[i]:
                    a = info["anomaly"]
                    assert a["activity"] != info["activity"]
                    assert snip.nonzero().view(-1).tolist() == list(range(a["start"], a["end"]))
                else:
                    assert "anomaly" not in info and int(snip.sum()) == 0
            else:
                assert "frame_gt" not in g


def test_streams_are_the_recordings_features(motion, aeon_data):
    root, ds = motion
    meta = _meta(root, ds["train"])
    for split in ("train", "test"):
        X, _ = aeon_data[split]
        feats = {s: np.stack([motion_snippet_features(x[sl]) for x in X])
                 for s, sl in SENSORS.items()}
        for i in range(len(ds[split])):
            g = ds[split][i]
            info = meta["videos"][g.video]
            for s in SENSORS:
                want = np.concatenate(feats[s][info["recordings"]])
                if "anomaly" in info:
                    a = info["anomaly"]
                    L = a["end"] - a["start"]
                    want[a["start"]:a["end"]] = feats[s][a["recording"],
                                                         a["recording_start"]:
                                                         a["recording_start"] + L]
                np.testing.assert_array_equal(g[f"x_{s}"].numpy(), want)


def test_train_and_test_use_disjoint_recordings(motion, aeon_data):
    _, ds = motion
    rows = {}
    for split in ("train", "test"):
        X, _ = aeon_data[split]
        rows[split] = {r.tobytes() for x in X for r in motion_snippet_features(x[0:3])}
    assert not rows["train"] & rows["test"]
    for split, other in (("train", "test"), ("test", "train")):
        seen = {r.tobytes() for i in range(len(ds[split]))
                for r in ds[split][i].x_accel.numpy()}
        assert seen <= rows[split] and not seen & rows[other]


def test_seeded(motion, tmp_path):
    root, ds = motion
    again = MotionVAD(str(tmp_path / "a"), "test", **SMALL)
    other = MotionVAD(str(tmp_path / "b"), "test", seed=1, **SMALL)
    assert [again[i].video for i in range(len(again))] == \
        [ds["test"][i].video for i in range(len(again))]
    for i in range(len(again)):
        assert torch.equal(again[i].x_gyro, ds["test"][i].x_gyro)
        assert torch.equal(again[i].frame_gt, ds["test"][i].frame_gt)
    assert any(other[i].x_gyro.shape != again[i].x_gyro.shape
               or not torch.equal(other[i].x_gyro, again[i].x_gyro) for i in range(len(again)))


def test_folder_of_other_options_is_an_error(tmp_path, aeon_data):
    MotionVAD(str(tmp_path), "test", folder="streams", **SMALL)
    with pytest.raises(ValueError, match="streams of other options"):
        MotionVAD(str(tmp_path), "test", folder="streams", seed=3, **SMALL)


def test_closed_set_activities_and_resampled_segments(tmp_path, aeon_data):
    ds = MotionVAD(str(tmp_path), "test", num_videos=(4, 4), num_segments=32, log=False,
                   normal_activities=("standing", "walking"),
                   anomaly_activities=("running", "badminton"), train_ground_truth=True)
    meta = _meta(str(tmp_path), ds)
    for v in meta["videos"].values():
        assert v["activity"] in ("standing", "walking")
        if "anomaly" in v:
            assert v["anomaly"]["activity"] in ("running", "badminton")
    assert ds[0].x_accel.shape == (32, 39)
    train = MotionVAD(str(tmp_path), "train", num_videos=(4, 4), num_segments=32, log=False,
                      normal_activities=("standing", "walking"),
                      anomaly_activities=("running", "badminton"), train_ground_truth=True)
    assert "frame_gt" in train[0] and int(train[0].frame_gt.sum()) > 0


def test_builds_without_network(tmp_path, monkeypatch, aeon_data):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("MotionVAD tried to open a network connection")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    ds = MotionVAD(str(tmp_path), "test", **SMALL)  # a fresh root: generated here
    assert len(ds) == 6


def test_a_damaged_record_of_the_streams_names_itself_and_force_reload_mends_it(
        tmp_path, aeon_data):
    first = MotionVAD(str(tmp_path), "test", **SMALL)
    expected = [first[i].x_gyro for i in range(len(first))]
    meta = tmp_path / "raw" / first.tag / "motion.json"
    meta.write_text('{"options": ')  # cut short (a bare JSONDecodeError before)
    with pytest.raises(ValueError, match=r"motion\.json: not the record of generated "
                       r"streams .*--force-reload"):
        MotionVAD(str(tmp_path), "test", **SMALL)
    again = MotionVAD(str(tmp_path), "test", force_reload=True, **SMALL)
    assert all(torch.equal(a.x_gyro, e) for a, e in zip(again, expected))
