"""batches_into_epoch (a validation within the epoch, which EarlyStoppingAfter
does not count as an epoch trained) took every validation of an unsized
loader's epoch (an IterableDataset: num_training_batches inf) for one within
the epoch, its end included."""
import lightning as L
import torch
from torch.utils.data import DataLoader, IterableDataset, TensorDataset

from pyg_fusion.training.stopping import batches_into_epoch


class _Stream(IterableDataset):
    def __iter__(self):  # three batches, no len
        return iter([torch.ones(2, 2) * k for k in range(3)])


class _Module(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 1)
        self.seen = []

    def training_step(self, batch, i):
        return self.lin(batch).sum()

    def validation_step(self, batch, i):
        self.log("v", self.lin(batch[0]).sum())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), 0.1)

    def on_validation_end(self):
        self.seen.append(("val", batches_into_epoch(self.trainer)))

    def on_train_epoch_end(self):
        self.seen.append(("end", batches_into_epoch(self.trainer)))


def _fit(train, **kw):
    module = _Module()
    L.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
              enable_progress_bar=False, enable_model_summary=False,
              num_sanity_val_steps=0, **kw).fit(
        module, train, DataLoader(TensorDataset(torch.ones(2, 2)), batch_size=2))
    return module.seen


def test_an_unsized_epochs_end_is_no_validation_within_it():
    # was [('val', 3), ('end', 3)]
    assert _fit(DataLoader(_Stream(), batch_size=None)) == [("val", None), ("end", None)]


def test_a_validation_within_an_unsized_epoch_names_its_batches():
    seen = _fit(DataLoader(_Stream(), batch_size=None), val_check_interval=1)
    assert seen == [("val", 1), ("val", 2), ("val", None), ("end", None)]
