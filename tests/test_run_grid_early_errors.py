"""A grid's method that cannot run is named before any method trains: the
grid's earlier methods trained (hours, in a long comparison) before the error."""
from pyg_fusion.cli import main


def test_an_auto_start_without_held_out_videos_is_named_before_any_run(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", "--dataset", "synthetic-vad", "--num-segments", "8", "--root",
                 str(tmp_path / "data"), "--method", "graph-mean,lego", "--epochs", "1",
                 "--val-fraction", "0", "--operator-warmup", "0", "--seeds", "0",
                 "--no-progress", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err == ("pyg-fusion compare: error: --init auto chooses the start on held-out "
                   "videos: it needs --val-fraction > 0 (or --init product or mean), got "
                   "--val-fraction 0.0")
    assert not (out / "graph-mean").exists() and not (out / "results.partial.json").exists()


def test_an_auto_warmup_without_held_out_videos_is_named_before_any_run(tmp_path, capsys):
    """compare --method graph-mean,lego-row --operator-warmup auto --val-fraction 0
    trained graph-mean, then failed with "operator_warmup='auto' ... needs
    val_fraction > 0", naming fit_vad's arguments, not the flags typed."""
    out = tmp_path / "out"
    code = main(["compare", "--dataset", "synthetic-vad", "--num-segments", "8", "--root",
                 str(tmp_path / "data"), "--method", "graph-mean,lego-row", "--epochs", "1",
                 "--val-fraction", "0", "--operator-warmup", "auto", "--init", "product",
                 "--seeds", "0", "--no-progress", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == (
        "pyg-fusion compare: error: --operator-warmup auto ends the warm-up when the held-out "
        "score stops improving: it needs --val-fraction > 0 and --patience (or an int "
        "--operator-warmup), got --val-fraction 0.0, --patience 10"), err
    assert not (out / "graph-mean").exists() and not (out / "results.partial.json").exists()

