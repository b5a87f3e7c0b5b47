"""``build_trainer(..., logger=True)`` (Lightning's "the default logger")
wrote Lightning's default, ``out_dir/lightning_logs/`` (a TensorBoard log
where tensorboard is installed), not build_trainer's CSV log under ``name``,
which ``evaluate`` reads."""
from pathlib import Path

from lightning.pytorch.loggers import CSVLogger

from pyg_fusion.training import build_trainer


def test_logger_true_is_the_csv_log_under_name(tmp_path):
    trainer = build_trainer(tmp_path, logger=True, name="mine", progress=False, seed=None)
    assert isinstance(trainer.logger, CSVLogger)
    assert Path(trainer.logger.log_dir).parent == tmp_path / "mine"
    assert build_trainer(tmp_path, logger=False, progress=False, seed=None).logger is None
