"""compare --method lego --val-fraction 0 (a stream with one abnormal training
video) named --init auto's need of held-out videos; with --init product the next
run was refused for --operator-warmup auto, which lego's defaults set too. Both
are named in the first error."""
from pyg_fusion.cli import main


def test_lego_without_held_out_videos_names_init_and_warmup_at_once(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", "--dataset", "synthetic-vad", "--num-segments", "8", "--root",
                 str(tmp_path / "data"), "--method", "lego", "--epochs", "1",
                 "--val-fraction", "0", "--seeds", "0", "--no-progress", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "--init auto chooses the start" in err and "--init product or mean" in err
    assert "--operator-warmup auto needs it too (or an int --operator-warmup" in err
    assert not out.exists() or not any(out.iterdir())
