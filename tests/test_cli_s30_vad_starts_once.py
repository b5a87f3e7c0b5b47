"""compare found each VAD method's starts (vad_starts: probe models built,
the --init auto checks) once before the runs and again in every seed's run,
though VAD's data is one object for all seeds: run_grid finds them once per
method and every seed's run trains from those. Same numbers (checked by hand:
the tiny run below gave the same results.json values before and after)."""
import json

from pyg_fusion.cli import main


def test_vad_starts_once_per_method(tmp_path, monkeypatch, capsys):
    import pyg_fusion.experiments._vad_starts as V
    import pyg_fusion.experiments.run as R
    calls = []
    real = V.vad_starts

    def counted(td, spec):
        calls.append(spec.method)
        return real(td, spec)
    monkeypatch.setattr(V, "vad_starts", counted)
    monkeypatch.setattr(R, "vad_starts", counted)
    assert main(["compare", "--dataset", "synthetic-vad", "--num-segments", "8", "--method",
                 "lego", "--init", "auto", "--seeds", "0,1", "--epochs", "1", "--threads", "1",
                 "--root", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                 "--no-progress"]) == 0
    capsys.readouterr()
    assert calls == ["lego"]
    records = json.loads((tmp_path / "out" / "results.json").read_text())
    # both starts trained in each seed's run, the chosen one recorded
    assert {r["metric"] for r in records} >= {"auc", "start_mean", "val_loss_mean"}
    assert (tmp_path / "out" / "lego" / "seed1" / "init_mean").is_dir()
