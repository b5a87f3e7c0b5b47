"""A VAD list written by pandas' to_csv without index=False (',path,label'
over '0,a.npy,0') made the row numbers the videos ('0', '1', ...) and the
path part of the label: 'file not found' for videos never listed."""
import numpy as np

from pyg_fusion.datasets import VADFeatures, VADLayout
from pyg_fusion.datasets._vad_lists import list_rows

NAMES = ["Abuse001", "Normal002", "Arson003", "Normal004"]


def test_a_pandas_index_column_is_no_video(tmp_path):
    raw = tmp_path / "raw"
    (raw / "i3d").mkdir(parents=True)
    for n in NAMES:
        np.save(raw / "i3d" / f"{n}.npy", np.ones((5, 8), dtype=np.float32))
    (raw / "train.csv").write_text(",path,label\n" + "".join(
        f"{i},i3d/{n}.npy,{int('Normal' not in n)}\n" for i, n in enumerate(NAMES)))
    layout = VADLayout(sources={"i3d": "i3d/{name}.npy"}, train_list="train.csv")
    ds = VADFeatures(str(tmp_path), "train", layout, num_segments=4, log=False)
    assert [g.video for g in ds] == NAMES and [int(g.y) for g in ds] == [1, 0, 1, 0]


def test_a_first_column_of_other_cells_is_kept(tmp_path):
    # no row numbers under the empty header cell: not pandas' index, read as before
    path = tmp_path / "l.csv"
    path.write_text(",path,label\nx,a.npy,0\ny,b.npy,1\n")
    assert list_rows(str(path))[1] == ["x", "a.npy", "0"]
