"""plot --checkpoint of a run whose recorded files were moved names plot's
own flags (--root), and says that evaluate, not plot, takes view files anew."""
import numpy as np

from pyg_fusion.cli import main

COMMON = ["--threads", "1", "--no-progress"]


def test_plot_of_a_checkpoints_moved_views_names_no_flag_plot_lacks(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    np.savetxt(data / "f.csv", rng.normal(size=(30, 3)), delimiter=",")
    np.savetxt(data / "g.csv", rng.normal(size=(30, 2)), delimiter=",")
    np.savetxt(data / "y.csv", np.arange(30) % 2, fmt="%d")
    assert main(["train", "--dataset", "tables", "--root", str(tmp_path / "c"), "--views",
                 str(data / "f.csv"), str(data / "g.csv"), "--labels", str(data / "y.csv"),
                 "--method", "lego", "--epochs", "1", "--out", str(tmp_path / "o"),
                 *COMMON]) == 0
    capsys.readouterr()
    ckpt = tmp_path / "o" / "lego" / "seed0" / "checkpoints" / "last.ckpt"
    data.rename(tmp_path / "moved")
    # it said 'give the files anew (pyg-fusion evaluate: --views and --labels)'
    assert main(["plot", "relation-graph", "--checkpoint", str(ckpt), "--out",
                 str(tmp_path / "g.png"), "--threads", "1"]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion plot: error: --checkpoint {ckpt} was trained on {data / 'f.csv'} (its "
        f"--views), which is no longer there (moved or deleted?): put it back, or score it "
        f"on files given anew with pyg-fusion evaluate (--views and --labels; pyg-fusion "
        f"plot reads the recorded ones)\n")


def test_plot_of_a_checkpoints_moved_vad_root_names_plots_root(tmp_path, capsys):
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
    ckpt = tmp_path / "o" / "graph-mean" / "seed0" / "checkpoints" / "last.ckpt"
    moved = root.rename(tmp_path / "moved")
    out = str(tmp_path / "s.png")
    for kind in ("anomaly-scores", "adjacency"):  # a test pass, a model rebuilt
        # it said 'give its new place (pyg-fusion evaluate: --root)'
        assert main(["plot", kind, "--checkpoint", str(ckpt), "--out", out,
                     "--threads", "1"]) == 2
        assert capsys.readouterr().err == (
            f"pyg-fusion plot: error: --checkpoint {ckpt} was trained on the features under "
            f"{root} (its --root), which is no longer there (moved or deleted?): put it "
            f"back, or give its new place (pyg-fusion plot: --root)\n")
    assert main(["plot", "anomaly-scores", "--checkpoint", str(ckpt), "--root", str(moved),
                 "--out", out, "--threads", "1"]) == 0
