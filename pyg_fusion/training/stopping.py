"""The callbacks that end a training run, or a phase of it, on the held-out
score: :class:`EarlyStoppingAfter` (early stopping not before ``min_epochs``)
and :class:`OperatorWarmupAuto` (the phases of ``operator_warmup="auto"``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from lightning.pytorch.callbacks import EarlyStopping

if TYPE_CHECKING:
    from ._task import TimedAdamTask


def batches_into_epoch(trainer) -> int | None:
    """The training batches of the current epoch done when a validation
    runs within that epoch (Lightning's ``val_check_interval`` below 1, or a
    number of batches), which tells its weights from those of the epoch's
    end; ``None`` for a validation at an epoch's end or outside ``fit``.

    Args:
        trainer (lightning.pytorch.Trainer): the trainer that validates.
    """
    from lightning.pytorch.trainer.states import TrainerFn
    if trainer is None or trainer.state.fn != TrainerFn.FITTING:
        return None
    progress = trainer.fit_loop.epoch_loop.batch_progress
    done = progress.current.completed
    # an unsized loader's epoch (num_training_batches inf) ends at its last batch,
    # which the count alone took for a validation within the epoch
    within = done < trainer.num_training_batches and not progress.is_last_batch
    return done if within else None


class EarlyStoppingAfter(EarlyStopping):
    r"""Lightning's :class:`~lightning.pytorch.callbacks.EarlyStopping`, which
    may end a run only from epoch ``min_epochs`` on: the run stops at the first
    evaluation at or after ``min_epochs`` epochs that comes ``patience``
    evaluations after the best score, whenever that best came.

    Written because ``Trainer(min_epochs=...)`` keeps a stop signalled before
    ``min_epochs`` and ends the run at ``min_epochs`` even when the score has
    improved since. :attr:`floor_start` (default 0) is the epoch from which
    the ``min_epochs`` count: a callback that starts a new part of the model
    from scratch moves it (:class:`OperatorWarmupAuto`).

    Args:
        *args (optional): as :class:`~lightning.pytorch.callbacks.EarlyStopping`.
        min_epochs (int, optional): epochs trained before the run may stop.
            (default: :obj:`0`)
        **kwargs (optional): as :class:`~lightning.pytorch.callbacks.EarlyStopping`.
    """

    def __init__(self, *args, min_epochs: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_epochs = min_epochs
        self.floor_start = 0
        self._held = None

    def state_dict(self) -> dict:
        # floor_start with Lightning's counts: a run resumed from a checkpoint
        # of a later phase keeps that phase's floor
        return {**super().state_dict(), "floor_start": self.floor_start}

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        self.floor_start = state_dict.get("floor_start", 0)

    def _hold(self, trainer, stop: bool) -> None:
        # the epochs trained: a validation within an epoch comes before its end
        # (val_check_interval < 1), which had counted as trained
        trained = trainer.current_epoch + (batches_into_epoch(trainer) is None)
        if trained < self.floor_start + self.min_epochs:
            trainer.should_stop = stop

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        stop = trainer.should_stop
        self._held = getattr(pl_module, "gathered_values", {}).get(self.monitor)
        super().on_train_epoch_end(trainer, pl_module)
        self._hold(trainer, stop)

    def on_validation_end(self, trainer, pl_module) -> None:
        stop = trainer.should_stop
        self._held = getattr(pl_module, "gathered_values", {}).get(self.monitor)
        super().on_validation_end(trainer, pl_module)
        self._hold(trainer, stop)

    def _evaluate_stopping_criteria(self, current):
        # the task's score (TimedAdamTask.log_gathered), by which it keeps its
        # best epoch, not Lightning's float32 of it: of two scores of one float32
        # the task chose the later and the patience counted from the earlier
        held = self._held
        if held is not None and float(torch.as_tensor(held).to(current.dtype)) == float(current):
            current = torch.as_tensor(float(held), dtype=torch.float64)
        return super()._evaluate_stopping_criteria(current)


class OperatorWarmupAuto(EarlyStoppingAfter):
    r"""The warm-up ``operator_warmup="auto"`` and the early stopping of its
    phases, on a :class:`~pyg_fusion.training._task.TimedAdamTask` whose ``operator_start_epoch`` is
    ``None`` (A frozen) at the start.

    Phase 1 trains with the LEGO operators at their start (the head learns on
    the start graph) until the rule of :class:`EarlyStoppingAfter` would end
    the run (``patience`` evaluations without a better score, not before
    ``min_epochs``) or ``phase_epochs`` epochs have run; A is then freed from
    the next epoch on (``operator_start_epoch``) and phase 2 starts a fresh
    patience count, still against the best score so far, so that it stops
    ``patience`` evaluations after the last improvement of either phase, or
    after ``phase_epochs`` more epochs. A phase starts at an epoch's start; with
    validations within the epoch (``val_check_interval`` below 1), a phase
    ended by its patience within an epoch starts the next at the next epoch,
    and the validations before it (of the ended phase's weights) may improve
    the best score but count toward neither phase's patience; a cap counts whole
    epochs trained. With the task's ``branch_warmup`` and
    a model with a branch, phase 2 ends the same way and frees the branch
    (``branch_start_epoch``) for a third phase, which, like phase 1, does not
    end before ``min_epochs`` epochs (the branch starts at zero). The model
    kept is the best of all phases (the task keeps its best state), so its
    held-out score is never below that of the start trained alone under the
    same rule, nor, with the branch warm-up, below that of the model without
    its branch.

    Args:
        *args (optional): as :class:`EarlyStoppingAfter` (``monitor`` first).
        phase_epochs (int): the cap of each phase, in epochs (the trainer's
            ``max_epochs`` should be :meth:`num_phases` times it).
        **kwargs (optional): as :class:`EarlyStoppingAfter` (``patience``,
            ``min_epochs``...).
    """

    def __init__(self, *args, phase_epochs: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.phase_epochs = phase_epochs

    @staticmethod
    def num_phases(task: TimedAdamTask) -> int:
        """The phases that ``task`` trains through: 3 with a branch to warm
        up (``branch_warmup`` and a model with a branch), else 2."""
        return 3 if task.branch_warmup and task.branches() else 2

    # Lightning's EarlyStopping checks at the end of the training epoch when
    # every epoch validates, else at the end of validation: the phase follows
    # the check wherever it ran
    def on_train_epoch_end(self, trainer, pl_module) -> None:
        super().on_train_epoch_end(trainer, pl_module)
        if not self._should_skip_check(trainer):
            # an epoch without validation (eval_every > 1) still counts toward
            # the phase's cap: only the cap can end the phase there
            self._phase(trainer, pl_module, cap_only=not self._check_on_train_epoch_end)

    def on_validation_end(self, trainer, pl_module) -> None:
        super().on_validation_end(trainer, pl_module)
        if not self._check_on_train_epoch_end and not self._should_skip_check(trainer):
            self._phase(trainer, pl_module)

    def _phase(self, trainer, pl_module, cap_only: bool = False) -> None:
        epoch = trainer.current_epoch
        starts = [0, pl_module.operator_start_epoch]
        if self.num_phases(pl_module) == 3:
            starts.append(pl_module.branch_start_epoch)
        done = [s for s in starts if s is not None]
        if epoch < done[-1]:
            # a validation after a phase change decided within this epoch
            # (val_check_interval < 1) scores the ended phase's weights: it
            # counted toward the next phase's patience, which could end that
            # phase, or the run, before it trained an epoch
            if not cap_only:
                trainer.should_stop = False
                self.wait_count = 0
            return
        # the epochs trained: a validation within an epoch ended a phase at
        # its cap half an epoch short (the last phase's run with it)
        trained = epoch + (batches_into_epoch(trainer) is None)
        capped = trained >= done[-1] + self.phase_epochs
        if not (capped or (trainer.should_stop and not cap_only)):
            return
        if len(done) == len(starts):  # the last phase has ended
            trainer.should_stop = True
            return
        if len(done) == 1:
            pl_module.operator_start_epoch = epoch + 1
        else:
            pl_module.branch_start_epoch = epoch + 1
            # the branch starts at zero, as the head did at epoch 0: the same
            # min_epochs before its phase may end
            self.floor_start = epoch + 1
        trainer.should_stop = False
        self.wait_count, self.stopped_epoch = 0, 0
