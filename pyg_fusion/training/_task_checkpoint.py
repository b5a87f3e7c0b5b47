"""What a :class:`~pyg_fusion.training._task.TimedAdamTask` saves in its
checkpoints beside the weights, and restores from them: the run's state
(``fit_state``), the epoch a checkpoint is dated by (:meth:`saved_epoch`), and
its loading, which needs the model (:meth:`load_from_checkpoint`)."""
from __future__ import annotations

import copy
from contextlib import contextmanager

import lightning as L


class CheckpointState:
    """The checkpoint hooks of :class:`~pyg_fusion.training._task.TimedAdamTask`
    (see the module docstring)."""

    # What a run has learnt beside the weights: the warm-ups' switch epochs,
    # the epochs' times and (subclasses) the model choice so far. Saved in
    # every checkpoint, so that a run resumed from one (``Trainer.fit(...,
    # ckpt_path=...)``) chooses among all its epochs, not only those after
    # the restart. The branches' switch too (no weight): a run resumed in the
    # epoch its branch starts restarts the head as the uninterrupted run does.
    fit_state = ("operator_start_epoch", "branch_start_epoch", "epoch_times", "first_loss",
                 "branches_on")

    def on_save_checkpoint(self, checkpoint):
        checkpoint["fit_state"] = {name: copy.deepcopy(getattr(self, name))
                                   for name in self.fit_state}
        if self._saved_epoch is not None:
            checkpoint["epoch"] = self._saved_epoch

    @contextmanager
    def saved_epoch(self, epoch: int):
        """Checkpoints saved within are dated by ``epoch`` (Lightning's
        ``"epoch"``, 0-based), the epoch of the weights they hold: the chosen
        epoch's model saved after ``trainer.fit`` (``best.ckpt``), which
        Lightning dates by the count of epochs trained, where a best
        checkpoint of Lightning's ``ModelCheckpoint`` is dated by its epoch.

        Args:
            epoch (int): the epoch of the weights saved.
        """
        self._saved_epoch = int(epoch)
        try:
            yield
        finally:
            self._saved_epoch = None

    # Lightning's own kind of classmethod (whatever its version makes it):
    # Lightning's refuses a call on an instance, whose return value, a new
    # task, is easily dropped for the instance believed loaded
    @type(L.LightningModule.__dict__["load_from_checkpoint"])
    def load_from_checkpoint(cls, checkpoint_path, *args, **kwargs):
        """Lightning's :meth:`~lightning.pytorch.core.LightningModule.load_from_checkpoint`,
        which here needs ``model=``: a checkpoint holds the model's weights
        and the task's settings (``hyper_parameters``), not the model, which
        may be any :class:`torch.nn.Module`. Pass one built as for training;
        the checkpoint's weights fill it."""
        # the model is not rebuilt from the checkpoint: a user's own module has
        # no recipe, and a run's config lacks the data's dimensions that its
        # model needs (model_from_checkpoint reads them from the data); Python's
        # TypeError named model and no way on
        if "model" not in kwargs:
            raise TypeError(
                f"{cls.__name__}.load_from_checkpoint(path) needs model=: the checkpoint holds "
                f"the model's weights and the task's settings, not the model; pass one built "
                f"as for training (e.g. model=pyg_fusion.methods.build_model(method, task, "
                f"in_channels, ...) with the run's options), which the weights then fill. A "
                f"checkpoint of `pyg-fusion train` is scored by `pyg-fusion evaluate "
                f"--checkpoint`, and pyg_fusion.experiments.checkpoints.model_from_checkpoint "
                f"rebuilds its model for its data")
        return super().load_from_checkpoint(checkpoint_path, *args, **kwargs)

    def on_load_checkpoint(self, checkpoint):
        # (a checkpoint written before the state was saved has none)
        for name, value in checkpoint.get("fit_state", {}).items():
            if name in self.fit_state:
                setattr(self, name, value)
