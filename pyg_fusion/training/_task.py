"""What the graph tasks' LightningModules share: the wrapped model, Adam,
the penalties of its LEGO operators (added to every training loss) and a
wall-clock time per training epoch (reported beside the metrics)."""
from __future__ import annotations

import time

import lightning as L
import torch
from torch import nn


class TimedAdamTask(L.LightningModule):
    def __init__(self, model: nn.Module, lr: float, weight_decay: float,
                 operator_lr: float | None = None, operator_warmup: int = 0):
        super().__init__()
        if not isinstance(operator_warmup, int) or isinstance(operator_warmup, bool) \
                or operator_warmup < 0:
            raise ValueError(f"operator_warmup must be an int >= 0, got {operator_warmup!r}")
        self.model = model
        self.lr, self.weight_decay, self.operator_lr = lr, weight_decay, operator_lr
        self.operator_warmup = operator_warmup
        self.epoch_times: list[float] = []

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

    def on_before_optimizer_step(self, optimizer):
        # the warm-up: the head first learns on the start graph; without a
        # gradient Adam neither moves A nor decays it nor starts its moments,
        # so A's first step after the warm-up is Adam's first step of it
        if self.current_epoch < self.operator_warmup:
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

    def on_train_epoch_start(self):
        self._t0 = time.perf_counter()

    def on_train_epoch_end(self):
        self.epoch_times.append(time.perf_counter() - self._t0)
