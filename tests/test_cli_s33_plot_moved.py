"""plot --checkpoint of a run whose recorded files were moved names plot's
own flags (--root), and says that evaluate, not plot, takes view files anew."""
from pyg_fusion.cli import main
from test_cli_s32_moved_tables import trained_on_tables, trained_on_vad_files


def test_plot_of_a_checkpoints_moved_views_names_no_flag_plot_lacks(tmp_path, capsys):
    data, ckpt = trained_on_tables(tmp_path, capsys, "lego", 30)
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
    root, ckpt = trained_on_vad_files(tmp_path, capsys)
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
