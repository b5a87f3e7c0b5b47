"""experiments.checkpoints after the data of a checkpoint moved to
experiments._checkpoint_data: the names other modules import from
checkpoints are the moved ones, and each file stays within ~400 lines."""
from pathlib import Path

from pyg_fusion.experiments import _checkpoint_data, checkpoints


def test_checkpoints_reexports_the_moved_names_and_both_stay_small():
    for name in ("FROM_CHECKPOINT", "checkpoint_data", "_check_label_rate", "_check_vad_given"):
        assert getattr(checkpoints, name) is getattr(_checkpoint_data, name), name
    for mod in (checkpoints, _checkpoint_data):
        assert len(Path(mod.__file__).read_text().splitlines()) <= 400, mod.__name__
