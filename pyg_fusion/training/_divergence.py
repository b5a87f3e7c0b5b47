"""The check that a training step did not diverge (:func:`check_diverged`):
a loss or weight NaN or infinite, or the loss grown :data:`LOSS_GROWTH`
times its first value, ends the run with an error that names the learning
rates (and the loss's weights) to lower. Run by every
:class:`~pyg_fusion.training._task.TimedAdamTask` after each step."""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import torch

from .._option_rules import flag

if TYPE_CHECKING:
    from ._task import TimedAdamTask

# A finite training loss this many times its first value (and the first
# value taken as at least 1, so that a loss that starts near 0 is not judged
# by its start) is a diverged run: a step too large for the weights, which
# overflows to Inf later or never (digits, lego, --lr 100: a loss of 1.5e11,
# 6.5e10 times the first, and a run that finished). Runs as recorded in
# benchmarks/results stay far below: at most 7 times with the defaults, 210
# times with motion-vad graph-product --lambda-sparse 0.5.
LOSS_GROWTH = 1e6


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
    return [f"{name} ({flag(name)}) {v:g}" for name, v in weights.items()]


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
        loss (torch.Tensor or None): the step's training loss, or :obj:`None`.
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
    if p.dtype == torch.float16 and not gradient:
        # no rate helps (every run of precision="16-true" stopped at its
        # first step, at any lr): Adam divides by sqrt(v) + eps
        raise ValueError(
            f"training diverged at epoch {task.current_epoch}: the optimizer's step{after} "
            f"made {bad} non-finite of a finite gradient: the weights are float16 "
            f"(precision='16-true'), where Adam's eps (1e-8) is 0, so its step divides by "
            f"zero where a gradient is 0 or too small for its square in float16, at any "
            f"learning rate; train with precision='16-mixed' (float32 weights) or "
            f"'bf16-true'")
    how = " (its gradient was non-finite)" if gradient else ""
    raise _diverged(task, f"the optimizer's step{after} made {bad} non-finite{how}", gradient)


def _largest(task: TimedAdamTask, value: torch.Tensor) -> torch.Tensor:
    """``value``, or under DDP its largest over the processes (each has its
    own batch and loss; one stopping alone would leave the others waiting)."""
    trainer = getattr(task, "_trainer", None)
    if trainer is None or trainer.world_size == 1:
        return value
    return trainer.strategy.reduce(value.clone(), reduce_op="max")


class DivergenceChecks:
    """The training hooks of :class:`~pyg_fusion.training._task.TimedAdamTask`
    that end a diverged run with an error naming it: the check of each
    step's loss and :meth:`divergence_named` around a step's forward."""

    def on_train_batch_end(self, outputs, batch, batch_idx):
        # a diverged run (a learning rate too large) went on with NaN: it ended
        # in the next forward's check of an internal tensor ("A contains NaN"),
        # which names nothing the user can change, or else recorded NaN scores
        loss = outputs.get("loss") if isinstance(outputs, Mapping) else outputs
        if isinstance(loss, torch.Tensor) and self.trainer.accumulate_grad_batches > 1:
            # Lightning hands on the loss divided by accumulate_grad_batches (what
            # it back-propagates): the step's own loss is what the error reports
            loss = loss * self.trainer.accumulate_grad_batches
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
