"""sweep found a VAD method's starts (vad_starts: probe models built, the
--init auto checks) in every (cell, seed) run, though VAD's data is one object
for every seed. The starts follow the cell's spec (its P/Q powers build the
probe models), so sweep finds them once per cell and every seed of the cell
trains from them. Same numbers (checked by hand: a 2-cell, 2-seed sweep gave
the same sweep.json values before and after, timings aside)."""
import json

from pyg_fusion.cli import main


def test_sweep_finds_vad_starts_once_per_cell(tmp_path, monkeypatch, capsys):
    import pyg_fusion.experiments._vad_starts as V
    import pyg_fusion.experiments.run as R
    calls = []
    real = V.vad_starts

    def counted(td, spec):
        calls.append(spec.to_dict())
        return real(td, spec)
    monkeypatch.setattr(V, "vad_starts", counted)
    monkeypatch.setattr(R, "vad_starts", counted)
    assert main(["sweep", "--dataset", "synthetic-vad", "--num-segments", "8", "--method",
                 "lego", "--init", "auto", "--p", "1,2", "--q", "1", "--seeds", "0,1",
                 "--epochs", "1", "--threads", "1", "--root", str(tmp_path / "data"),
                 "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    capsys.readouterr()
    # one per cell, each with its cell's powers
    assert len(calls) == 2 and calls[0] != calls[1]
    records = json.loads((tmp_path / "out" / "sweep.json").read_text())
    assert {(r["P"], r["Q"]) for r in records} == {(1, 1), (2, 1)}
    assert (tmp_path / "out" / "P2_Q1" / "seed1" / "init_mean").is_dir()
