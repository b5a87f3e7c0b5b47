"""docs/training.md's statements a user can check, held to the code."""
import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_training_md_names_the_stopping_callbacks_where_they_are():
    text = " ".join((ROOT / "docs" / "training.md").read_text().split())
    assert ("are in `pyg_fusion.training.stopping`: `EarlyStoppingAfter`, Lightning's early "
            "stopping not before `min_epochs`, and `OperatorWarmupAuto`, the phases of "
            "`operator_warmup=\"auto\"`" in text)
    from lightning.pytorch.callbacks import EarlyStopping

    from pyg_fusion.training.stopping import EarlyStoppingAfter, OperatorWarmupAuto
    assert issubclass(EarlyStoppingAfter, EarlyStopping)
    assert issubclass(OperatorWarmupAuto, EarlyStoppingAfter)
    assert "min_epochs" in inspect.signature(EarlyStoppingAfter).parameters


def test_the_pages_name_every_run_folder_evaluate_refuses(tmp_path):
    training = " ".join((ROOT / "docs" / "training.md").read_text().split())
    assert ("refuses a run folder of `train` or `compare` (`<method>/seed<k>`, its "
            "`checkpoints/`, the method's folder, or the run's top folder of an interrupted "
            "run, which has no `results.json` yet)" in training)
    bad_input = " ".join((ROOT / "docs" / "bad_input.md").read_text().split())
    assert ("(`<method>/seed<k>`, its `checkpoints` folder, the method's folder, or the run's "
            "top folder before its `results.json` is written:" in bad_input)
    assert "a training log) or of `sweep` (its cells), and says when" in bad_input
    from pyg_fusion.cli.evaluate import _training_entry
    ckpts = tmp_path / "run" / "lego" / "seed0" / "checkpoints"
    ckpts.mkdir(parents=True)
    (ckpts / "best.ckpt").write_bytes(b"")
    for out in (ckpts, ckpts.parent, ckpts.parent.parent, tmp_path / "run"):
        assert _training_entry(out) is not None, out
    cell = tmp_path / "sweep" / "P1_Q1" / "seed0" / "logs" / "version_0"
    cell.mkdir(parents=True)
    (cell / "metrics.csv").write_text("epoch,step,train_loss\n0,0,0.5\n", encoding="utf-8")
    assert _training_entry(tmp_path / "sweep") is not None
