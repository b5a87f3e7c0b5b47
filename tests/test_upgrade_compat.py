"""A user upgrading pyg_fusion keeps what the previous release wrote: its
output folders are not replaced without a word."""
import json

from pyg_fusion.cli import main


def _sweep(tmp_path, out, q):
    return main(["sweep", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--p", "1", "--q", q, "--epochs", "1",
                 "--no-progress", "--out", str(out)])


def test_a_sweep_into_a_used_out_says_it_replaces_sweep_json(tmp_path, capsys):
    """A second sweep into an --out holding one (the earlier release's, whose
    sweep.json is the same list of records) replaced sweep.json with its own
    grid without a word, as train and compare do not."""
    out = tmp_path / "sweep"
    assert _sweep(tmp_path, out, "1..2") == 0
    assert "notice" not in capsys.readouterr().err  # a new folder: nothing to say
    assert _sweep(tmp_path, out, "1") == 0
    err = capsys.readouterr().err
    assert f"notice: --out {out} holds an earlier sweep" in err, err
    records = json.loads((out / "sweep.json").read_text())
    assert sorted({(r["P"], r["Q"]) for r in records}) == [(1, 1)]  # this grid's
    assert (out / "P1_Q2").is_dir()  # the earlier grid's cell stays in its folder
