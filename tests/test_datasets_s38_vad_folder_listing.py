"""A UCF-Crime-style list names each video by its file (Abuse028_x264.mp4):
finding its features globbed the feature folder once per list line and once
per video read, so reading a list took time quadratic in the videos (1,900
in UCF-Crime, ten crop files each). The folder is now listed once."""
import os
import os.path as osp

import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout


def _listings_of(tmp_path, monkeypatch, n, list_suffix=".mp4", crops=2):
    raw = tmp_path / f"n{n}" / "raw"
    (raw / "i3d").mkdir(parents=True)
    names = [f"Abuse{i:03d}_x264" for i in range(n)] + ["Normal_Videos_001_x264"]
    for v in names:
        for c in range(crops):
            np.save(raw / "i3d" / f"{v}__{c}.npy", np.full((3, 4), c, dtype=np.float32))
    (raw / "train.list").write_text("".join(f"Crime/{v}{list_suffix}\n" for v in names))
    folder = osp.realpath(raw / "i3d")
    count = {"n": 0}
    for fn_name in ("scandir", "listdir"):
        real = getattr(os, fn_name)

        def counted(path=".", _real=real):
            if osp.realpath(os.fsdecode(path) or ".") == folder:
                count["n"] += 1
            return _real(path)
        monkeypatch.setattr(os, fn_name, counted)
    layout = VADLayout(sources={"i3d": "i3d"}, train_list="train.list", labels="name")
    ds = VADFeatures(str(tmp_path / f"n{n}"), "train", layout, num_segments=2, crops="all",
                     log=False)
    monkeypatch.undo()
    assert [g.video for g in ds[::2]] == names  # crops="all": two graphs per video
    return count["n"]


@pytest.mark.parametrize("suffix", [".mp4", ".npy", ""])
def test_the_feature_folder_is_listed_as_often_for_many_videos_as_for_few(
        tmp_path, monkeypatch, suffix):
    few = _listings_of(tmp_path, monkeypatch, 2, suffix)
    many = _listings_of(tmp_path, monkeypatch, 30, suffix)
    assert many == few <= 2, (few, many)


def test_crop_files_are_read_from_the_one_listing(tmp_path, monkeypatch):
    _listings_of(tmp_path, monkeypatch, 3)
    ds = VADFeatures(str(tmp_path / "n3"), "train",
                     VADLayout(sources={"i3d": "i3d"}, train_list="train.list",
                               labels="name"), num_segments=2, crops="all", log=False)
    # crop c of every video holds c: the two crops of each video, in order
    assert [float(g.x_i3d[0, 0]) for g in ds][:4] == [0.0, 1.0, 0.0, 1.0]
