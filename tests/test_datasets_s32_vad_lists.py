"""A VAD list file written as CSV with quoted cells (csv.writer's
QUOTE_ALL, a spreadsheet's export of a path holding a comma) names its
videos without the quotes."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout


def test_a_quoted_csv_list_names_its_videos(tmp_path):
    # '"i3d/Abuse001.npy","Abuse"' was the video 'Abuse001.npy"': 'file not
    # found: raw/i3d/Abuse001.npy".npy'; a quoted header was a video too
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = ["Abuse001", "Normal002", "Arson, 003", "Normal004"]
    for n in names:
        np.save(raw / "i3d" / f"{n}.npy", rng.normal(size=(5, 8)).astype(np.float32))
    labels = ["Abuse", "Normal", "Arson", "Normal"]
    (raw / "train.csv").write_text('"path","label"\r\n' + "".join(
        f'"i3d/{n}.npy","{lab}"\r\n' for n, lab in zip(names, labels)))
    (raw / "plain.csv").write_text("path,label\n" + "".join(
        f"i3d/{n}.npy,{lab}\n" for n, lab in zip(names, labels) if "," not in n))
    got = {}
    for lst in ("train.csv", "plain.csv"):
        layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list=lst, labels="list",
                           normal_pattern="Normal")
        ds = VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False)
        got[lst] = [(g.video, int(g.y)) for g in ds]
    assert got["train.csv"] == [("Abuse001", 1), ("Normal002", 0), ("Arson, 003", 1),
                                ("Normal004", 0)]
    assert got["plain.csv"] == [v for v in got["train.csv"] if "," not in v[0]]


def test_crops_first_files_are_refused(tmp_path):
    # [10 crops, T, F] files were read as [T, crops, F]: every video had 10
    # snippets, its crops the mean over time, without a word
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = ["Abuse001", "Normal002", "Arson003"]
    for n, t in zip(names, [30, 41, 17]):
        np.save(raw / "i3d" / f"{n}.npy", rng.normal(size=(10, t, 8)).astype(np.float32))
    (raw / "train.list").write_text("".join(f"i3d/{n}.npy\n" for n in names))
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.list")
    with pytest.raises(ValueError, match=r"video 'Normal002' .*source 'i3d': every file so far "
                       r"is 10 on its first axis and varies on its second \(\[30, 41\]\): "
                       r"\[crops, T, F\] files\? .* np.swapaxes\(a, 0, 1\)"):
        VADFeatures(str(tmp_path), "train", layout, num_segments=None, log=False)
    # the same files as [T, crops, F]: read
    for n in names:
        a = np.load(raw / "i3d" / f"{n}.npy")
        np.save(raw / "i3d" / f"{n}.npy", np.swapaxes(a, 0, 1))
    ds = VADFeatures(str(tmp_path), "train", layout, num_segments=None, log=False)
    assert [int(g.num_snippets) for g in ds] == [30, 41, 17]
