"""A '# ...' line of a VAD list (a note on the split, a commented-out video)
was read as a video: 'file not found', or, with a comma in it, 'some lines
have a label column, others not'."""
import numpy as np

from pyg_fusion.datasets import VADFeatures, VADLayout
from pyg_fusion.datasets._vad_lists import list_rows

NAMES = ["Abuse001", "Normal002", "Arson003", "Normal004"]


def test_comment_lines_of_a_vad_list_are_no_videos(tmp_path):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    for n in NAMES:
        np.save(raw / "i3d" / f"{n}.npy", np.ones((5, 8), dtype=np.float32))
    (raw / "train.list").write_text(
        "# UCF-Crime train split, I3D features\n"
        + "".join(f"i3d/{n}.npy\n" for n in NAMES[:2])
        + "  # i3d/Broken005.npy\n"
        + "".join(f"i3d/{n}.npy\n" for n in NAMES[2:]))
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.list",
                       num_abnormal=2)
    ds = VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False)
    assert [g.video for g in ds] == NAMES


def test_a_hash_inside_an_entry_is_kept(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("# path,label\nclip/a#1.npy,0\nclip/b.npy,1\n")
    assert list_rows(str(path)) == [["clip/a#1.npy", "0"], ["clip/b.npy", "1"]]
