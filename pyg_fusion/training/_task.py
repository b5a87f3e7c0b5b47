"""What the graph tasks' LightningModules share: the wrapped model, Adam,
the penalties of its LEGO operators (added to every training loss), their
warm-up (:class:`OperatorWarmupAuto` for ``operator_warmup="auto"``) and a
wall-clock time per training epoch (reported beside the metrics)."""
from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from contextlib import contextmanager

import lightning as L
import torch
from torch import nn

from .trainer import EarlyStoppingAfter

# A finite training loss this many times its first value (and the first
# value taken as at least 1, so that a loss that starts near 0 is not judged
# by its start) is a diverged run: a step too large for the weights, which
# overflows to Inf later or never (digits, lego, --lr 100: a loss of 1.5e11,
# 6.5e10 times the first, and a run that finished). Runs as recorded in
# benchmarks/results stay far below: at most 7 times with the defaults, 210
# times with motion-vad graph-product --lambda-sparse 0.5.
LOSS_GROWTH = 1e6


def check_operator_warmup(operator_warmup) -> None:
    """Raises a ValueError unless ``operator_warmup`` is an int >= 0 or
    ``"auto"``.

    Args:
        operator_warmup (int | str): the value to check.
    """
    if operator_warmup == "auto":
        return
    if not isinstance(operator_warmup, int) or isinstance(operator_warmup, bool) \
            or operator_warmup < 0:
        raise ValueError(f"operator_warmup must be an int >= 0 or 'auto', got "
                         f"{operator_warmup!r}")


class TimedAdamTask(L.LightningModule):
    """A model trained by Adam, with the warm-ups of its LEGO operators and
    of its branch.

    ``operator_warmup`` keeps the LEGO operators (A) at their start for that
    many epochs, or with ``"auto"`` until :class:`OperatorWarmupAuto` sees the
    held-out score plateau. ``branch_warmup`` keeps a model's branch (a
    module with ``branch_on``, e.g. :class:`~pyg_fusion.methods.vad.VADLEGO`'s
    GraphHead branch) off, that is at its start, while A does not train, and
    with ``operator_warmup="auto"`` also through A's phase: the branch then
    trains in a third phase, so that LEGO with its branch first trains as
    its row head alone does (``lego-row``).

    A training step that leaves the loss or a parameter NaN or infinite, or
    the loss :data:`LOSS_GROWTH` times its first value (a learning rate too
    large), ends the run with an error that gives the epoch and the loss and
    names ``lr`` and ``operator_lr`` (:func:`check_diverged`), in any trainer; so does a check in the
    training step that finds NaN or Inf made of finite inputs
    (:meth:`divergence_named`).
    """

    def __init__(self, model: nn.Module, lr: float, weight_decay: float,
                 operator_lr: float | None = None, operator_warmup: int | str = 0,
                 branch_warmup: bool = False):
        super().__init__()
        check_operator_warmup(operator_warmup)
        self.model = model
        self.lr, self.weight_decay, self.operator_lr = lr, weight_decay, operator_lr
        self.operator_warmup = operator_warmup
        # the first epoch in which A trains; with "auto" unknown (None: A
        # frozen) until OperatorWarmupAuto sees the held-out score plateau
        self.operator_start_epoch: int | None = (
            None if operator_warmup == "auto" else operator_warmup)
        # the first epoch in which the branch runs (None: not yet known); an
        # int warm-up frees it with A, "auto" after A's phase
        self.branch_warmup = bool(branch_warmup)
        self.branch_start_epoch: int | None = (
            0 if not branch_warmup else None if operator_warmup == "auto" else operator_warmup)
        self.epoch_times: list[float] = []
        # the first training loss, of every process (check_diverged)
        self.first_loss: float | None = None

    # What a run has learnt beside the weights: the warm-ups' switch epochs,
    # the epochs' times and (subclasses) the model choice so far. Saved in
    # every checkpoint, so that a run resumed from one (``Trainer.fit(...,
    # ckpt_path=...)``) chooses among all its epochs, not only those after
    # the restart.
    fit_state = ("operator_start_epoch", "branch_start_epoch", "epoch_times", "first_loss")

    def on_save_checkpoint(self, checkpoint):
        checkpoint["fit_state"] = {name: copy.deepcopy(getattr(self, name))
                                   for name in self.fit_state}

    def on_load_checkpoint(self, checkpoint):
        # (a checkpoint written before the state was saved has none)
        for name, value in checkpoint.get("fit_state", {}).items():
            if name in self.fit_state:
                setattr(self, name, value)

    def forward(self, batch):
        return self.model(batch)

    def penalty(self):
        """The sum of the anchor penalties of the model's LEGO operators
        (:meth:`~pyg_fusion.nn.LEGOFusion.penalty`; 0 without one)."""
        from ..nn import LEGOFusion
        terms = [m.penalty() for m in self.model.modules()
                 if isinstance(m, LEGOFusion) and m.lambda_anchor > 0]
        return sum(terms) if terms else 0.0

    def _operator_parameters(self):
        from ..nn import LEGOFusion
        return [p for m in self.model.modules() if isinstance(m, LEGOFusion)
                for p in m.parameters()]

    def branches(self) -> list[nn.Module]:
        """The model's modules with a branch that :attr:`branch_start_epoch`
        switches on (``branch_on``; see :class:`TimedAdamTask`)."""
        return [m for m in self.model.modules() if getattr(m, "graph_head", None) is not None
                and hasattr(m, "branch_on")]

    def _set_branches(self, epoch: int | None) -> None:
        start = self.branch_start_epoch
        on = epoch is None or (start is not None and epoch >= start)
        for m in self.branches():
            m.branch_on = on

    def on_before_optimizer_step(self, optimizer):
        # the warm-up: the head first learns on the start graph; without a
        # gradient Adam neither moves A nor decays it nor starts its moments,
        # so A's first step after the warm-up is Adam's first step of it
        start = self.operator_start_epoch
        if start is None or self.current_epoch < start:
            for p in self._operator_parameters():
                p.grad = None

    def configure_optimizers(self):
        if self.operator_lr is None:
            return torch.optim.Adam(self.parameters(), lr=self.lr,
                                    weight_decay=self.weight_decay)
        # the LEGO operators at their own rate: Adam moves every entry of A by
        # about lr per step whatever its gradient, and the terms of A that
        # start at 0 add whole graphs to G, so a rate that suits the head can
        # bury the starting term (a product of graphs, of small entries) at once
        operator = {id(p) for p in self._operator_parameters()}
        groups = [{"params": [p for p in self.parameters() if id(p) not in operator]},
                  {"params": [p for p in self.parameters() if id(p) in operator],
                   "lr": self.operator_lr}]
        return torch.optim.Adam([g for g in groups if g["params"]], lr=self.lr,
                                weight_decay=self.weight_decay)

    def on_fit_start(self):
        # "auto" leaves A frozen until OperatorWarmupAuto frees it: in a
        # trainer without that callback A never trained, and nothing said so
        if (self.operator_start_epoch is None and self._operator_parameters()
                and not any(isinstance(c, OperatorWarmupAuto) for c in self.trainer.callbacks)):
            raise ValueError("operator_warmup='auto' keeps the LEGO operators at their start "
                             "until an OperatorWarmupAuto callback "
                             "(pyg_fusion.training._task) ends the warm-up, and the trainer "
                             "has none, so they would never train: pass one in the Trainer's "
                             "callbacks (as fit_vad does), or give operator_warmup an int")

    @property
    def sanity_checking(self) -> bool:
        """Lightning's sanity check is running (a few validation batches
        before the first epoch, ``num_sanity_val_steps``): its scores are of
        part of the held-out data and of no trained epoch, so the tasks
        record and log none of them."""
        return self._trainer is not None and self.trainer.sanity_checking

    def _start_epoch(self):
        self._set_branches(self.current_epoch)
        self._t0 = time.perf_counter()

    def on_train_epoch_start(self):
        self._start_epoch()

    def on_train_start(self):
        # a run resumed from a checkpoint taken within an epoch goes on in
        # that epoch without on_train_epoch_start: its end read a clock never
        # started, and the branch kept the state it was built with
        self._start_epoch()

    def on_fit_end(self):
        # a branch that never ran is at its start (scores 0): running it
        # scores the same, and a model rebuilt from a checkpoint runs it
        self._set_branches(None)

    def on_train_epoch_end(self):
        self.epoch_times.append(time.perf_counter() - self._t0)

    def on_train_batch_end(self, outputs, batch, batch_idx):
        # a diverged run (a learning rate too large) went on with NaN: it ended
        # in the next forward's check of an internal tensor ("A contains NaN"),
        # which names nothing the user can change, or else recorded NaN scores
        loss = outputs.get("loss") if isinstance(outputs, Mapping) else outputs
        check_diverged(self, loss)
        # for the divergence message only: no autograd graph kept alive with it
        self._last_loss = loss.detach() if isinstance(loss, torch.Tensor) else loss

    @contextmanager
    def divergence_named(self, batch):
        """The block of a training step's forward and loss. After the first
        optimizer step, a check in it that finds NaN (or Inf) while every
        value of ``batch`` is finite found what the steps made of the
        weights (finite, but so large that a product of them overflowed):
        the error then says that training diverged, as
        :func:`check_diverged` does, with the check's own message.

        Args:
            batch: the training step's batch.
        """
        try:
            yield
        except ValueError as exc:
            if self.global_step == 0 or "NaN" not in str(exc) or not _finite(batch):
                raise
            loss = getattr(self, "_last_loss", None)
            after = "" if loss is None else f" after a training loss of {_value(loss)}"
            raise _diverged(self, f"the training step met NaN or Inf on finite inputs "
                            f"({exc}){after}") from exc


def _finite(batch) -> bool:
    """Whether every floating value of ``batch`` (a PyG graph or batch, a
    tensor, or a mapping of tensors) is finite; ``False`` for anything else
    (it cannot be told)."""
    if isinstance(batch, torch.Tensor):
        values = [batch]
    elif hasattr(batch, "to_dict"):
        values = list(batch.to_dict().values())
    elif isinstance(batch, Mapping):
        values = list(batch.values())
    else:
        return False
    return all(bool(torch.isfinite(v).all()) for v in values
               if isinstance(v, torch.Tensor) and v.is_floating_point())


def _value(loss) -> str:
    return f"{float(loss.detach().float().mean()):.4g}"


def _loss_weights(task: TimedAdamTask) -> list[str]:
    # the weights of the loss's terms that are on, by argument and flag
    from ..nn import LEGOFusion
    weights = {name: getattr(task, name) for name in ("lambda_deg", "lambda_sparse")
               if getattr(task, name, 0) > 0}
    anchors = [m.lambda_anchor for m in task.model.modules()
               if isinstance(m, LEGOFusion) and m.lambda_anchor > 0]
    if anchors:
        weights["lambda_anchor"] = max(anchors)
    return [f"{name} (--{name.replace('_', '-')}) {v:g}" for name, v in weights.items()]


def _diverged(task: TimedAdamTask, what: str, gradient: bool = False) -> ValueError:
    # the learning rates the task trains with, by argument and flag; with a
    # non-finite gradient of a finite loss, the loss's scale overflowed, which
    # its terms' weights set as much as the steps before did
    rates = f"lr (--lr) is {task.lr:g}"
    if task.operator_lr is not None:
        rates = f"rates: {rates}, operator_lr (--operator-lr) {task.operator_lr:g}"
    else:
        rates = f"rate: {rates}"
    weights = _loss_weights(task) if gradient else []
    also = f", or the weights of the loss's terms: {', '.join(weights)}" if weights else ""
    return ValueError(f"training diverged at epoch {task.current_epoch}: {what}; lower the "
                      f"learning {rates}{also}")


def check_diverged(task: TimedAdamTask, loss) -> None:
    """Raises a :class:`ValueError` when a training step of ``task`` left
    ``loss`` (the step's training loss, or ``None``) or a parameter of the
    model NaN or infinite, or the loss more than :data:`LOSS_GROWTH` times
    the first training loss of the run (``task.first_loss``, taken as at
    least 1): training diverged, and every later step and score would be NaN
    or meaningless. The error gives the epoch and the loss, and names the
    learning rates to lower (``lr``, and ``operator_lr`` when set), and the
    loss's weights (``lambda_*``) when a gradient was non-finite. One host
    synchronisation per step; under DDP the losses are compared by their
    largest over the processes, so that every process stops at the same
    step. The run's numbers are not touched.

    Args:
        task (TimedAdamTask): the task, after the optimizer's step.
        loss (torch.Tensor, optional): the step's training loss.
    """
    params = [(name, p) for name, p in task.named_parameters() if p.is_floating_point()]
    # NaN propagates through amax: one finite flag per tensor, read at once
    flags = [torch.isfinite(p.detach().abs().amax()) for _, p in params if p.numel()]
    size = None if loss is None else _largest(task, loss.detach().abs().amax().float())
    first = getattr(task, "first_loss", None)
    if size is not None:
        flags.append(torch.isfinite(size))
        if first is not None:
            flags.append(size <= LOSS_GROWTH * max(first, 1.0))
    if not flags or bool(torch.stack(flags).all()):
        if size is not None and first is None:
            task.first_loss = float(size)  # one more synchronisation, at the first step
        return
    if size is not None and not bool(torch.isfinite(size)):
        raise _diverged(task, f"the training loss is {_value(loss)}")
    bad = next(((name, p) for name, p in params if not bool(torch.isfinite(p.detach()).all())),
               None)
    if bad is None:  # every weight finite: the loss grew
        raise _diverged(task, f"the training loss is {float(size):.4g}, more than "
                        f"{LOSS_GROWTH:g} times its first value {first:.4g} (taken as at "
                        f"least 1)")
    bad, p = bad
    after = "" if loss is None else f" after a training loss of {_value(loss)}"
    gradient = p.grad is not None and not bool(torch.isfinite(p.grad).all())
    how = " (its gradient was non-finite)" if gradient else ""
    raise _diverged(task, f"the optimizer's step{after} made {bad} non-finite{how}", gradient)


def _largest(task: TimedAdamTask, value: torch.Tensor) -> torch.Tensor:
    """``value``, or under DDP its largest over the processes (each has its
    own batch and loss; one stopping alone would leave the others waiting)."""
    trainer = getattr(task, "_trainer", None)
    if trainer is None or trainer.world_size == 1:
        return value
    return trainer.strategy.reduce(value.clone(), reduce_op="max")


class OperatorWarmupAuto(EarlyStoppingAfter):
    r"""The warm-up ``operator_warmup="auto"`` and the early stopping of its
    phases, on a :class:`TimedAdamTask` whose ``operator_start_epoch`` is
    ``None`` (A frozen) at the start.

    Phase 1 trains with the LEGO operators at their start (the head learns on
    the start graph) until the rule of :class:`EarlyStoppingAfter` would end
    the run (``patience`` evaluations without a better score, not before
    ``min_epochs``) or ``phase_epochs`` epochs have run; A is then freed from
    the next epoch on (``operator_start_epoch``) and phase 2 starts a fresh
    patience count, still against the best score so far, so that it stops
    ``patience`` evaluations after the last improvement of either phase, or
    after ``phase_epochs`` more epochs. With the task's ``branch_warmup`` and
    a model with a branch, phase 2 ends the same way and frees the branch
    (``branch_start_epoch``) for a third phase, which, like phase 1, does not
    end before ``min_epochs`` epochs (the branch starts at zero). The model
    kept is the best of all phases (the task keeps its best state), so its
    held-out score is never below that of the start trained alone under the
    same rule, nor, with the branch warm-up, below that of the model without
    its branch.

    Args:
        *args: as :class:`EarlyStoppingAfter` (``monitor`` first).
        phase_epochs (int): the cap of each phase, in epochs (the trainer's
            ``max_epochs`` should be :meth:`num_phases` times it).
        **kwargs: as :class:`EarlyStoppingAfter` (``patience``, ``min_epochs``...).
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
        capped = epoch + 1 >= done[-1] + self.phase_epochs
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
