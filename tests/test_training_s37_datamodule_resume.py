"""A run resumed from its checkpoint trains as the uninterrupted one also when
its loaders come from a hook (a ``LightningDataModule``'s
``train_dataloader``, or the module's own), which a resumed run calls again:
the loader it makes has a fresh generator, which drew the first epoch's
batch order again."""
import lightning as L
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training import build_trainer, seed_everything
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD


class _Data(L.LightningDataModule):
    def __init__(self, train, workers):
        super().__init__()
        self.train, self.workers = IndexedDataset(train), workers

    def _loader(self, **kw):
        return DataLoader(self.train, batch_size=4, num_workers=int(bool(self.workers)),
                          persistent_workers=self.workers == "persistent", **kw)

    def train_dataloader(self):  # the batches' order draws from the loader's own generator
        return self._loader(shuffle=True, generator=torch.Generator().manual_seed(0))

    def val_dataloader(self):
        return self._loader()


@pytest.mark.parametrize("workers", [0, 1, "persistent"])
def test_a_run_on_a_datamodule_resumes_as_the_whole_run(tmp_path, workers):
    # before: the resumed epochs drew the first epoch's batch order again: other weights
    train = SyntheticVAD(str(tmp_path / "svad"), "train", num_videos=(8, 7), snippets=(16, 24),
                         num_segments=8, log=False)
    inch = {s: int(train[0][f"x_{s}"].size(1)) for s in train[0].sources}
    ckpt = tmp_path / "cut" / "checkpoints" / "last.ckpt"
    tasks = {}
    for name, folder, epochs, resume in (("whole", "whole", 3, None), ("cut", "cut", 1, None),
                                         ("resumed", "cut", 3, ckpt)):
        seed_everything(0)
        tasks[name] = WeaklySupervisedVAD(build_model("lego", "vad", inch, num_segments=8))
        trainer = build_trainer(tmp_path / folder, max_epochs=epochs, seed=0, progress=False,
                                num_sanity_val_steps=0)
        trainer.fit(tasks[name], datamodule=_Data(train, workers), ckpt_path=resume)
    whole, resumed = tasks["whole"].state_dict(), tasks["resumed"].state_dict()
    assert all(torch.equal(whole[k], resumed[k]) for k in whole)
