"""A caller's own ModelCheckpoint beside build_trainer's best.ckpt and
last.ckpt (every fit_* that takes trainer_kwargs passes it through)."""
import re

import pytest
import torch
from lightning.pytorch.callbacks import ModelCheckpoint

from pyg_fusion.methods import build_model
from pyg_fusion.training.node import NodeClassification, single_graph_loader
from pyg_fusion.training.trainer import build_trainer
from test_training_node import _toy_graph


def _task():
    return NodeClassification(build_model("graph-mean", "node", {"a": 4, "b": 3},
                                          num_classes=3, k=5))


@pytest.mark.parametrize("own", [{}, {"monitor": "val_acc", "mode": "max"}])
def test_a_users_model_checkpoint_sits_beside_the_runs_own(tmp_path, own):
    # before: "Found more than one stateful callback of type `ModelCheckpoint`"
    # (a plain ModelCheckpoint had last.ckpt's state key, this one best.ckpt's)
    mine = ModelCheckpoint(dirpath=tmp_path / "mine", save_last=True, **own)
    trainer = build_trainer(tmp_path / "run", max_epochs=1, progress=False,
                            monitor="val_acc", callbacks=[mine])
    loader = single_graph_loader(_toy_graph())
    trainer.fit(_task(), loader, loader)
    assert {p.name for p in (tmp_path / "run" / "checkpoints").iterdir()} == {"best.ckpt",
                                                                              "last.ckpt"}
    assert (tmp_path / "mine" / "last.ckpt").is_file() and mine.best_model_path
    saved = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", weights_only=True)
    assert len([k for k in saved["callbacks"] if "ModelCheckpoint" in k]) == 3


def test_a_checkpoint_under_lightnings_keys_resumes_its_best_score(tmp_path):
    loader = single_graph_loader(_toy_graph())
    build_trainer(tmp_path / "run", max_epochs=1, progress=False, monitor="val_acc").fit(
        _task(), loader, loader)
    last = tmp_path / "run" / "checkpoints" / "last.ckpt"
    saved = torch.load(last, weights_only=True)
    # as a run saved them before _RunCheckpoint: Lightning's ModelCheckpoint keys
    saved["callbacks"] = {re.sub(r", 'filename': '(best|last)'}$", "}", k): v
                          for k, v in saved["callbacks"].items()}
    assert sum(k.startswith("ModelCheckpoint{") for k in saved["callbacks"]) == 2
    assert not any("filename" in k for k in saved["callbacks"])
    torch.save(saved, last)
    trainer = build_trainer(tmp_path / "run", max_epochs=1, progress=False, monitor="val_acc")
    trainer.fit(_task(), loader, loader, ckpt_path=last)  # no epoch left: restores only
    best = trainer.checkpoint_callback
    assert best.filename == "best" and best.best_model_score is not None
    assert best.best_model_path == str(tmp_path / "run" / "checkpoints" / "best.ckpt")


def test_build_trainer_takes_callbacks_and_plugins_as_lightning_does(tmp_path):
    # before: callbacks=ModelCheckpoint(...) or None, plugins=None: "'ModelCheckpoint'
    # object is not iterable"; a CheckpointIO of the caller's: "Received multiple values
    # for CheckpointIO flags in `plugins`"
    from lightning.pytorch.plugins.io import AsyncCheckpointIO, TorchCheckpointIO

    from pyg_fusion.training.seeding import RandomStates
    from pyg_fusion.training.trainer import AtomicCheckpointIO
    mine = ModelCheckpoint(dirpath=tmp_path / "mine")
    trainer = build_trainer(tmp_path / "run", max_epochs=1, progress=False, callbacks=mine)
    assert mine in trainer.callbacks
    assert any(isinstance(c, RandomStates) for c in trainer.callbacks)
    assert isinstance(trainer.strategy.checkpoint_io, AtomicCheckpointIO)
    trainer = build_trainer(tmp_path / "run", max_epochs=1, progress=False, callbacks=None,
                            plugins=None)
    assert isinstance(trainer.strategy.checkpoint_io, AtomicCheckpointIO)
    plain = TorchCheckpointIO()
    trainer = build_trainer(tmp_path / "run", max_epochs=1, progress=False, plugins=plain)
    assert trainer.strategy.checkpoint_io is plain
    later = AsyncCheckpointIO()
    trainer = build_trainer(tmp_path / "run", max_epochs=1, progress=False, plugins=[later])
    assert trainer.strategy.checkpoint_io is later
    assert isinstance(later.checkpoint_io, AtomicCheckpointIO)
    later.teardown()


def test_a_trainer_lightning_refuses_leaves_the_process_flags_as_they_were(tmp_path):
    # before: Lightning had set deterministic algorithms (and CUBLAS_WORKSPACE_CONFIG)
    # for the process before it refused val_check_interval, and they stayed
    import os

    from pyg_fusion.training.trainer import _torch_flags
    before = (_torch_flags(), os.environ.get("CUBLAS_WORKSPACE_CONFIG"))
    with pytest.raises(Exception, match="val_check_interval"):
        build_trainer(tmp_path, max_epochs=1, progress=False, val_check_interval=-1)
    assert (_torch_flags(), os.environ.get("CUBLAS_WORKSPACE_CONFIG")) == before


def test_a_users_own_progress_bar_is_the_runs(tmp_path):
    # before: refused with progress=True ("multiple progress bar callbacks") and
    # with progress=False ("enable_progress_bar=False but found TQDMProgressBar")
    from lightning.pytorch.callbacks import ProgressBar, TQDMProgressBar
    mine = TQDMProgressBar(refresh_rate=10)
    trainer = build_trainer(tmp_path, max_epochs=1, callbacks=[mine])
    assert [c for c in trainer.callbacks if isinstance(c, ProgressBar)] == [mine]
    assert trainer.progress_bar_callback is mine
