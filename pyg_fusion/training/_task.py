"""What the graph tasks' LightningModules share: the wrapped model, Adam,
and a wall-clock time per training epoch (reported beside the metrics)."""
from __future__ import annotations

import time

import lightning as L
import torch
from torch import nn


class TimedAdamTask(L.LightningModule):
    def __init__(self, model: nn.Module, lr: float, weight_decay: float):
        super().__init__()
        self.model = model
        self.lr, self.weight_decay = lr, weight_decay
        self.epoch_times: list[float] = []

    def forward(self, batch):
        return self.model(batch)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr, weight_decay=self.weight_decay)

    def on_train_epoch_start(self):
        self._t0 = time.perf_counter()

    def on_train_epoch_end(self):
        self.epoch_times.append(time.perf_counter() - self._t0)
