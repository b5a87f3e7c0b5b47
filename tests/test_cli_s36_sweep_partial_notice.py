"""pyg-fusion sweep into the --out of an interrupted sweep said that its
sweep.json, sweep.txt and sweep.png are replaced once the new grid finishes,
but not that its sweep.partial.json (the records of the cells it finished) is replaced once the new grid's first cell is: a user
who reran it lost them without a word. The notice names it."""
import pyg_fusion.experiments.data as data
from pyg_fusion.cli import main


def _stop(*args, **kwargs):
    raise ValueError("stopped before the data")


def test_the_notice_names_an_interrupted_sweeps_records(tmp_path, monkeypatch, capsys):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "sweep.partial.json").write_text("[]")
    monkeypatch.setattr(data, "load_data", _stop)
    assert main(["sweep", "--out", str(out), "--root", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert ("its sweep.partial.json (the runs an interrupted sweep finished) is replaced once "
            "this grid's first run finishes: pass --resume to reuse them, or copy it "
            "elsewhere to keep it") in err, err
    assert (out / "sweep.partial.json").read_text() == "[]"


def test_a_finished_sweeps_notice_is_as_before(tmp_path, monkeypatch, capsys):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "sweep.json").write_text("[]")
    monkeypatch.setattr(data, "load_data", _stop)
    assert main(["sweep", "--out", str(out), "--root", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert "holds an earlier sweep" in err and "sweep.partial.json" not in err, err
