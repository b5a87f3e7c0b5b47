"""The title plot gives a figure of a checkpoint names its seed once and the
folders that tell a run's checkpoints apart (a start, a restart)."""
import torch

from pyg_fusion.cli._plot_inputs import checkpoint_title


def _checkpoint(path):
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": {}, "hyper_parameters": {"config": {
        "method": "lego", "dataset": "synthetic-vad", "setting": "multi_representation",
        "seed": 3}}}, path)
    return str(path)


def test_a_checkpoints_title_names_its_seed_once_and_its_start_and_restart(tmp_path):
    run = tmp_path / "out" / "lego" / "seed3"
    head = "A: lego on synthetic-vad (multi_representation), seed 3"
    # it said 'seed 3 (seed3/best.ckpt)', and '(restart1/last.ckpt)' for either start's
    assert checkpoint_title(_checkpoint(run / "checkpoints" / "best.ckpt"), "A") == \
        f"{head} (best.ckpt)"
    assert checkpoint_title(_checkpoint(run / "init_product" / "restart1" / "checkpoints" /
                                        "last.ckpt"), "A") == \
        f"{head} (init_product/restart1/last.ckpt)"
    assert checkpoint_title(_checkpoint(tmp_path / "copied" / "model.ckpt"), "A") == \
        f"{head} (copied/model.ckpt)"
