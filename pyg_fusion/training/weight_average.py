"""An exponential moving average of the weights that the held-out videos
score and that the task keeps as its best state (:class:`HeldOutEMA`)."""
from __future__ import annotations

from lightning.pytorch.callbacks import WeightAveraging
from torch.optim.swa_utils import get_ema_multi_avg_fn


class HeldOutEMA(WeightAveraging):
    r"""Lightning's :class:`~lightning.pytorch.callbacks.WeightAveraging` with
    torch's exponential moving average: after every optimizer step
    :math:`\bar\theta \leftarrow d\,\bar\theta + (1 - d)\,\theta`, and every
    validation scores :math:`\bar\theta`.

    Why: with a few steps per epoch at Adam 1e-2 the held-out loss of a VAD
    run jumps between epochs (SyntheticVAD, relational regime, ``lego`` seed 4:
    0.45 to 1.25 from one epoch to the next late in training), so the epoch of
    lowest held-out loss is the luckiest of many noisy draws. The average
    moves slowly, and the epoch chosen is one of its states.

    Lightning's callback puts the current weights back at the end of the
    validation epoch, which runs before the task's own hook records its best
    state; here they come back at the end of validation, so the state the
    task keeps (and tests) is the average that was scored. Checkpoints hold
    the module's weights as they are when saved (``best.ckpt``: the
    recorded average), not the callback's running average.

    Args:
        decay (float): :math:`d`, in (0, 1); each step's weights count with
            a time constant of about :math:`1 / (1 - d)` steps.
    """

    def __init__(self, decay: float):
        if not 0 < decay < 1:
            raise ValueError(f"decay must be in (0, 1), got {decay!r}")
        super().__init__(multi_avg_fn=get_ema_multi_avg_fn(decay))
        self.decay = float(decay)

    def on_validation_epoch_end(self, trainer, pl_module) -> None:
        pass  # the average stays in place until the task has recorded it

    def on_validation_end(self, trainer, pl_module) -> None:
        if self._average_model is not None:
            self._swap_models(pl_module)

    def on_save_checkpoint(self, trainer, pl_module, checkpoint) -> None:
        pass  # the module's own weights (see the class docstring)

    def on_load_checkpoint(self, trainer, pl_module, checkpoint) -> None:
        pass
