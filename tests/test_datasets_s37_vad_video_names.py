"""A UCF-Crime style list names its videos by their file (Abuse028_x264.mp4):
the reader looked for the feature file Abuse028_x264.mp4.npy, while the
features are named by the video's name (Abuse028_x264.npy)."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout

NAMES = ["Abuse028_x264", "Arson001_x264", "Normal_Videos_003_x264", "Normal_Videos_004_x264"]


def _folder(tmp_path, listed, files=NAMES, pattern="i3d/{name}.npy"):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    for n in files:
        np.save(raw / pattern.format(name=n), np.ones((5, 8), dtype=np.float32))
    (raw / "train.list").write_text("".join(f"{e}\n" for e in listed))
    layout = VADLayout(sources={"i3d": pattern}, train_list="train.list", num_abnormal=2)
    return lambda: VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False)


@pytest.mark.parametrize("ext", [".mp4", ".avi", ".MP4"])
def test_a_list_of_video_files_reads_the_features_of_each_video(tmp_path, ext):
    ds = _folder(tmp_path, [f"videos/{n}{ext}" for n in NAMES])()
    assert [g.video for g in ds] == NAMES


def test_a_pattern_of_its_own_reads_the_video_names_too(tmp_path):
    ds = _folder(tmp_path, [f"{n}.mp4" for n in NAMES], pattern="i3d/{name}_i3d.npy")()
    assert [g.video for g in ds] == NAMES


def test_features_named_with_the_video_extension_are_still_read(tmp_path):
    full = [f"{n}.mp4" for n in NAMES]
    ds = _folder(tmp_path, full, files=full)()
    assert [g.video for g in ds] == full


def test_a_missing_video_names_the_list_line_and_the_file(tmp_path):
    make = _folder(tmp_path, [f"{n}.mp4" for n in NAMES], files=NAMES[1:])
    with pytest.raises(FileNotFoundError, match=r"Abuse028_x264\.mp4.*i3d/Abuse028_x264\.npy"):
        make()
