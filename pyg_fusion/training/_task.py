"""What the graph tasks' LightningModules share: the wrapped model, Adam,
the penalties of its LEGO operators (added to every training loss), their
warm-up (:class:`~pyg_fusion.training.stopping.OperatorWarmupAuto` for
``operator_warmup="auto"``) and a
wall-clock time per training epoch (reported beside the metrics)."""
from __future__ import annotations

import copy
import time
from contextlib import contextmanager

import lightning as L
from lightning.pytorch.trainer.states import TrainerFn
import torch
from torch import nn

# LOSS_GROWTH and check_diverged stay importable from here, as the tasks document them
from .._option_rules import ADAM_RULES, check_int, check_rule
from ._divergence import (LOSS_GROWTH, DivergenceChecks, _diverged, _finite,  # noqa: F401
                          _value, check_diverged)  # noqa: F401
from ._precision import precision_batch
from ._task_checkpoint import CheckpointState
from .stopping import OperatorWarmupAuto

# where operator_lr_warmup starts A's rate, as a share of it: about the ratio of the
# product of the sources' graphs (LEGO's VAD start, mean entry 1e-4 to 2e-3) to the
# terms that A's other entries add (0.03 to 1), so that its first steps add
# terms on the product's scale
OPERATOR_LR_WARMUP_FROM = 1e-3


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


class TimedAdamTask(DivergenceChecks, CheckpointState, L.LightningModule):
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

    Args:
        model (torch.nn.Module): the model trained.
        lr (float): Adam's learning rate.
        weight_decay (float): Adam's weight decay.
        operator_lr (float, optional): Adam's learning rate of the LEGO operators
            (:class:`~pyg_fusion.nn.LEGOFusion` parameters; ``None``: ``lr``).
            (default: :obj:`None`)
        operator_warmup (int or str, optional): epochs at the start during which the LEGO
            operators keep their values, or :obj:`"auto"` (see above). (default: :obj:`0`)
        branch_warmup (bool, optional): the model's branch stays off while the operators
            keep their values (see above). (default: :obj:`False`)
        branch_fresh_head (bool, optional): with ``branch_warmup``, the row head (the
            branch's module's ``head``) starts afresh, its weights re-initialised and its
            Adam state dropped, in the epoch the branch starts, so that the branch learns
            from a loss that the warm-up's head has not already brought down.
            (default: :obj:`False`)
        operator_lr_warmup (int, optional): epochs over which the LEGO operators'
            learning rate rises, from their first epoch of training, geometrically from
            :obj:`OPERATOR_LR_WARMUP_FROM` times their rate to their rate (epoch k of A at
            ``OPERATOR_LR_WARMUP_FROM ** (1 - k / operator_lr_warmup)`` times it); 0: no
            ramp. (default: :obj:`0`)
    """

    def __init__(self, model: nn.Module, lr: float, weight_decay: float,
                 operator_lr: float | None = None, operator_warmup: int | str = 0,
                 branch_warmup: bool = False, branch_fresh_head: bool = False,
                 operator_lr_warmup: int = 0):
        super().__init__()
        if not isinstance(model, nn.Module):  # (an AttributeError later, or at fit start)
            raise TypeError(f"model must be a torch.nn.Module (e.g. of "
                            f"pyg_fusion.methods.build_model), got {type(model).__name__}")
        from ..specs.options import plain
        # Python's floats: Adam keeps them in every checkpoint (a numpy scalar
        # there fails torch.load(weights_only=True)), and computes as with them
        lr, weight_decay, operator_lr = plain(lr), plain(weight_decay), plain(operator_lr)
        # torch's Adam checks lr and weight_decay only when fit starts, and
        # never a parameter group's own rate: operator_lr=-1 trained A uphill
        check_rule("lr", ADAM_RULES["lr"], lr)
        check_rule("weight_decay", ADAM_RULES["weight_decay"], weight_decay)
        if operator_lr is not None:  # None: lr
            check_rule("operator_lr", ADAM_RULES["operator_lr"], operator_lr)
        check_operator_warmup(operator_warmup)
        self.operator_lr_warmup = check_int("operator_lr_warmup", operator_lr_warmup,
                                            minimum=0)
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
        if branch_fresh_head and not branch_warmup:  # (else the head never restarts)
            raise ValueError("branch_fresh_head restarts the row head when the branch "
                             "starts after its warm-up: it needs branch_warmup=True "
                             "(--branch-warmup)")
        self.branch_fresh_head = bool(branch_fresh_head)
        self.branch_start_epoch: int | None = (
            0 if not branch_warmup else None if operator_warmup == "auto" else operator_warmup)
        self.epoch_times: list[float] = []
        # the first training loss, of every process (check_diverged)
        self.first_loss: float | None = None
        self._record_asked = False
        # the last value of each log_gathered score, as the task compares it
        self.gathered_values: dict[str, float] = {}
        self._saved_epoch: int | None = None

    def save_hyperparameters(self, *args, frame=None, **kwargs) -> None:
        """Lightning's :meth:`~lightning.pytorch.core.LightningModule.save_hyperparameters`
        of the values as plain Python (:func:`~pyg_fusion.specs.options.plain`):
        a numpy scalar among them (``lr=np.float32(1e-3)``) made every checkpoint
        unreadable to ``torch.load(weights_only=True)``, which the project's
        loads and ``pyg-fusion evaluate`` use.

        Args:
            *args (optional): as Lightning's.
            frame (types.FrameType, optional): as Lightning's (default: the caller's).
            **kwargs (optional): as Lightning's.
        """
        import inspect

        from ..specs.options import plain
        super().save_hyperparameters(*map(plain, args),
                                     frame=frame or inspect.currentframe().f_back, **kwargs)

    def forward(self, batch):
        return self.model(batch)

    def on_before_batch_transfer(self, batch, dataloader_idx):
        return precision_batch(self._trainer, batch)

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

    @property
    def branches_on(self) -> list[bool]:
        """The ``branch_on`` of each of :meth:`branches`."""
        return [bool(m.branch_on) for m in self.branches()]

    @branches_on.setter
    def branches_on(self, value: list[bool]) -> None:
        for m, on in zip(self.branches(), value):
            m.branch_on = on

    def _set_branches(self, epoch: int | None, restart: bool = True) -> None:
        start = self.branch_start_epoch
        on = epoch is None or (start is not None and epoch >= start)
        for m in self.branches():
            if on and not m.branch_on and self.branch_fresh_head and epoch is not None:
                if not restart:  # (left off: the epoch's start restarts it)
                    continue
                m.head.reset_parameters()
                # one draw for every process: DDP synchronises gradients, not
                # weights, so heads drawn apart would train apart
                m.head.load_state_dict(self.trainer.strategy.broadcast(m.head.state_dict()))
                for opt in self.trainer.optimizers:
                    for p in m.head.parameters():
                        opt.state.pop(p, None)
            m.branch_on = on

    def on_before_optimizer_step(self, optimizer):
        # the warm-up: the head first learns on the start graph; without a
        # gradient Adam neither moves A nor decays it nor starts its moments,
        # so A's first step after the warm-up is Adam's first step of it
        start = self.operator_start_epoch
        if start is None or self.current_epoch < start:
            for p in self._operator_parameters():
                p.grad = None
        elif self.operator_lr_warmup:
            # Adam's first steps move every entry of A by about its rate whatever
            # the gradient's size, and the terms A adds are ~100x the product's
            # entries: the rate enters from far below (by epoch, so a resumed run
            # ramps as the uninterrupted one)
            done = min(1.0, (self.current_epoch - start) / self.operator_lr_warmup)
            for group in optimizer.param_groups:
                if "operator_rate" in group:
                    group["lr"] = group["operator_rate"] * OPERATOR_LR_WARMUP_FROM ** (1 - done)

    def configure_optimizers(self):
        if self.operator_lr is None and not self.operator_lr_warmup:
            return torch.optim.Adam(self.parameters(), lr=self.lr,
                                    weight_decay=self.weight_decay)
        # the LEGO operators at their own rate: Adam moves every entry of A by
        # about lr per step whatever its gradient, and the terms of A that
        # start at 0 add whole graphs to G, so a rate that suits the head can
        # bury the starting term (a product of graphs, of small entries) at once
        operator = {id(p) for p in self._operator_parameters()}
        rate = self.lr if self.operator_lr is None else self.operator_lr
        groups = [{"params": [p for p in self.parameters() if id(p) not in operator]},
                  {"params": [p for p in self.parameters() if id(p) in operator],
                   "lr": rate, "operator_rate": rate}]
        return torch.optim.Adam([g for g in groups if g["params"]], lr=self.lr,
                                weight_decay=self.weight_decay)

    def on_fit_start(self):
        # "auto" leaves A frozen until OperatorWarmupAuto frees it: in a
        # trainer without that callback A never trained, and nothing said so
        if (self.operator_start_epoch is None and self._operator_parameters()
                and not any(isinstance(c, OperatorWarmupAuto) for c in self.trainer.callbacks)):
            raise ValueError("operator_warmup='auto' keeps the LEGO operators at their start "
                             "until an OperatorWarmupAuto callback "
                             "(pyg_fusion.training.stopping) ends the warm-up, and the trainer "
                             "has none, so they would never train: pass one in the Trainer's "
                             "callbacks (as fit_vad does), or give operator_warmup an int")

    @property
    def sanity_checking(self) -> bool:
        """Lightning's sanity check is running (a few validation batches
        before the first epoch, ``num_sanity_val_steps``): its scores are of
        part of the held-out data and of no trained epoch, so the tasks
        record and log none of them."""
        return self._trainer is not None and self.trainer.sanity_checking

    def log_gathered(self, name: str, value, **kwargs) -> None:
        """Logs a score of the epoch that every process already holds whole
        (gathered over the ranks before it is computed). Lightning reduces an
        epoch-level value over the ranks only with ``sync_dist=True``, and
        warns under DDP without it; the reduction is ``max``, which gives
        back the one value exactly (a mean, a sum then a division, could
        round it).

        Args:
            name (str): the metric's name.
            value (float or torch.Tensor): its value, the same on every rank.
            **kwargs (optional): further arguments of
                :meth:`~lightning.pytorch.core.LightningModule.log`.
        """
        # Lightning logs a float as float32: EarlyStoppingAfter reads this one
        self.gathered_values[name] = value
        self.log(name, value, sync_dist=True, reduce_fx="max", batch_size=1, **kwargs)

    @property
    def recording(self) -> bool:
        """A validation writes the run's record (the tasks' ``best``,
        ``history``, ``best_state``) only while ``trainer.fit`` runs, or within
        :meth:`record_validation`: a user's ``trainer.validate`` after fit, of
        the same graph or another one, is scored and logged and leaves the
        fit's record as it was (it added an epoch not trained, or another
        graph's scores as the best)."""
        return (self._trainer is not None and not self.trainer.sanity_checking
                and (self._record_asked or self.trainer.state.fn == TrainerFn.FITTING))

    def model_state(self) -> dict[str, torch.Tensor]:
        """A copy of the model's weights on the CPU (the tasks' ``best_state``:
        the chosen epoch's model, which later epochs must not move)."""
        return copy.deepcopy({k: v.detach().cpu() for k, v in self.model.state_dict().items()})

    @contextmanager
    def record_validation(self):
        """Within this block a ``trainer.validate`` of the task writes its
        record as an epoch of the fit does (:attr:`recording`): a fitting
        function's validation of the last epoch trained, or of a model built
        of fitted ones."""
        self._record_asked = True
        try:
            yield
        finally:
            self._record_asked = False

    def _start_epoch(self, restart: bool = True):
        self._set_branches(self.current_epoch, restart)
        self._t0 = time.perf_counter()

    def on_train_epoch_start(self):
        self._start_epoch()

    def on_train_start(self):
        # a run resumed from a checkpoint taken within an epoch goes on in
        # that epoch without on_train_epoch_start: its end read a clock never
        # started, and the branch kept the state it was built with. The head's
        # restart waits for the epoch's start: Lightning < 2.5.3 puts the
        # random states back there, so a draw here would be drawn again
        self._start_epoch(restart=False)

    def on_fit_end(self):
        # a branch that never ran is at its start (scores 0): running it
        # scores the same, and a model rebuilt from a checkpoint runs it
        self._set_branches(None)

    def on_train_epoch_end(self):
        self.epoch_times.append(time.perf_counter() - self._t0)

    def time_per_epoch(self) -> float:
        """The mean wall-clock seconds of a training epoch (the fits'
        ``time_per_epoch_s``), without the first where there are more: it
        warms caches."""
        times = self.epoch_times[1:] or self.epoch_times
        return sum(times) / max(len(times), 1)

    def trainable_params(self) -> int:
        """The number of the model's trainable parameters (the fits' ``params``)."""
        return sum(p.numel() for p in self.model.parameters() if p.requires_grad)
