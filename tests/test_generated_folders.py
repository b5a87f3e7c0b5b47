"""The generated datasets write only into folders of their own: a user's folder
given as their root (or folder) is an error, and nothing in it is removed or
replaced, with or without force_reload."""
import json
import os

import numpy as np
import pytest

from pyg_fusion.datasets import RecordingStreamsVAD, SyntheticRGBD, SyntheticVAD
from pyg_fusion.datasets._cache_names import data_code_hash

RNG = np.random.default_rng(0)
X = [k + RNG.normal(size=(2, 8 * 7)) for k in (0, 1) for _ in range(3)]
Y = [a for a in ("sit", "run") for _ in range(3)]
STREAMS = dict(train_recordings=(X, Y), test_recordings=([x + 5 for x in X], Y),
               sensors={"acc": [0, 1]}, rate=8, num_videos=(4, 4), recordings=(1, 2),
               anomaly_snippets=(1, 3), num_segments=None, log=False)
VAD = dict(num_videos=(4, 4), snippets=(6, 9), num_segments=None, log=False)


def _files(root) -> dict:
    return {os.path.relpath(os.path.join(d, f), root): open(os.path.join(d, f), "rb").read()
            for d, _, fs in os.walk(root) for f in fs if not f.startswith(".")}


def _rtfm_folder(base) -> None:
    """A user's own RTFM-layout features: list/{train,test}.list and
    list/gt-test.npy are also names the streams' generator writes."""
    os.makedirs(base / "features" / "i3d")
    os.makedirs(base / "list")
    np.save(base / "features" / "i3d" / "Abuse001_x264.npy", np.ones((5, 4), np.float32))
    for split in ("train", "test"):
        (base / "list" / f"{split}.list").write_text("features/i3d/Abuse001_x264.npy\n")
    np.save(base / "list" / "gt-test.npy", np.ones(80, np.uint8))


@pytest.mark.parametrize("force_reload", [False, True])
def test_streams_never_overwrite_a_users_feature_folder(tmp_path, force_reload):
    # RecordingStreamsVAD(root, folder="ucf") with root/raw/ucf a folder of
    # one's own RTFM features wrote the streams over its lists and ground truth
    _rtfm_folder(tmp_path / "raw" / "ucf")
    before = _files(tmp_path)
    with pytest.raises(ValueError, match=r"^root \(or folder\) \S+ucf holds "
                       r"features/i3d/Abuse001_x264\.npy, which the streams did not write: "
                       r"a folder of your own, never written into; give the streams another "
                       r"root \(or folder\)$"):
        RecordingStreamsVAD(str(tmp_path), folder="ucf", force_reload=force_reload, **STREAMS)
    assert _files(tmp_path) == before


def test_a_users_own_marker_is_never_removed(tmp_path):
    # a folder whose meta.json was one's own (the scenes' marker has that
    # name) lost it: it recorded no code, so it was taken for an old marker
    (tmp_path / "meta.json").write_text('{"camera": "mine"}\n')
    before = _files(tmp_path)
    for force_reload in (False, True):
        with pytest.raises(ValueError, match=r"^--root \S+ holds meta\.json, which the "
                           r"synthetic scenes did not write"):
            SyntheticRGBD(tmp_path, size=16, num_train=2, num_test=2, progress=False,
                          force_reload=force_reload)
        assert _files(tmp_path) == before
    # a streams record of one's own, and other files of one's own (3 named)
    base = tmp_path / "raw" / "mine"
    os.makedirs(base)
    (base / "streams.json").write_text('{"source": "my watch"}')
    for name in "abcd":
        (base / f"{name}.csv").write_text("1\n")
    for force_reload in (False, True):  # without it: "pass force_reload", which then refused
        with pytest.raises(ValueError, match=r"holds streams\.json, a\.csv, b\.csv, c\.csv, "
                           r"\.\.\., which the streams did not write"):
            RecordingStreamsVAD(str(tmp_path), folder="mine", force_reload=force_reload,
                                **STREAMS)
    assert (base / "streams.json").read_text() == '{"source": "my watch"}'


def test_the_generators_own_folders_are_still_generated_again(tmp_path):
    # a run stopped part-way (its files, no marker), force_reload, and a
    # marker of other code still regenerate in the same folder
    first = SyntheticVAD(str(tmp_path), "test", **VAD)
    x = first[0].x_i3d.clone()
    marker = os.path.join(first.generated_folder, "synthetic.json")
    os.remove(marker)                                   # stopped before the marker
    assert np.allclose(SyntheticVAD(str(tmp_path), "test", **VAD)[0].x_i3d, x)
    with open(marker, encoding="utf-8") as f:
        record = json.load(f)
    record["code"] = "other"
    with open(marker, "w", encoding="utf-8") as f:
        json.dump(record, f)
    assert np.allclose(SyntheticVAD(str(tmp_path), "test", **VAD)[0].x_i3d, x)
    with open(marker, encoding="utf-8") as f:
        assert json.load(f)["code"] == data_code_hash()
    with open(marker, "w", encoding="utf-8") as f:
        f.write("{")                                    # damaged: force_reload mends it
    again = SyntheticVAD(str(tmp_path), "test", force_reload=True, **VAD)
    assert np.allclose(again[0].x_i3d, x)
    # and so does the next run: a damaged marker was kept, so that the data of
    # any code were read as this code's
    with open(marker, "w", encoding="utf-8") as f:
        f.write("{")
    features = os.path.join(first.generated_folder, "domain0", "features", "i3d")
    stale = os.path.join(features, sorted(os.listdir(features))[0])
    os.utime(stale, ns=(0, 0))
    assert np.allclose(SyntheticVAD(str(tmp_path), "test", **VAD)[0].x_i3d, x)
    assert os.stat(stale).st_mtime_ns != 0  # written again
    with open(marker, encoding="utf-8") as f:
        assert json.load(f)["code"] == data_code_hash()
    # a hidden file (a lock, a temporary file) is not the user's data
    streams = RecordingStreamsVAD(str(tmp_path), folder="s", **STREAMS)
    open(os.path.join(streams.generated_folder, ".lock"), "w").close()
    os.remove(os.path.join(streams.generated_folder, "streams.json"))
    RecordingStreamsVAD(str(tmp_path), folder="s", **STREAMS)


def test_a_root_under_the_home_folder_is_the_homes(tmp_path, monkeypatch):
    # SyntheticRGBD("~/scenes") wrote the scenes into a folder named "~" in
    # the working folder (PyG's datasets read "~" as the home folder)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    from pyg_fusion.datasets import RGBDSegmentation
    SyntheticRGBD("~/scenes", size=16, num_train=2, num_test=2, progress=False)
    assert sorted(os.listdir(tmp_path)) == ["home"]
    assert (tmp_path / "home" / "scenes" / "meta.json").is_file()
    assert len(RGBDSegmentation("~/scenes", "test", num_classes=6)) == 2
    assert len(RGBDSegmentation(tmp_path / "home" / "scenes", list_file="~/scenes/test.txt",
                                num_classes=6)) == 2


def _build_streams(root, seed, slow, out):
    import time

    import pyg_fusion.datasets.recording_streams as R
    if slow:  # a long generation, for the other run to start meanwhile
        save = R.save_npy
        R.save_npy = lambda path, a: (time.sleep(0.05), save(path, a))
    try:
        ds = RecordingStreamsVAD(root, "test", folder="mine", seed=seed, **STREAMS)
        out.put((seed, [d.x_acc.tolist() for d in ds]))
    except ValueError as exc:
        out.put((seed, str(exc)))


def test_two_runs_given_one_folder_at_once_take_turns(tmp_path):
    # two runs of other seeds given folder="mine" at once both found no
    # record, both generated into it, and read each other's files as theirs
    import multiprocessing
    import time
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    first = ctx.Process(target=_build_streams, args=(str(tmp_path), 0, True, out))
    first.start()
    features = tmp_path / "raw" / "mine" / "features" / "acc"
    while not (features.is_dir() and any(features.iterdir())) and first.is_alive():
        time.sleep(0.01)
    second = ctx.Process(target=_build_streams, args=(str(tmp_path), 1, False, out))
    second.start()
    results = dict(out.get(timeout=120) for _ in range(2))
    first.join()
    second.join()
    assert isinstance(results[0], list)  # the first built its streams, alone
    assert "holds streams of other options" in results[1]
    fresh = RecordingStreamsVAD(str(tmp_path / "fresh"), "test", seed=0, **STREAMS)
    assert results[0] == [d.x_acc.tolist() for d in fresh]


def test_a_marker_of_the_first_releases_is_still_the_generators(tmp_path):
    # synthetic.json recorded no "anomalies" (nor "code") before 093c4f6
    first = SyntheticVAD(str(tmp_path), "test", **VAD)
    marker = os.path.join(first.generated_folder, "synthetic.json")
    with open(marker, encoding="utf-8") as f:
        record = json.load(f)
    with open(marker, "w", encoding="utf-8") as f:
        json.dump({k: v for k, v in record.items() if k not in ("anomalies", "code")}, f)
    again = SyntheticVAD(str(tmp_path), "test", **VAD)  # made again, as of other code
    assert np.allclose(again[0].x_i3d, first[0].x_i3d)
    with open(marker, encoding="utf-8") as f:
        assert json.load(f)["code"] == data_code_hash()
