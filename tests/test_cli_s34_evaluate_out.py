"""pyg-fusion evaluate --out <the top folder of an interrupted train or
compare run> (method folders, no results.json yet) wrote its results.json
and logs beside the method folders; --out <a run's checkpoints folder> wrote
them beside the .ckpt files. Both are refused in one line, exit 2."""
import torch

from pyg_fusion.cli import main

COMMON = ["--threads", "1", "--no-progress"]


def _error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_evaluate_refuses_a_runs_top_folder_and_its_checkpoints_folder(tmp_path, capsys):
    # a compare run interrupted before its results.json: <method>/seed<k> with its log
    log = tmp_path / "c" / "lego" / "seed0" / "logs" / "version_0"
    log.mkdir(parents=True)
    (log / "metrics.csv").write_text("epoch,step,train_loss\n0,0,0.5\n", encoding="utf-8")
    ckpts = tmp_path / "t" / "lego" / "seed0" / "checkpoints"
    ckpts.mkdir(parents=True)
    torch.save({}, ckpts / "best.ckpt")
    ckpt = str(ckpts / "best.ckpt")
    top = tmp_path / "c"
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(top), *COMMON]) == 2
    assert _error(capsys) == (
        f"pyg-fusion evaluate: error: --out {str(top)!r} holds a training run's folder lego "
        f"(a folder of a pyg-fusion train or compare run), among whose scores.json and "
        f"logs evaluate would write its own: give another --out\n")
    assert sorted(p.name for p in top.iterdir()) == ["lego"]
    # an interrupted train run's top folder too
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(tmp_path / "t"), *COMMON]) == 2
    assert "holds a training run's folder lego" in _error(capsys)
    # a sweep's folder (sweep.json, no results.json) above its cells' seed folders
    cell = tmp_path / "s" / "P1_Q1" / "seed0" / "logs" / "version_0"
    cell.mkdir(parents=True)
    (cell / "metrics.csv").write_text("epoch,step,train_loss\n0,0,0.5\n", encoding="utf-8")
    (tmp_path / "s" / "sweep.json").write_text("[]", encoding="utf-8")
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(tmp_path / "s"), *COMMON]) == 2
    assert "holds a training run's folder P1_Q1" in _error(capsys)
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(ckpts), *COMMON]) == 2
    assert _error(capsys) == (
        f"pyg-fusion evaluate: error: --out {str(ckpts)!r} holds a training run's checkpoint "
        f"best.ckpt (the checkpoints folder of a pyg-fusion train run), among whose "
        f"scores.json and logs evaluate would write its own: give another --out\n")
    assert sorted(p.name for p in ckpts.iterdir()) == ["best.ckpt"]
    # a folder of a user's other folders is no run's
    (tmp_path / "u" / "notes" / "drafts").mkdir(parents=True)
    from pyg_fusion.cli.evaluate import _training_entry
    assert _training_entry(tmp_path / "u") is None
