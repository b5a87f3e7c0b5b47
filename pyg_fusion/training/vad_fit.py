"""Fitting and scoring a weakly supervised VAD model: the held-out split,
restarts, the choice of epoch and restart (see :mod:`pyg_fusion.training.vad`
for the task and the choice rule) and one test pass."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from .._option_rules import CHOICES, COMBINES, check_rule
from ..functional._checks import check_choice, check_dropout, check_int
from .pseudo_anomalies import splice_pseudo_anomalies
from ._task import check_operator_warmup
from ._vad_loaders import _loaders, _scoring_trainer
from .seeding import _checked_seed, keep_global_rng, seed_everything
from .stopping import EarlyStoppingAfter, OperatorWarmupAuto
from .trainer import (build_trainer, check_schedule, training_strategy, validate_last_epoch,
                      without_validation)
from .vad import WeaklySupervisedVAD, split_videos
from .vad_ensemble import RestartEnsemble
from .vad_split import _label, check_split, check_test_videos, read_once, video_keys

__all__ = ["fit_vad", "evaluate_vad", "restart_seed"]

# the test metrics of a scored run, and the held-out ones of its chosen epoch
TEST_METRICS = ("auc", "ap", "pr_auc_trapz")
VAL_METRICS = ("val_video_auc", "val_loss", "val_pseudo_auc")


# far above the seeds a user lists, so that restart r > 0 of one seed is no
# other seed's run; seeds stay below 2**32 for thousands of restarts
RESTART_STRIDE = 1_000_003
_MAX_SEED = 2 ** 32 - 1  # numpy's largest seed, and so Lightning's


def restart_seed(seed: int, restart: int) -> int:
    """The seed of restart ``restart`` of a run seeded ``seed``: ``seed``
    itself for restart 0 (a run with one restart is the plain run), then
    offsets far apart so that the restarts of nearby seeds do not meet.

    Args:
        seed (int): the run's seed.
        restart (int): the restart's number (0, 1, ...).
    """
    return seed + RESTART_STRIDE * restart


@keep_global_rng()
def fit_vad(model: nn.Module | Callable[[], nn.Module], train_ds, test_ds, *,
            out_dir: str | Path, epochs: int = 30,
            batch_size: int = 16, lr: float = 1e-3, weight_decay: float = 5e-4,
            topk: int = 3, lambda_deg: float = 0.1, alpha: float | None = None,
            lambda_sparse: float = 0.0, val_fraction: float = 0.2, eval_every: int = 1,
            patience: int | None = None, min_epochs: int = 0, restarts: int = 1,
            operator_lr: float | None = None, operator_warmup: int | str = 0,
            branch_warmup: bool = False, branch_fresh_head: bool = False,
            operator_lr_warmup: int = 0, choice: str = "loss",
            restart_combine: str = "best", seed: int = 0,
            split: tuple[list[int], list[int]] | None = None, devices: int = 1,
            accelerator: str = "cpu", progress: bool = True, checkpoint: bool = True,
            config: dict | None = None,
            standardizer: nn.Module | None = None) -> dict[str, Any]:
    """Trains on ``train_ds`` (video labels only), chooses the epoch on a
    held-out part of it and scores ``test_ds`` once (see the module
    docstring).

    The caller's random states come back, and ``eval_every`` is part of the
    run, as in :func:`~pyg_fusion.training.node.fit_node`.

    With ``restarts`` R > 1, ``model`` is a function that builds the model:
    it is called R times, restart ``r`` seeded by :func:`restart_seed` (its
    initialisation, batch order and sampled pairs), and every restart trains
    on the same videos and is chosen on the same held-out videos (the split
    follows ``seed``); each restart keeps its epoch of best ``val_score``.
    With ``restart_combine="best"`` the restart whose chosen epoch has the best
    ``val_score`` (the lowest ``val_loss`` by default) is tested; with
    ``"mean"`` the ensemble of all restarts
    (:class:`~pyg_fusion.training.vad_ensemble.RestartEnsemble`: the mean of
    their segment probabilities) is. Training that stays at the loss of a
    constant score (ln 2 with balanced labels) or settles on a worse optimum
    shows in the held-out loss, so choosing trades R times the training time
    for a start that the video labels prefer; averaging needs no choice
    signal and lowers the variance of the scores over initialisations. Both
    combinations of the same restarts are scored on the held-out and the test
    videos whichever is tested (``chosen_*`` and ``ensemble_*`` below); neither
    chooses anything from the test set.

    Args:
        model (torch.nn.Module or callable): maps a batch of videos to
            ``(logits [B, N], G or None)``; or a function without arguments returning such
            a module (called after the restart's seeding; needed for ``restarts > 1``).
        train_ds (torch_geometric.data.Dataset): the training videos (video labels only).
        test_ds (torch_geometric.data.Dataset): the test videos (with frame ground truth).
        out_dir (str or Path): logs and checkpoints (restart ``r`` of several under
            ``out_dir/restart<r>``).
        epochs (int, optional): training epochs. **[differs from the CLI]**, VAD ``train`` /
            ``compare``: ``--epochs 200``, with early stopping. (default: :obj:`30`)
        batch_size (int, optional): videos per batch. The training videos are reshuffled every
            epoch (a generator seeded by the restart's seed) and, when there are more of them
            than ``batch_size``, the last incomplete batch is dropped (``drop_last``): each
            epoch trains on ``batch_size * (n // batch_size)`` of the ``n`` videos, other ones
            left out each epoch. (default: :obj:`16`)
        lr (float, optional): Adam's learning rate. **[differs from the CLI]**: ``--lr 0.01``.
            (default: :obj:`0.001`)
        weight_decay (float, optional): Adam's weight decay. (default: :obj:`0.0005`)
        topk (int, optional): k of the MIL top-k pooling. (default: :obj:`3`)
        lambda_deg (float, optional): weight of the degree-variance term, >= 0 (0: off).
            (default: :obj:`0.1`)
        alpha (float, optional): degree threshold of the degree-variance term.
            (default: :obj:`None`)
        lambda_sparse (float, optional): weight of the sparsity term, >= 0 (0: off).
            (default: :obj:`0.0`)
        val_fraction (float, optional): fraction of the training videos held out for the choice
            of epoch (stratified by label, seeded by ``seed``); 0: none, the last epoch is
            tested. (default: :obj:`0.2`)
        eval_every (int, optional): epochs between two validations. (default: :obj:`1`)
        patience (int, optional): stop after this many validations without a better
            ``val_score`` (``None``: train all epochs). **[differs from the CLI]**:
            ``--patience 10``. (default: :obj:`None`)
        min_epochs (int, optional): with ``patience``, epochs trained before early stopping may
            end a run (:class:`~pyg_fusion.training.stopping.EarlyStoppingAfter`).
            **[differs from the CLI]**: ``--min-epochs 30``. (default: :obj:`0`)
        restarts (int, optional): initialisations trained, combined by ``restart_combine``
            (needs ``val_fraction > 0`` when above 1; the last one's seed,
            :func:`restart_seed`, must be a numpy seed, < 2**32). (default: :obj:`1`)
        operator_lr (float, optional): Adam's learning rate of the LEGO operators (``None``:
            ``lr``). (default: :obj:`None`)
        operator_warmup (int or str, optional): epochs at the start during which the LEGO
            operators keep their start (the head learns on the start graph first); ``"auto"``:
            until the held-out score stops improving by the rule of ``patience`` and
            ``min_epochs`` (phase 1, at most ``epochs`` epochs), then A trains with a fresh
            patience count (phase 2, at most ``epochs`` more epochs), and the best epoch of
            either phase is tested
            (:class:`~pyg_fusion.training.stopping.OperatorWarmupAuto`; with LEGO operators
            it needs ``val_fraction > 0`` and ``patience``; a model without them trains
            as with ``0``). **[differs from the CLI]**: ``--operator-warmup auto`` (lego-cp:
            0), which needs the patience that is off here by default. (default: :obj:`0`)
        branch_warmup (bool, optional): a model's branch (``branch_on``: LEGO's GraphHead
            branch) stays off while A keeps its start; with ``operator_warmup="auto"`` also
            through A's phase, and it trains in a third phase (at most ``epochs`` more
            epochs, a fresh patience count), so that the model without its branch is
            trained first and the best epoch of all phases is tested. (default: :obj:`False`)
        branch_fresh_head (bool, optional): with ``branch_warmup``, the row head starts
            afresh (re-initialised, its Adam state dropped) in the epoch the branch starts,
            so that the branch learns from a loss that the warm-up's head has not already
            brought down. (default: :obj:`False`)
        operator_lr_warmup (int, optional): epochs over which A's learning rate rises,
            geometrically from 1/1000 of its value, from A's first epoch of training
            (:class:`~pyg_fusion.training._task.TimedAdamTask`); 0: none. (default: :obj:`0`)
        choice (str, optional): what chooses the epoch and the restart on the held-out
            videos: ``"loss"``, the MIL loss with their video labels, or ``"pseudo_auc"``, the
            segment ROC-AUC on pseudo-anomalies spliced from the held-out normal videos (every
            ordered pair of them, :func:`~pyg_fusion.training.pseudo_anomalies.splice_pseudo_anomalies`
            seeded by ``seed``; needs two normal videos held out). ``val_pseudo_auc`` is
            reported whenever two normal videos are held out (with ``"loss"``, scored once,
            at the chosen epoch, not logged per epoch). (default: :obj:`"loss"`)
        restart_combine (str, optional): the tested model with ``restarts > 1``:
            ``"best"``, the restart of best ``val_score``, or ``"mean"``, the ensemble of all
            restarts. (default: :obj:`"best"`)
        seed (int, optional): seeds the run and the held-out split (a module ``model``
            should be seeded before it is built; a builder is called after seeding).
            (default: :obj:`0`)
        split (tuple, optional): the training and the held-out videos, two lists of
            indices into ``train_ds``, in place of the split of ``val_fraction`` and
            ``seed`` (a video in neither is neither trained on nor held out, e.g. a
            study's own judges).
            (default: :obj:`None`)
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
        standardizer (nn.Module, optional): the training split's statistics, kept in the
            checkpoint (see :class:`WeaklySupervisedVAD`). (default: :obj:`None`)

    Returns the tested model's test metrics (``auc``, ``ap``, ``pr_auc_trapz``)
    and held-out ones (``val_video_auc``, ``val_loss``, ``val_pseudo_auc`` when
    made; of its chosen epoch, or of the ensemble), ``epoch`` (the chosen
    restart's chosen epoch), ``operator_start_epoch`` with
    ``operator_warmup="auto"`` and LEGO operators (the first epoch in which A of
    the chosen restart trained) and, with ``branch_warmup``,
    ``branch_start_epoch`` (the first epoch in which its branch ran),
    ``time_per_epoch_s`` (of the chosen restart),
    ``params`` (of the tested model: R models' for an ensemble), and the
    ``trainer`` and ``task`` that tested. With ``restarts > 1`` also the
    chosen ``restart``, every restart's ``restart_val_losses``,
    ``restart_val_scores`` and ``restart_epochs``, their mean held-out loss
    ``members_val_loss``, and both combinations' test and held-out metrics,
    ``chosen_<metric>`` (the restart of best ``val_score``) and
    ``ensemble_<metric>`` (the mean of the restarts), for ``auc``, ``ap``,
    ``pr_auc_trapz``, ``val_loss``, ``val_video_auc`` (and ``val_pseudo_auc``).
    With ``checkpoint``: ``checkpoints/last.ckpt`` (the last epoch;
    ``restart<r>/checkpoints/last.ckpt`` with several restarts) and
    ``checkpoints/best.ckpt``, the tested model: the chosen epoch of the chosen
    restart, or the ensemble with every restart at its chosen epoch (which
    :func:`~pyg_fusion.experiments.checkpoints.model_from_checkpoint` rebuilds
    from the saved config)."""
    check_schedule(epochs, eval_every, devices, accelerator)
    # the flags' rules (--restarts, --min-epochs); numpy's ints taken as plain ones
    check_rule("restarts", "positive_int", restarts)
    check_rule("min_epochs", "nonneg_int", min_epochs)
    restarts, min_epochs = int(restarts), int(min_epochs)
    if patience is not None:  # (0 or -1 stopped as 1 does)
        check_int("patience", patience, minimum=1)
    # a string failed in _loaders: "'>' not supported between 'int' and 'str'"
    batch_size = check_int("batch_size", batch_size, minimum=1)
    seed = _checked_seed(seed)  # the held-out split draws from it before the trainer seeds
    check_dropout("val_fraction", val_fraction)  # the check of a number in [0, 1)
    if split is not None:
        split = check_split(train_ds, split)
    held_out = bool(split[1]) if split is not None else bool(val_fraction)
    give = "val_fraction must be > 0" if split is None else "split holds none"
    if restarts > 1 and not held_out:
        raise ValueError(f"restarts > 1 needs held-out videos to choose among them: {give}")
    if restarts > 1 and isinstance(model, nn.Module):
        raise ValueError("restarts > 1 needs model to be a function that builds the model "
                         "(each restart is a new initialisation)")
    last = restart_seed(seed, restarts - 1) if isinstance(seed, int) else 0
    if restarts > 1 and last > _MAX_SEED:
        # numpy's seeds end there: the restart that reached it failed, after
        # every restart before it had trained, naming neither setting
        most = max((_MAX_SEED - seed) // RESTART_STRIDE + 1, 1)
        raise ValueError(f"restarts (--restarts) {restarts} with seed {seed}: restart "
                         f"{restarts - 1} is seeded {seed} + {RESTART_STRIDE} x {restarts - 1} = "
                         f"{last}, beyond the seeds numpy takes (at most {_MAX_SEED}); with this "
                         f"seed give at most {most} restart(s), or a smaller seed (--seeds)")
    check_choice("choice", choice, CHOICES)  # (the task checks it too, once built)
    check_operator_warmup(operator_warmup)
    check_choice("restart_combine", restart_combine, COMBINES)
    if choice != "loss" and not held_out:
        raise ValueError(f"choice={choice!r} needs held-out videos: {give}")
    # every epoch reads the training videos: once where each read gives the same
    train_ds = read_once(train_ds)
    check_test_videos(test_ds, train_ds)
    train_idx, val_idx = split or split_videos(train_ds, val_fraction, seed)
    fit_ds = torch.utils.data.Subset(train_ds, train_idx) if val_idx or split else train_ds
    val_ds = torch.utils.data.Subset(train_ds, val_idx) if val_idx else None
    normal = [train_ds[i] for i in val_idx if _label(train_ds[i]) == 0]
    held_normal = len(set(video_keys(normal)))  # the crops of a video are one
    if choice == "pseudo_auc" and held_normal < 2:
        raise ValueError(f"choice='pseudo_auc' needs two normal videos held out, got "
                         f"{held_normal}: give a larger val_fraction or more normal videos")
    pseudo = splice_pseudo_anomalies(normal, seed=seed) if held_normal >= 2 else None
    eval_every = max(1, min(eval_every, epochs))
    # the task's options, for every restart and for their ensemble
    task_kw = dict(lr=lr, weight_decay=weight_decay, topk=topk, lambda_deg=lambda_deg,
                   alpha=alpha, lambda_sparse=lambda_sparse, config=config,
                   standardizer=standardizer, operator_lr=operator_lr,
                   operator_warmup=operator_warmup, branch_warmup=branch_warmup,
                   branch_fresh_head=branch_fresh_head,
                   operator_lr_warmup=operator_lr_warmup,
                   choice=choice)
    runs = []
    for r in range(restarts):
        s = restart_seed(seed, r)
        if not isinstance(model, nn.Module):
            seed_everything(s)
        net = model if isinstance(model, nn.Module) else model()
        task = WeaklySupervisedVAD(net, **task_kw)
        task.eval_dataset = test_ds
        task.pseudo = pseudo if choice != "loss" else None  # (loss: scored once, below)
        callbacks, max_epochs = [], epochs
        warmup_auto = operator_warmup == "auto" and bool(task._operator_parameters())
        if warmup_auto:
            if val_ds is None or patience is None:  # before any training
                raise ValueError("operator_warmup='auto' ends the warm-up when the held-out "
                                 "score stops improving: it needs val_fraction > 0 and "
                                 "patience (or an int warm-up), got "
                                 f"val_fraction={val_fraction!r}, patience={patience!r}")
            # each phase up to epochs: the start's own training is not cut short
            callbacks.append(OperatorWarmupAuto("val_score", mode="max", patience=patience,
                                                min_epochs=min_epochs, phase_epochs=epochs))
            max_epochs = OperatorWarmupAuto.num_phases(task) * epochs
        elif patience is not None and val_ds is not None:  # (auto without A: the plain run)
            callbacks.append(EarlyStoppingAfter("val_score", mode="max", patience=patience,
                                                min_epochs=min_epochs))
        folder = Path(out_dir) / f"restart{r}" if restarts > 1 else Path(out_dir)
        trainer = build_trainer(folder, max_epochs=max_epochs, seed=s,
                                accelerator=accelerator, devices=devices,
                                strategy=training_strategy(devices), progress=progress,
                                checkpoint=checkpoint, check_val_every_n_epoch=eval_every,
                                num_sanity_val_steps=0, callbacks=callbacks)
        train, val = _loaders(fit_ds, val_ds, batch_size, s)
        with without_validation(val is not None):
            trainer.fit(task, train, val)
        if val_ds is not None and max_epochs % eval_every and not trainer.should_stop:
            validate_last_epoch(trainer, task, val)
        runs.append((-task.best.get("val_score", -float("inf")), r, net, task, trainer))
    # the best held-out score; ties go to the earlier restart
    _, chosen, net, task, trainer = min(runs, key=lambda run: run[:2])
    # 0-based like a chosen epoch; without held-out videos the last one trained
    # (after fit, Lightning's current_epoch counts the epochs trained)
    epoch = task.best.get("epoch", trainer.current_epoch - 1)
    ensemble = restarts > 1 and restart_combine == "mean"
    if val_ds is not None:
        for run in runs:  # every restart at its chosen epoch
            run[2].load_state_dict(run[3].best_state)
            if choice == "loss" and pseudo is not None:
                run[3].score_pseudo_once(pseudo)
    if checkpoint and restarts > 1:
        # each restart's last epoch is under restart<r>/: a last.ckpt here would
        # be an earlier run's
        (Path(out_dir) / "checkpoints" / "last.ckpt").unlink(missing_ok=True)
    if checkpoint and not ensemble:
        # best.ckpt is the tested model, the last epoch without held-out videos
        # (a stale one of an earlier run into this folder must not survive);
        # weights_only=False is Lightning's default, said so that it does not log it
        with task.saved_epoch(epoch):  # dated by its epoch, the recorded one
            trainer.save_checkpoint(Path(out_dir) / "checkpoints" / "best.ckpt",
                                    weights_only=False)
    _, test = _loaders(None, test_ds, batch_size, 0)
    trainer.test(task, test, verbose=False)
    tested = task
    out: dict[str, Any] = {}
    if restarts > 1:
        # both combinations of the same restarts are scored, whichever is tested
        ens = WeaklySupervisedVAD(RestartEnsemble([run[2] for run in runs]), **task_kw)
        ens.eval_dataset, ens.pseudo = test_ds, pseudo
        ens_trainer = _scoring_trainer(Path(out_dir) / "ensemble", devices, accelerator,
                                       progress)
        _, held_out = _loaders(None, val_ds, batch_size, 0)
        with ens.record_validation():  # its best: the ensemble's held-out scores
            ens_trainer.validate(ens, held_out, verbose=False)
        if checkpoint and ensemble:
            ens_trainer.save_checkpoint(Path(out_dir) / "checkpoints" / "best.ckpt",
                                        weights_only=False)
        ens_trainer.test(ens, test, verbose=False)
        for prefix, t in (("chosen", task), ("ensemble", ens)):
            out.update({f"{prefix}_{k}": t.last_metrics[k] for k in TEST_METRICS})
            out.update({f"{prefix}_{k}": t.best[k] for k in VAL_METRICS if k in t.best})
        out["members_val_loss"] = sum(run[3].best["val_loss"] for run in runs) / restarts
        if ensemble:
            tested, trainer = ens, ens_trainer
    out = {**tested.last_metrics, **tested.best, **out,
           "epoch": epoch,
           "time_per_epoch_s": task.time_per_epoch(),  # the chosen restart's
           "params": tested.trainable_params(),
           "trainer": trainer, "task": tested}
    if warmup_auto:  # every restart builds the same kind of model
        out["operator_start_epoch"] = task.operator_start_epoch
    if branch_warmup and task.branches():
        out["branch_start_epoch"] = task.branch_start_epoch
    if restarts > 1:
        out["restart"] = chosen
        out["restart_val_losses"] = [run[3].best.get("val_loss", float("inf")) for run in runs]
        out["restart_val_scores"] = [-run[0] for run in runs]
        out["restart_epochs"] = [run[3].best["epoch"] for run in runs]
    return out


def evaluate_vad(task: WeaklySupervisedVAD, test_ds, *, out_dir: str | Path,
                 batch_size: int = 16, devices: int = 1, accelerator: str = "cpu",
                 progress: bool = True, strategy: str | None = None) -> dict[str, float]:
    """Scores ``test_ds`` with a trained task (one pass, ``trainer.test``):
    its metrics, and each video's scores in ``task.last_videos``. Videos of
    which none has frame ground truth (new videos) are scored without
    metrics (``{}``).

    Args:
        task (WeaklySupervisedVAD): the trained task.
        test_ds (torch_geometric.data.Dataset): the videos to score (with frame ground
            truth, or none of them with any).
        out_dir (str or Path): logs.
        batch_size (int, optional): videos per batch. (default: :obj:`16`)
        devices (int, optional): CPU processes or GPUs. (default: :obj:`1`)
        accelerator (str, optional): ``"cpu"``, ``"gpu"`` (= ``"cuda"``) or ``"auto"``.
            (default: :obj:`"cpu"`)
        progress (bool, optional): show a progress bar. (default: :obj:`True`)
        strategy (str, optional): Lightning's strategy. (default: :obj:`None`, ``"ddp"``
            with several devices, else ``"auto"``)
    """
    check_test_videos(test_ds, ground_truth=False)
    task.eval_dataset = test_ds
    trainer = _scoring_trainer(out_dir, devices, accelerator, progress, strategy)
    _, ev = _loaders(None, test_ds, batch_size, 0)
    trainer.test(task, ev, verbose=False)
    return dict(task.last_metrics)
