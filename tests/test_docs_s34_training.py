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
