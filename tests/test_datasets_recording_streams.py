import json

import numpy as np
import pytest

from pyg_fusion.datasets import MotionVAD, RecordingStreamsVAD, motion_snippet_features

RATE = 8
SENSORS = {"acc": [0, 1], "gyr": [2]}
ACTS = ("sit/stand", "walk", "run")


def _group(seed: int, per_activity: int = 4):
    """Recordings of three activities, 5-9 snippets each (lengths differ, and
    some samples are past the last whole snippet), [3 channels, samples]."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k, a in enumerate(ACTS):
        for _ in range(per_activity):
            n = int(rng.integers(5 * RATE, 9 * RATE + RATE - 1))
            X.append(k + rng.normal(size=(3, n)))
            y.append(a)
    return X, y


TRAIN, TEST = _group(0), _group(1)
KW = dict(train_recordings=TRAIN, test_recordings=TEST, sensors=SENSORS, rate=RATE,
          num_videos=(7, 6), recordings=(2, 3), anomaly_snippets=(2, 5), num_segments=None,
          log=False)


@pytest.fixture(scope="module")
def streams(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("streams"))
    return root, {s: RecordingStreamsVAD(root, s, **KW) for s in ("train", "test")}


def _meta(root, ds):
    with open(f"{root}/raw/{ds.tag}/streams.json", encoding="utf-8") as f:
        return json.load(f)


def test_streams_are_the_recordings_features_with_frame_ground_truth(streams):
    root, ds = streams
    meta = _meta(root, ds["train"])
    assert meta["sensors"] == {"acc": [0, 1], "gyr": [2]} and meta["snippet_len"] == RATE
    assert meta["features"]["acc"][:2] == ["ch0_mean", "ch0_std"]
    assert len(meta["features"]["gyr"]) == 8 + RATE // 2
    for split, (X, _), n in (("train", TRAIN, 7), ("test", TEST, 6)):
        d = ds[split]
        assert [int(d[i].y) for i in range(n)] == [1] * ((n + 1) // 2) + [0] * (n // 2)
        feats = {s: [motion_snippet_features(x[ch], RATE) for x in X] for s, ch in SENSORS.items()}
        for i in range(n):
            g = d[i]
            info = meta["videos"][g.video]
            assert info["split"] == split and "/" not in g.video
            T = int(g.num_snippets)
            assert T == sum(len(feats["acc"][r]) for r in info["recordings"])
            for s in SENSORS:
                want = np.concatenate([feats[s][r] for r in info["recordings"]])
                if "anomaly" in info:
                    a = info["anomaly"]
                    src = feats[s][a["recording"]]
                    want[a["start"]:a["end"]] = src[a["recording_start"]:
                                                    a["recording_start"] + a["end"] - a["start"]]
                    assert a["activity"] != info["activity"] and 2 <= a["end"] - a["start"] <= 5
                np.testing.assert_array_equal(g[f"x_{s}"].numpy(), want)
            assert g.x_acc.shape[1] == 2 * (8 + RATE // 2) and g.x_gyr.shape[1] == 8 + RATE // 2
            if split == "test":       # one frame per sample, whole snippets
                gt = g.frame_gt.view(T, RATE)
                snip = gt[:, 0].nonzero().view(-1).tolist()
                assert bool((gt == gt[:, :1]).all())
                a = info.get("anomaly")
                assert snip == (list(range(a["start"], a["end"])) if a else [])


def test_seeded_and_named_by_the_recordings(streams, tmp_path):
    root, ds = streams
    again = RecordingStreamsVAD(str(tmp_path), "test", **KW)
    assert again.tag == ds["test"].tag
    for i in range(len(again)):
        np.testing.assert_array_equal(again[i].x_acc.numpy(), ds["test"][i].x_acc.numpy())
    X = [x.copy() for x in TRAIN[0]]
    X[0][0, 0] += 1.0
    other = RecordingStreamsVAD(str(tmp_path), "train", **{**KW, "train_recordings": (X, TRAIN[1])})
    assert other.tag != ds["train"].tag           # another recording, another folder
    assert RecordingStreamsVAD(str(tmp_path), **{**KW, "seed": 1}).tag != ds["train"].tag


def test_standardize_uses_the_training_streams(streams):
    root, _ = streams
    train = RecordingStreamsVAD(root, "train", **KW, standardize=True)
    test = RecordingStreamsVAD(root, "test", **KW, standardize=True)
    assert test.standardizer.state_dict().keys() == train.standardizer.state_dict().keys()
    for k, v in train.standardizer.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), test.standardizer.state_dict()[k].numpy())
    z = np.concatenate([train[i].x_acc.numpy() for i in range(len(train))])
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-5)


def test_errors_name_the_argument(tmp_path):
    root = str(tmp_path)
    samples_first = ([x.T for x in TRAIN[0]], TRAIN[1])
    with pytest.raises(ValueError, match="transposed"):
        RecordingStreamsVAD(root, **{**KW, "train_recordings": samples_first,
                                     "test_recordings": ([x.T for x in TEST[0]], TEST[1])})
    with pytest.raises(ValueError, match="transposed"):   # one group samples-first
        RecordingStreamsVAD(root, **{**KW, "train_recordings": samples_first})
    with pytest.raises(ValueError, match="channel 5, but the recordings have 3"):
        RecordingStreamsVAD(root, **{**KW, "sensors": {"acc": [0, 5]}})
    with pytest.raises(ValueError, match="train_recordings and test_recordings are required"):
        RecordingStreamsVAD(root, sensors=SENSORS)
    with pytest.raises(ValueError, match="sensors is required"):
        RecordingStreamsVAD(root, **{**KW, "sensors": None})
    with pytest.raises(ValueError, match=r"test_recordings\[0\]\[2\] is train_recordings\[0\]"):
        X = list(TEST[0])
        X[2] = TRAIN[0][5]
        RecordingStreamsVAD(root, **{**KW, "test_recordings": (X, TEST[1])})
    with pytest.raises(ValueError, match=r"train_recordings\[0\]\[1\] holds NaN or Inf "
                                         r"\(1 value\(s\), the first at channel 0, sample 3\)"):
        X = [x.copy() for x in TRAIN[0]]
        X[1][0, 3] = np.nan
        RecordingStreamsVAD(root, **{**KW, "train_recordings": (X, TRAIN[1])})
    with pytest.raises(ValueError, match="one activity per signal"):
        RecordingStreamsVAD(root, **{**KW, "train_recordings": (TRAIN[0], TRAIN[1][:-1])})
    with pytest.raises(ValueError, match="normal_activities must be distinct activities among"):
        RecordingStreamsVAD(root, **{**KW, "normal_activities": ["swim"]})
    with pytest.raises(ValueError, match="rate must be an int >= 4"):
        RecordingStreamsVAD(root, **{**KW, "rate": 2.5})
    with pytest.raises(ValueError, match="sensor name"):
        RecordingStreamsVAD(root, **{**KW, "sensors": {"a b": [0]}})
    # the archive is read when the streams are built: counts are checked there
    with pytest.raises(ValueError, match="fewer than recordings\\[1\\] = 5"):
        RecordingStreamsVAD(root, **{**KW, "recordings": (2, 5)})
    with pytest.raises(ValueError, match=r"train recording of the anomaly activity 'sit/stand' needs "
                       r"anomaly_snippets\[1\] = 7 .*recordings \[2\] have fewer"):
        RecordingStreamsVAD(root, **{**KW, "anomaly_snippets": (2, 7)})


def test_motion_vad_is_these_streams_on_basic_motions(tmp_path):
    datasets = pytest.importorskip("aeon.datasets")
    groups = {}
    for s in ("train", "test"):
        X, y = datasets.load_basic_motions(split=s.upper())
        groups[s] = (list(X), [str(v).lower() for v in y])
    opts = dict(num_videos=(6, 4), num_segments=None, log=False)
    motion = MotionVAD(str(tmp_path / "m"), "test", **opts)
    mine = RecordingStreamsVAD(
        str(tmp_path / "r"), "test", train_recordings=groups["train"],
        test_recordings=groups["test"], sensors={"accel": [0, 1, 2], "gyro": [3, 4, 5]},
        normal_activities=["standing", "walking", "running", "badminton"], rate=10, **opts)
    assert len(motion) == len(mine) == 4
    for i in range(4):
        for key in ("x_accel", "x_gyro", "frame_gt", "y"):
            np.testing.assert_array_equal(motion[i][key].numpy(), mine[i][key].numpy())
