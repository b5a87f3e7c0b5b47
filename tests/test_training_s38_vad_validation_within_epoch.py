"""A trainer that validates within the epoch (``val_check_interval`` below
1) validated a VAD task twice an epoch and recorded both validations as the
same ``epoch``: the best kept could be the weights of half an epoch, said to
be the epoch's. Each record now names the training batches of the epoch done
before it (``epoch_batches``), and a validation within an epoch does not
count the epoch as trained for ``EarlyStoppingAfter``'s ``min_epochs``."""
import pytest
from lightning.pytorch.callbacks import Callback
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training import build_trainer
from pyg_fusion.training.stopping import EarlyStoppingAfter
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD


class _Records(Callback):
    def __init__(self):
        self.best, self.steps = [], []

    def on_validation_end(self, trainer, pl_module):
        self.best.append(dict(pl_module.best))
        self.steps.append(trainer.global_step)


def _fit(tmp_path, callbacks=(), **trainer_kw):
    videos = SyntheticVAD(str(tmp_path / "svad"), "train", num_videos=(8, 8),
                          snippets=(16, 24), num_segments=8, log=False)
    inch = {s: int(videos[0][f"x_{s}"].size(1)) for s in videos[0].sources}
    task = WeaklySupervisedVAD(build_model("graph-mean", "vad", inch, num_segments=8))
    records = _Records()
    trainer = build_trainer(tmp_path / "run", progress=False, num_sanity_val_steps=0,
                            callbacks=[records, *callbacks], **trainer_kw)
    loader = DataLoader(IndexedDataset(videos), batch_size=4)  # 2 batches an epoch
    trainer.fit(task, loader, loader)
    return task, records


@pytest.mark.parametrize("interval", [0.5, 1.0])
def test_a_validation_within_the_epoch_names_its_batches(tmp_path, interval):
    task, records = _fit(tmp_path, max_epochs=1, val_check_interval=interval)
    first = records.best[0]  # the first validation is the best so far
    if interval == 1.0:  # one validation an epoch: its record as before
        assert records.steps == [2] and set(first) == {"val_video_auc", "val_loss",
                                                       "val_score", "epoch"}
        return
    assert records.steps == [1, 2]
    # before: {"epoch": 0} alone, as the validation at the epoch's end
    assert first["epoch"] == 0 and first["epoch_batches"] == 1
    end = records.best[1]
    assert end == first or "epoch_batches" not in end  # the end of epoch 0: the whole epoch


def test_min_epochs_is_not_reached_within_the_epoch(tmp_path):
    # a stop asked at every validation: before, the run ended after the first
    # batch, at the validation within epoch 0, although min_epochs=1
    stop = EarlyStoppingAfter("val_score", mode="max", stopping_threshold=-1e9, min_epochs=1)
    _, records = _fit(tmp_path, callbacks=[stop], max_epochs=3, val_check_interval=0.5)
    assert records.steps == [1, 2]  # epoch 0 whole, then stopped
