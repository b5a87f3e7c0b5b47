"""compare and sweep interrupted after some runs finished said only 'what
finished is under OUT'; a rerun of the same command trained every run again
(its finished runs reused only under --resume, which no line named). The
interruption now names the partial file and --resume; train, which has no
--resume, says what it said."""
import pytest

from pyg_fusion.cli import main


def _grid(partial):
    def run_grid(data, methods, seeds, *, out, **kwargs):
        (out / "lego" / "seed0").mkdir(parents=True)
        (out / "lego" / "seed0" / "metrics.csv").write_text("")  # a finished run's file
        if partial:
            (out / "results.partial.json").write_text("[]")
        raise KeyboardInterrupt
    return run_grid


@pytest.mark.parametrize("command", ["compare", "train"])
def test_an_interrupted_grid_says_how_to_resume(tmp_path, capsys, monkeypatch, command):
    import pyg_fusion.experiments.run as run
    monkeypatch.setattr(run, "run_grid", _grid(command == "compare"))
    out = tmp_path / "out"
    assert main([command, "--dataset", "digits", "--method", "lego", "--seeds", "0",
                 "--no-progress", "--out", str(out), "--threads", "1"]) == 130
    said = f"what finished is under {out}"
    if command == "compare":
        said += ", its runs in results.partial.json: rerun with --resume to reuse them"
    assert capsys.readouterr().err == f"pyg-fusion {command}: interrupted; {said}\n"


def test_an_interrupted_sweep_says_how_to_resume(tmp_path, capsys, monkeypatch):
    import pyg_fusion.experiments.run as R

    out = tmp_path / "out"

    def one_cell(td, method, seed, out_dir, **kwargs):
        (out / "sweep.partial.json").write_text("[]")  # a finished cell's records
        raise KeyboardInterrupt

    monkeypatch.setattr(R, "_run_method", one_cell)
    assert main(["sweep", "--dataset", "digits", "--root", str(tmp_path / "data"),
                 "--p", "1", "--q", "1", "--epochs", "1", "--no-progress",
                 "--out", str(out), "--threads", "1"]) == 130
    assert capsys.readouterr().err.endswith(
        f"interrupted; what finished is under {out}, its runs in sweep.partial.json: rerun "
        f"with --resume to reuse them\n")


def test_an_interrupted_run_names_the_last_epoch_it_keeps(tmp_path, capsys, monkeypatch):
    """segment train (and train) interrupted mid-run kept the last epoch's
    checkpoint in OUT/<stage>.partial/checkpoints/last.ckpt, which the next
    run into OUT removes, and said 'nothing had finished, OUT holds no result
    of this run': the checkpoint was lost on a rerun without a word."""
    import pyg_fusion.experiments.run as run
    out = tmp_path / "out"

    def run_grid(data, methods, seeds, *, out, **kwargs):
        stage = out / "lego" / "seed0.partial" / "checkpoints"
        stage.mkdir(parents=True)
        (stage / "last.ckpt").write_bytes(b"")
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "run_grid", run_grid)
    assert main(["train", "--dataset", "digits", "--method", "lego", "--seeds", "0",
                 "--no-progress", "--out", str(out), "--threads", "1"]) == 130
    last = out / "lego" / "seed0.partial" / "checkpoints" / "last.ckpt"
    assert capsys.readouterr().err == (
        f"pyg-fusion train: interrupted; nothing had finished, {out} holds no result of this "
        f"run (the unfinished run's last epoch: {last}, removed by the next run into {out}: "
        f"move it to keep it)\n")
