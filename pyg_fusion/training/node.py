"""Transductive node classification on one graph of several sources, on
PyTorch Lightning (:func:`~pyg_fusion.training.build_trainer`).

Full-batch training on ``train_mask``; every ``eval_every`` epochs the model
is scored on ``val_mask`` and ``test_mask``. Under DDP each rank predicts its
share of the nodes and the predictions are gathered
(:func:`~pyg_fusion.training.metrics.gather_by_index`), so every rank sees the
same, complete metrics. The reported test accuracy is the one at the epoch of
best validation accuracy (model selection on validation only).

Models whose head takes the training labels as input (a sub-module that
declares ``takes_seed_labels``, as :class:`~pyg_fusion.nn.LabelPropagationHead`
does: label propagation over the method's graph) are trained with the label trick
(masked label prediction, Shi et al., IJCAI 2021,
`paper <https://arxiv.org/abs/2009.03509>`_): at each step a random half of
the training nodes seeds the propagation and the loss is taken on the other
half, so the loss never scores a node on its own label; in evaluation every
training node is a seed.
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from .._notices import notice
from ..nn.label_prop import takes_seed_labels
from ._task import TimedAdamTask
from .metrics import accuracy, gather_by_index
from .seeding import keep_global_rng
from .trainer import build_trainer, check_schedule, training_strategy, validate_last_epoch

__all__ = ["NodeClassification", "single_graph_loader", "fit_node", "split_seeds",
           "check_node_labels"]


def split_seeds(mask, fraction: float = 0.5, generator=None):
    """Splits the nodes of ``mask`` at random into ``(seeds, targets)``, two
    disjoint masks with ``round(fraction * count)`` seeds (at least one node
    in each when ``mask`` has two or more).

    Args:
        mask (torch.Tensor): boolean mask of the training nodes ``[N]``.
        fraction (float, optional): the share of seeds, in ``(0, 1)``. (default: :obj:`0.5`)
        generator (torch.Generator, optional): the random generator. (default: :obj:`None`)
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    idx = mask.nonzero().view(-1)
    if idx.numel() < 2:
        raise ValueError(f"the label trick needs at least 2 training nodes, got {idx.numel()}")
    # drawn where the generator lives (a CPU generator with a CUDA mask is
    # the usual case), the same permutation on every device
    where = generator.device if generator is not None else idx.device
    idx = idx[torch.randperm(idx.numel(), generator=generator, device=where).to(idx.device)]
    cut = min(max(round(fraction * idx.numel()), 1), idx.numel() - 1)
    seeds = torch.zeros_like(mask)
    seeds[idx[:cut]] = True
    return seeds, mask & ~seeds


def _first(items):
    return items[0]


def single_graph_loader(data) -> DataLoader:
    """A loader that yields the same graph object once per epoch (no
    collation, so cached graphs of the model stay valid).

    Args:
        data (torch_geometric.data.Data): the graph.
    """
    return DataLoader([data], batch_size=1, collate_fn=_first)


class NodeClassification(TimedAdamTask):
    """LightningModule for transductive node classification.

    Args:
        model (nn.Module): maps the graph to logits ``[N, C]`` (see :mod:`pyg_fusion.methods`).
        lr (float, optional): Adam. (default: :obj:`0.01`)
        weight_decay (float, optional): Adam. (default: :obj:`0.0005`)
        config (dict[str, Any], optional): JSON-able description of the run (method, options,
            dataset), stored in checkpoints so that ``pyg-fusion evaluate`` can rebuild the
            model. (default: :obj:`None`)

    ``validation_*`` logs ``val_acc`` and ``test_acc`` of the masks the graph holds;
    during ``trainer.fit`` each evaluation is appended to :attr:`history` and the one of
    the best ``val_acc`` kept as :attr:`best`, its model's weights as :attr:`best_state`
    (a ``trainer.validate`` after fit is scored and logged only: :attr:`recording`). ``trainer.predict(task,
    single_graph_loader(data))`` gives, per graph, the model's logits ``[N, C]``.
    """

    fit_state = TimedAdamTask.fit_state + ("best", "history", "best_state")

    def __init__(self, model: nn.Module, *, lr: float = 0.01, weight_decay: float = 5e-4,
                 config: dict[str, Any] | None = None):
        super().__init__(model, lr, weight_decay)
        # The model says whether its input includes seed labels (no option
        # string crosses from the config to here), so any model built around
        # a LabelPropagationHead is trained with the label trick.
        self.label_trick = takes_seed_labels(model)
        if self.label_trick and "seed_mask" not in inspect.signature(model.forward).parameters:
            raise ValueError(f"model ({type(model).__name__}) contains a head that takes seed "
                             "labels (e.g. LabelPropagationHead), so its forward must accept "
                             "seed_mask= (the nodes whose labels are its input)")
        self.save_hyperparameters({"config": config or {}, "lr": lr,
                                   "weight_decay": weight_decay})
        self.best: dict[str, float] = {}
        self.best_state: dict[str, torch.Tensor] | None = None
        self.history: list[dict[str, float]] = []
        self.last_metrics: dict[str, float] = {}
        self._labels_checked = False

    def training_step(self, data, batch_idx):
        # every graph the task reads, not only fit_node's: in a user's own
        # Trainer a mask of 0/1 integers trained and scored rows 0 and 1
        check_node_labels(data, require_masks=False)
        with self.divergence_named(data):
            if self.label_trick:
                seeds, mask = split_seeds(data.train_mask)
                out = self.model(data, seed_mask=seeds)
            else:
                out, mask = self.model(data), data.train_mask
        if not self._labels_checked:  # once: cross_entropy names no node or class count
            top, classes = int(data.y.max()), out.size(-1)
            if top >= classes:
                raise ValueError(f"the graph's y holds class {top}, but the model scores "
                                 f"{classes} classes (0..{classes - 1}): build it with "
                                 f"num_classes={top + 1}")
            self._labels_checked = True
        loss = F.cross_entropy(out[mask], data.y[mask]) + self.penalty()
        self.log("train_loss", loss, prog_bar=True, batch_size=1)
        return loss

    def _evaluate(self, data, batch_idx: int) -> dict[str, float]:
        if batch_idx > 0:
            # each batch was scored and chosen on as an epoch of its own: best
            # held one graph's accuracies, history one entry per graph
            raise ValueError("NodeClassification is transductive: it scores one graph per "
                             "evaluation (its masks select the nodes), and the evaluation "
                             "loader gave a second batch; pass a loader of the one graph, "
                             "single_graph_loader(data)")
        check_node_labels(data, require_masks=False)
        out = self.model(data)
        n = out.size(0)
        world, rank = self.trainer.world_size, self.trainer.global_rank
        # each rank scores its share of the nodes; the gather restores all
        idx = torch.arange(rank, n, world, device=out.device)
        _, pred = gather_by_index(idx, out[idx].argmax(-1))
        metrics = {}
        for split in ("train", "val", "test"):
            mask = data.get(f"{split}_mask")
            if mask is not None and bool(mask.any()):
                metrics[f"{split}_acc"] = accuracy(pred[mask], data.y[mask])
        return metrics

    def validation_step(self, data, batch_idx):
        m = self._evaluate(data, batch_idx)
        if self.sanity_checking:  # the untrained model, as if of epoch 0
            return
        m["epoch"] = self.current_epoch
        self.last_metrics = m
        for key in ("val_acc", "test_acc"):
            if key in m:
                self.log_gathered(key, m[key], prog_bar=key == "val_acc")
        if not self.recording:
            return
        self.history.append(m)
        if "val_acc" in m and m["val_acc"] > self.best.get("val_acc", -1.0):
            self.best = dict(m)
            self.best_state = self.model_state()

    def test_step(self, data, batch_idx):
        m = self._evaluate(data, batch_idx)
        self.last_metrics = m
        for key, v in m.items():
            self.log_gathered(key, v)


def check_node_labels(data, require_masks: bool = True) -> None:
    """The graph's ``y`` and masks as the training reads them: ``y`` ``[N]``
    long class ids, each mask a bool ``[N]`` whose nodes are labelled
    (``y >= 0``). A mask of 0/1 integers would index rows 0 and 1 instead of
    selecting nodes (silently: the accuracies of two nodes), so it is an error.
    The masks must be disjoint: a node in two of them would be trained on and
    then chosen or scored on (silently: validation or test accuracy of
    training nodes).

    Args:
        data (torch_geometric.data.Data): the graph.
        require_masks (bool, optional): all three masks must be present (``False``: those
            present are checked, as :class:`NodeClassification` reads a graph of a
            user's own loader). (default: :obj:`True`)
    """
    n = data.num_nodes
    if n is None:  # PyG counts nodes from x, which a graph of x_<source> lacks
        raise ValueError("the graph's num_nodes is unknown (PyG infers it from x, which a "
                         "graph of x_<source> lacks): build it as "
                         "pyg_fusion.data.MultiSourceData, or set data.num_nodes")
    y = data.get("y")
    if not isinstance(y, torch.Tensor) or y.dtype != torch.long or tuple(y.shape) != (n, ):
        got = (f"{y.dtype} of shape {tuple(y.shape)}" if isinstance(y, torch.Tensor)
               else type(y).__name__)
        raise ValueError(f"the graph's y must be torch.long class ids of shape [{n}] (one per "
                         f"node, -1 for an unlabelled one), got {got}")
    names = [name for name in ("train_mask", "val_mask", "test_mask")
             if require_masks or data.get(name) is not None]
    for name in names:
        mask = data.get(name)
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool or \
                tuple(mask.shape) != (n, ):
            got = (f"{mask.dtype} of shape {tuple(mask.shape)}" if isinstance(mask, torch.Tensor)
                   else "none" if mask is None else type(mask).__name__)
            raise ValueError(f"the graph's {name} must be a bool mask of shape [{n}], got "
                             f"{got} (0/1 integers: mask.bool(); node indices: "
                             f"torch_geometric.utils.index_to_mask(idx, {n}))")
        unlabelled = int((y[mask] < 0).sum())
        if unlabelled:
            raise ValueError(f"the graph's {name} selects {unlabelled} node(s) whose y is "
                             f"negative (unlabelled): leave them out of the mask")
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = (data[a] & data[b]).nonzero().view(-1)
            if shared.numel():
                raise ValueError(f"the graph's {a} and {b} share {shared.numel()} node(s) "
                                 f"(the first: node {int(shared[0])}): a node is trained on, "
                                 f"chosen on or scored on in one split only; make the masks "
                                 f"disjoint")


def _check_training_classes(data) -> None:
    """The classes the training nodes (``train_mask``) hold, against those of
    the other labelled nodes. Fewer than 2 classes among the labelled nodes
    (a labels file of one class), or among the training nodes, is an error: the loss has nothing to tell apart and every node would be
    predicted as the one class (counting the classes over all labelled nodes
    let such a ``train_mask`` train without a word). A class of the
    ``val_mask`` or ``test_mask`` nodes that no training node holds is a
    :class:`~pyg_fusion.PygFusionNotice` (a :class:`UserWarning`) naming the
    classes: the model is never trained to
    predict them, so their nodes count as errors (a random split of a rare
    class may do this; a stratified one does not).

    Args:
        data (torch_geometric.data.Data): the graph with ``y`` and the ``train_mask``,
            ``val_mask`` and ``test_mask`` masks.
    """
    labelled = data.y[data.y >= 0].unique()
    if labelled.numel() < 2:
        # advising a stratified split (below) sent a user whose labels file
        # holds one class to re-split what no split can fix
        raise ValueError(f"the graph's y holds fewer than 2 classes over its labelled nodes "
                         f"(classes {labelled.tolist()}): there is nothing to tell apart, "
                         f"whatever the split; give labels of 2 classes or more (a labels "
                         f"file of one class, or the wrong label column?)")
    train = data.y[data.train_mask].unique()
    if train.numel() < 2:
        raise ValueError(f"the graph's train_mask selects nodes of fewer than 2 classes "
                         f"(classes {train.tolist()}): there is nothing to tell apart; put "
                         f"nodes of every class in train_mask (a stratified split)")
    for name in ("val_mask", "test_mask"):
        y = data.y[data[name]]
        missing = y[~torch.isin(y, train)]
        if missing.numel():
            classes, counts = missing.unique(return_counts=True)
            named = ", ".join(f"{c} ({k} node(s))"
                              for c, k in zip(classes.tolist(), counts.tolist()))
            notice(f"the graph's {name} holds class(es) {named} that no "
                   f"train_mask node holds: the model is "
                   f"never trained to predict them, so these nodes count as errors; "
                   f"put nodes of every class in train_mask (a stratified split)",
                   stacklevel=4)  # fit_node's caller


@keep_global_rng()
def fit_node(model: nn.Module, data, *, out_dir: str | Path, epochs: int = 200,
             lr: float = 0.01, weight_decay: float = 5e-4, eval_every: int = 5,
             seed: int = 0, devices: int = 1, accelerator: str = "cpu",
             progress: bool = True,
             checkpoint: bool = True, config: dict | None = None) -> dict[str, Any]:
    """Trains ``model`` on ``data`` and returns the metrics at the epoch of best
    validation accuracy (``train_acc``, ``val_acc``, ``test_acc``, ``epoch``),
    plus ``time_per_epoch_s``, ``params``, and the ``trainer`` and ``task``
    (the trained :class:`NodeClassification`). ``model`` (and the task) end
    with the weights of that epoch, which ``checkpoints/best.ckpt`` holds;
    ``checkpoints/last.ckpt`` holds the last epoch trained.

    The caller's global random states (torch, ``random``, numpy) are put back
    on return (:func:`~pyg_fusion.training.seeding.keep_global_rng`). The
    evaluation schedule is part of a run: every evaluation pass draws one
    number from torch's global generator (the base seed of a DataLoader
    iterator without a generator), which moves the random draws of the
    epochs after it, so the same seed with another ``eval_every`` gives
    another training path, not only other scored epochs.

    Args:
        model (torch.nn.Module): maps the graph to logits ``[N, C]``.
        data (torch_geometric.data.Data): the graph with ``y`` and the ``train_mask``,
            ``val_mask`` and ``test_mask`` masks; the training nodes must hold 2 classes or
            more, and a class of the validation or test nodes that they lack is a
            :class:`~pyg_fusion.PygFusionNotice` (a :class:`UserWarning`) naming it.
        out_dir (str or Path): logs and checkpoints.
        epochs (int, optional): training epochs. **[differs from the CLI]**, node ``train`` /
            ``compare``: ``--epochs 80`` (100 with ``--features labels``). (default: :obj:`200`)
        lr (float, optional): Adam's learning rate. (default: :obj:`0.01`)
        weight_decay (float, optional): Adam's weight decay. (default: :obj:`0.0005`)
        eval_every (int, optional): epochs between two evaluations. (default: :obj:`5`)
        seed (int, optional): seeds the run (weights should be seeded before the model is
            built). (default: :obj:`0`)
        devices (int, optional): processes, one per CPU process or GPU (> 1: DDP, gloo on
            the CPU). (default: :obj:`1`)
        accelerator (str, optional): ``"cpu"``, ``"gpu"`` (= ``"cuda"``) or ``"auto"``
            (:func:`~pyg_fusion.training.accelerators.check_accelerator`).
            (default: :obj:`"cpu"`)
        progress (bool, optional): show progress bars. (default: :obj:`True`)
        checkpoint (bool, optional): write checkpoints under ``out_dir/checkpoints``.
            (default: :obj:`True`)
        config (dict, optional): JSON-able description of the run, stored in the
            checkpoints. (default: :obj:`None`)
    """
    check_schedule(epochs, eval_every, devices, accelerator)
    check_node_labels(data)
    for name in ("train_mask", "val_mask", "test_mask"):
        if not bool(data[name].any()):
            raise ValueError(f"the graph's {name} selects no node ({data.num_nodes} nodes): "
                             f"training chooses its epoch on validation nodes and reports "
                             f"test nodes; give more labelled nodes or other split rates")
    _check_training_classes(data)
    task = NodeClassification(model, lr=lr, weight_decay=weight_decay, config=config)
    eval_every = max(1, min(eval_every, epochs))  # at least one evaluation
    trainer = build_trainer(out_dir, max_epochs=epochs, seed=seed, accelerator=accelerator,
                            devices=devices,
                            strategy=training_strategy(devices),
                            monitor="val_acc" if checkpoint else None, mode="max",
                            progress=progress, checkpoint=checkpoint,
                            check_val_every_n_epoch=eval_every, num_sanity_val_steps=0)
    loader = single_graph_loader(data)
    trainer.fit(task, loader, loader)
    if epochs % eval_every:
        # the last epochs trained after the last evaluation are scored too (as
        # fit_vad does): the final model is eligible like every evaluated one
        best = task.best.get("val_acc")
        validate_last_epoch(trainer, task, loader)
        if task.best.get("val_acc") != best:
            if checkpoint:  # best.ckpt is the chosen epoch's model, dated by it
                with task.saved_epoch(task.best["epoch"]):
                    trainer.save_checkpoint(Path(out_dir) / "checkpoints" / "best.ckpt",
                                            weights_only=False)
    # the task returned holds the chosen epoch's model, as fit_vad's: the one
    # whose accuracies it reports and that best.ckpt holds (the last epoch
    # trained is in last.ckpt)
    model.load_state_dict(task.best_state)
    return {**task.best, "time_per_epoch_s": task.time_per_epoch(),
            "params": task.trainable_params(), "trainer": trainer, "task": task}
