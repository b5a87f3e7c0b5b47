"""evaluate --checkpoint of a tables run whose files were moved since names
the checkpoint and the file, not the flags --views / --labels the user had
not given."""
import numpy as np

from pyg_fusion.cli import main


COMMON = ["--threads", "1", "--no-progress"]


def trained_on_tables(tmp_path, capsys, method: str = "graph-mean", n: int = 40):
    """A train run's checkpoint (1 epoch of ``method``) of the tables under
    ``tmp_path/data`` (two views of ``n`` rows, two classes), and that folder."""
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    np.savetxt(data / "f.csv", rng.normal(size=(n, 3)), delimiter=",")
    np.savetxt(data / "g.csv", rng.normal(size=(n, 2)), delimiter=",")
    np.savetxt(data / "y.csv", np.arange(n) % 2, fmt="%d")
    assert main(["train", "--dataset", "tables", "--root", str(tmp_path / "c"), "--views",
                 str(data / "f.csv"), str(data / "g.csv"), "--labels", str(data / "y.csv"),
                 "--method", method, "--epochs", "1", "--out", str(tmp_path / "o"),
                 *COMMON]) == 0
    capsys.readouterr()
    return data, tmp_path / "o" / method / "seed0" / "checkpoints" / "last.ckpt"


def trained_on_vad_files(tmp_path, capsys):
    """A train run's checkpoint (1 epoch of graph-mean) of VAD feature files
    (SyntheticVAD's, written under ``tmp_path/feats``), and that root."""
    from pyg_fusion.datasets import SyntheticVAD
    root = tmp_path / "feats"
    tag = SyntheticVAD(str(root), "test", num_videos=(4, 4), snippets=(8, 12),
                       num_segments=8, log=False).tag
    d = f"{tag}/domain0"
    assert main(["train", "--dataset", "vad", "--root", str(root), "--num-segments", "8",
                 "--vad-source", f"i3d={d}/features/i3d/{{name}}.npy",
                 "--vad-train-list", f"{d}/list/train.list", "--vad-test-list",
                 f"{d}/list/test.list", "--vad-gt", f"{d}/list/gt-test.npy",
                 "--method", "graph-mean", "--epochs", "1", "--out", str(tmp_path / "o"),
                 *COMMON]) == 0
    capsys.readouterr()
    return root, tmp_path / "o" / "graph-mean" / "seed0" / "checkpoints" / "last.ckpt"


def test_a_checkpoints_moved_view_is_named_as_the_checkpoints(tmp_path, capsys):
    data, ckpt = trained_on_tables(tmp_path, capsys)
    moved = data.rename(tmp_path / "moved")
    # it said '--views: no such file: .../data/f.csv'
    assert main(["evaluate", "--checkpoint", str(ckpt), "--out", str(tmp_path / "e"),
                 *COMMON]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion evaluate: error: --checkpoint {ckpt} was trained on {data / 'f.csv'} "
        f"(its --views), which is no longer there (moved or deleted?): put it back, or give "
        f"the files anew (pyg-fusion evaluate: --views and --labels)\n")
    # given anew, they are read (the data are the same: no notice of other data)
    assert main(["evaluate", "--checkpoint", str(ckpt), "--out", str(tmp_path / "e"),
                 "--views", str(moved / "f.csv"), str(moved / "g.csv"),
                 "--labels", str(moved / "y.csv"), *COMMON]) == 0



def test_a_checkpoints_moved_vad_root_is_named_as_the_checkpoints(tmp_path, capsys):
    root, ckpt = trained_on_vad_files(tmp_path, capsys)
    moved = root.rename(tmp_path / "moved")
    # it said '--vad-train-list: no such file: .../feats/raw/...', a flag not given
    assert main(["evaluate", "--checkpoint", str(ckpt), "--out", str(tmp_path / "e"),
                 *COMMON]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion evaluate: error: --checkpoint {ckpt} was trained on the features under "
        f"{root} (its --root), which is no longer there (moved or deleted?): put it back, or "
        f"give its new place (pyg-fusion evaluate: --root)\n")
    assert main(["evaluate", "--checkpoint", str(ckpt), "--out", str(tmp_path / "e"),
                 "--root", str(moved), *COMMON]) == 0
