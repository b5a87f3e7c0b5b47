"""A LightningModule whose held-out score follows a script, for tests of the
callbacks that read it (early stopping, the operator's warm-up)."""
import lightning as L
import torch

from pyg_fusion.training.trainer import build_trainer


class Scripted(L.LightningModule):
    """Logs ``scores[epoch]`` as ``val_score``; one parameter, trained to 0.
    ``operator_start_epoch`` and ``branch_start_epoch`` are the attributes the
    warm-up callback moves; with ``branch_warmup`` it has a branch to warm up."""

    operator_start_epoch = None
    branch_start_epoch = None

    def __init__(self, scores, branch_warmup=False):
        super().__init__()
        self.scores = scores
        self.branch_warmup = branch_warmup
        self.w = torch.nn.Parameter(torch.zeros(1))

    def branches(self):
        return [self] if self.branch_warmup else []

    def training_step(self, batch, i):
        return (self.w ** 2).sum()

    def validation_step(self, batch, i):
        self.log("val_score", float(self.scores[self.current_epoch]))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def fit_scripted(scores, out_dir, callback, max_epochs, every=1, branch_warmup=False):
    """Fits :class:`Scripted` under ``callback``; returns the module and the
    last epoch trained (0-based)."""
    module = Scripted(scores, branch_warmup)
    data = torch.utils.data.DataLoader(torch.zeros(1, 1))
    trainer = build_trainer(out_dir, max_epochs=max_epochs, seed=0, progress=False,
                            checkpoint=False, num_sanity_val_steps=0,
                            check_val_every_n_epoch=every, callbacks=[callback])
    trainer.fit(module, data, data)
    return module, trainer.current_epoch - 1
