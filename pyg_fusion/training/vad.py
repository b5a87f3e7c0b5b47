"""Weakly supervised video anomaly detection (VAD) on PyTorch Lightning.

Training sees video-level labels only: the MIL top-k pooling of a video's
snippet scores (mean of the ``k`` highest sigmoid scores; ``k = 3`` of 32 as
in RTFM) against the video label with binary cross-entropy, plus
``lambda_deg`` times the degree-variance term of LEGO
(:func:`~pyg_fusion.functional.degree_variance_loss`) on the graph the head
scored, when the model has one.

Model choice uses the training videos only: a stratified, seeded fraction
of them (``val_fraction``, 0.2 by default) is held out, and after every
``eval_every`` epochs the held-out videos are scored with their video labels
(``val_loss``: BCE of the MIL video score, the mean of the top-k snippet
scores; ``val_video_auc``: its ROC-AUC). The epoch with the lowest
``val_loss`` (``val_score = -val_loss``) is restored before the test set is
scored once; the test set never chooses anything. The loss, not the video
AUC, chooses: with the few held-out videos of a small benchmark (8 of 40 on
MotionVAD) the video AUC takes a handful of values and reaches 1 within an
epoch or two, so it would keep a barely trained model. With
``choice="pseudo_auc"`` the segment ROC-AUC on pseudo-anomalies spliced from
the held-out normal videos chooses instead (``val_pseudo_auc``, see
:mod:`~pyg_fusion.training.pseudo_anomalies`; it is measured, not used, with
the default ``choice="loss"`` whenever two held-out videos are normal). With ``val_fraction=0`` every video trains and the last
epoch is tested. ``restarts`` > 1 trains several initialisations, each kept
at its epoch of best ``val_score``, and tests the one of best ``val_score``
or, with ``restart_combine="mean"``, the mean of their segment probabilities
(:func:`~pyg_fusion.training.vad_fit.fit_vad`,
:class:`~pyg_fusion.training.vad_ensemble.RestartEnsemble`).

Test evaluation is frame level: each video's segment scores are expanded to its
frames (:func:`~pyg_fusion.datasets.segment_scores_to_frames`: each snippet
takes its segment's score, repeated over its 16 frames), concatenated in list
order (the crops of one video, ``VADFeatures(crops="all")``, as one video scored by
the mean of their probabilities, as RTFM tests) and compared with the
concatenated frame ground truth: ``auc``
(ROC-AUC), ``ap`` (scikit-learn average precision) and ``pr_auc_trapz``. Under
DDP each rank scores its shard of the videos; the scores are gathered by
video index before the metrics, so they equal a single-process run.
"""
from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .._option_rules import CHOICES, is_finite_real
from ..functional import degree_variance_loss
from ..functional._checks import check_choice, check_int
from ..functional.loss import _dense_graph_degrees, check_alpha
from ._precision import precision_batch
from ._task import TimedAdamTask
from ._vad_scores import (IndexedDataset, mil_topk_loss, segment_scores, tested_video,
                          video_scores)
from .metrics import frame_level_metrics, gather_by_index, roc_auc
from .stopping import batches_into_epoch
from .vad_split import split_videos, video_keys

__all__ = ["WeaklySupervisedVAD", "IndexedDataset", "mil_topk_loss", "video_scores",
           "segment_scores", "split_videos", "CHOICES"]


def _check_loss_weight(name: str, value) -> None:
    """A loss term's weight: a finite number >= 0 (0 turns the term off)."""
    if not (is_finite_real(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0 (0 turns its term off), "
                         f"got {value!r}")


class WeaklySupervisedVAD(TimedAdamTask):
    """LightningModule for weakly supervised VAD.

    Args:
        model (nn.Module): maps a batch of videos to ``(logits [B, N], G [B, N, N] or None)``.
        lr (float, optional): Adam. (default: :obj:`0.001`)
        weight_decay (float, optional): Adam. (default: :obj:`0.0005`)
        topk (int, optional): k of the MIL top-k pooling. (default: :obj:`3`)
        lambda_deg (float, optional): weight of the degree-variance term, >= 0 (0 disables
            it). (default: :obj:`0.1`)
        alpha (float, optional): degree threshold of the degree-variance term. (default:
            :obj:`None`)
        config (dict[str, Any], optional): JSON-able description of the run, stored in
            checkpoints. (default: :obj:`None`)
        standardizer (nn.Module, optional): the
            :class:`~pyg_fusion.datasets.StandardizeSources` of the training split
            (``train.standardizer``), or ``None``. The datasets apply it
            (``VADFeatures(standardize=...)``); the task keeps a copy as submodule
            ``standardizer`` so that its buffers go into ``state_dict`` and the checkpoint,
            from which :meth:`~pyg_fusion.datasets.StandardizeSources.from_state_dict` (prefix
            ``"standardizer."``) rebuilds it to score new data. (default: :obj:`None`)
        lambda_sparse (float, optional): weight of the sparsity term (the mean snippet score
            of the abnormal videos), >= 0. (default: :obj:`0.0`)
        operator_lr (float, optional): Adam's learning rate of the LEGO operators
            (:class:`~pyg_fusion.nn.LEGOFusion` parameters; ``None``: ``lr``).
            (default: :obj:`None`)
        operator_warmup (int, optional): training epochs at the start during which the LEGO
            operators keep their values (see :class:`~pyg_fusion.training._task.TimedAdamTask`).
            (default: :obj:`0`)
        branch_warmup (bool, optional): the model's branch stays off while the operators
            keep their values (with ``operator_warmup="auto"``, also through A's phase; see
            :class:`~pyg_fusion.training._task.TimedAdamTask`). (default: :obj:`False`)
        branch_fresh_head (bool, optional): with ``branch_warmup``, the row head starts
            afresh when the branch starts (see
            :class:`~pyg_fusion.training._task.TimedAdamTask`). (default: :obj:`False`)
        operator_lr_warmup (int, optional): epochs over which the operators' learning rate
            rises to its value from their first epoch of training (see
            :class:`~pyg_fusion.training._task.TimedAdamTask`). (default: :obj:`0`)
        choice (str, optional): what ``val_score`` is: ``"loss"`` (minus the held-out MIL
            loss) or ``"pseudo_auc"`` (the segment AUC on :attr:`pseudo`, which must then be
            set). (default: :obj:`"loss"`)

    ``validation_*`` scores weakly labelled videos (``val_video_auc``,
    ``val_loss``; ``val_pseudo_auc`` when :attr:`pseudo`, a pair of a batch of
    pseudo-anomalous videos and their segment labels
    (:func:`~pyg_fusion.training.pseudo_anomalies.splice_pseudo_anomalies`), is
    set; ``val_score``) and, during ``trainer.fit``, keeps the model state of the best
    ``val_score`` (:attr:`best_state`, its scores :attr:`best` with its ``epoch`` and, for a
    validation within the epoch (a trainer's ``val_check_interval`` below 1),
    ``epoch_batches``, the training batches of that epoch done before it; a ``trainer.validate``
    after fit is scored and logged only: :attr:`recording`); ``test_*`` scores
    ``eval_dataset``
    against its frame ground truth (``test_auc``, ``test_ap``,
    ``test_pr_auc_trapz``; videos of which none has ground truth, new ones, are
    scored without metrics), and keeps each tested video's snippet and frame
    scores in :attr:`last_videos` (:func:`~._vad_scores.tested_video`; written by
    :func:`~._vad_scores.write_test_scores`). Their batches come from :class:`IndexedDataset`
    (each video's ``idx`` puts the gathered scores back in order).
    ``trainer.predict`` gives, per batch of videos, their snippet anomaly scores
    ``[B, N]`` in ``[0, 1]`` (:func:`segment_scores` of the model's logits, the scores
    that ``test_*`` ranks), without the graphs ``G``.
    """

    fit_state = TimedAdamTask.fit_state + ("best", "best_state")

    def __init__(self, model: nn.Module, *, lr: float = 1e-3, weight_decay: float = 5e-4,
                 topk: int = 3, lambda_deg: float = 0.1, alpha: float | None = None,
                 lambda_sparse: float = 0.0, config: dict[str, Any] | None = None,
                 standardizer: nn.Module | None = None, operator_lr: float | None = None,
                 operator_warmup: int = 0, branch_warmup: bool = False,
                 choice: str = "loss", branch_fresh_head: bool = False,
                 operator_lr_warmup: int = 0):
        super().__init__(model, lr, weight_decay, operator_lr, operator_warmup, branch_warmup,
                         branch_fresh_head, operator_lr_warmup)
        check_choice("choice", choice, CHOICES)
        self.choice = choice
        self.pseudo: tuple | None = None
        # a copy: moving the task to a device must not move the statistics that
        # the datasets' transform applies on the CPU
        self.standardizer = copy.deepcopy(standardizer)
        check_alpha(alpha)  # once here: the step's degrees skip their checks
        check_int("topk", topk, minimum=1)
        # the step adds a term only when its weight is > 0: a negative or NaN
        # weight trained as 0 and was recorded as given (fit_vad builds this task)
        _check_loss_weight("lambda_deg", lambda_deg)
        _check_loss_weight("lambda_sparse", lambda_sparse)
        self.topk, self.lambda_deg, self.alpha = topk, lambda_deg, alpha
        self.lambda_sparse = lambda_sparse
        # every setting but the model and the statistics (kept in the state):
        # load_from_checkpoint rebuilds the task from them, and a logger records them
        self.save_hyperparameters({"config": config or {}, "lr": lr,
                                   "weight_decay": weight_decay, "topk": topk,
                                   "lambda_deg": lambda_deg, "alpha": alpha, "choice": choice,
                                   "lambda_sparse": lambda_sparse, "operator_lr": operator_lr,
                                   "operator_warmup": operator_warmup,
                                   "branch_warmup": branch_warmup,
                                   "branch_fresh_head": branch_fresh_head,
                                   "operator_lr_warmup": operator_lr_warmup})
        self.eval_dataset = None
        self.best: dict[str, float] = {}
        self.best_state: dict[str, torch.Tensor] | None = None
        self.last_metrics: dict[str, float] = {}
        self.last_scores: torch.Tensor | None = None
        self.last_videos: list[dict[str, Any]] = []
        self._outputs: list[tuple[torch.Tensor, torch.Tensor]] = []

    def on_fit_start(self):
        super().on_fit_start()
        # (found at the first validation's end, after an epoch of training)
        if self.choice == "pseudo_auc" and self.pseudo is None:
            raise ValueError("choice='pseudo_auc' chooses on pseudo-anomalies, and the task has "
                             "none: set task.pseudo = splice_pseudo_anomalies(held-out normal "
                             "videos) before fit (pyg_fusion.training.pseudo_anomalies), as "
                             "fit_vad does")

    def on_load_checkpoint(self, checkpoint):
        super().on_load_checkpoint(checkpoint)
        # a task built without the statistics (load_from_checkpoint(path,
        # model=...)) takes the checkpoint's: their keys were refused as
        # unexpected, so a fit_vad checkpoint of standardised data did not load
        if self.standardizer is None:
            from ..datasets import StandardizeSources
            self.standardizer = StandardizeSources.from_state_dict(
                checkpoint.get("state_dict", {}), "standardizer.")

    def training_step(self, batch, batch_idx):
        with self.divergence_named(batch):
            logits, g = self.model(batch)
            y = batch.y.view(-1)
            loss = mil_topk_loss(logits, y, self.topk) + self.penalty()
            if self.lambda_sparse > 0 and bool((y == 1).any()):
                loss = loss + self.lambda_sparse * torch.sigmoid(logits[y == 1]).mean()
            if g is not None and self.lambda_deg > 0:
                deg = _dense_graph_degrees(g, self.alpha)  # [B, N]; alpha checked at init
                video = torch.arange(deg.size(0),
                                     device=deg.device).repeat_interleave(deg.size(1))
                loss = loss + self.lambda_deg * degree_variance_loss(
                    deg.reshape(-1), video, y, k=self.topk, num_graphs=deg.size(0))
        self.log("train_loss", loss, prog_bar=True, batch_size=y.numel())
        return loss

    # -- evaluation -------------------------------------------------------
    def on_validation_epoch_start(self):
        # a pass stopped part-way (an error, Ctrl-C) left its batches' scores,
        # which the next pass gathered first, so that they replaced its own
        self._outputs = []

    on_test_epoch_start = on_validation_epoch_start

    @staticmethod
    def _positions(batch) -> torch.Tensor:
        if "idx" not in batch:  # (an AttributeError of PyG's storage, naming no remedy)
            raise ValueError("the evaluation batches carry no idx (each video's position, "
                             "which orders the gathered scores): load them from "
                             "IndexedDataset(dataset), as fit_vad does")
        return batch.idx.view(-1)

    def _eval_step(self, batch):
        logits, _ = self.model(batch)
        self._outputs.append((self._positions(batch), segment_scores(logits).detach()))

    def _gathered(self):
        idx = torch.cat([o[0] for o in self._outputs])
        scores = torch.cat([o[1] for o in self._outputs])
        self._outputs = []
        return gather_by_index(idx, scores)

    def _test_end(self, prefix: str):
        if not self._outputs:
            return
        idx, scores = self._gathered()
        self.last_scores = scores.cpu()
        ds = self.eval_dataset
        if ds is None:
            raise RuntimeError("set eval_dataset (the evaluation videos, with frame_gt) "
                               "before validating or testing")
        if idx.numel() != len(ds):
            raise RuntimeError(f"gathered {idx.numel()} videos, the evaluation set has {len(ds)}")
        from ..datasets import segment_scores_to_frames
        # The crops of one video (VADFeatures(crops="all")) are one video, scored
        # by the mean of their probabilities as RTFM tests: scored apart, every
        # frame counted once per crop.
        tested = [ds[i] for i in range(len(ds))]
        videos: dict = {}
        for i, key in enumerate(video_keys(tested)):
            videos.setdefault(key, (tested[i], []))[1].append(i)
        frames, gts, self.last_videos = [], [], []
        # videos of which none has ground truth (new ones) are scored, without metrics
        scored_only = not any("frame_gt" in data for data, _ in videos.values())
        for i, (data, items) in enumerate(videos.values()):
            segments = scores[items].mean(0).cpu()
            f = segment_scores_to_frames(segments, data)
            self.last_videos.append(tested_video(data, i, segments, f))
            if scored_only:
                continue
            if "frame_gt" not in data:
                raise ValueError(f"video {getattr(data, 'video', i)!r} has no frame_gt: "
                                 "evaluate on a split with frame-level ground truth")
            gt = data.frame_gt.view(-1)
            if f.numel() != gt.numel():
                # cutting one to the other compared frames of different times: a
                # number, silently (e.g. a ground truth at 8 frames per snippet)
                raise ValueError(
                    f"video {getattr(data, 'video', i)!r} has {gt.numel()} frames of "
                    f"frame_gt but {data.snippet_segment.numel()} snippets x snippet_len "
                    f"{int(data.snippet_len)} = {f.numel()} frames of scores: check "
                    f"snippet_len and that frame_gt covers this video's whole snippets")
            frames.append(f)
            gts.append(gt)
        if scored_only:
            self.last_metrics = {}
            return
        m = frame_level_metrics(frames, gts)
        m["epoch"] = self.current_epoch
        self.last_metrics = m
        for key in ("auc", "ap", "pr_auc_trapz"):
            self.log_gathered(f"{prefix}_{key}", m[key], prog_bar=key == "auc")

    def validation_step(self, batch, batch_idx):
        logits, _ = self.model(batch)
        video = video_scores(logits, self.topk).detach()
        self._outputs.append((self._positions(batch),
                              torch.stack([video, batch.y.view(-1).to(video.dtype)], 1)))

    def on_validation_epoch_end(self):
        if self.sanity_checking:
            # a few batches of held-out videos, maybe of one label (an error
            # of roc_auc before any training), and of an untrained model
            self._outputs = []
        if not self._outputs:
            return
        _, out = self._gathered()
        video, y = out[:, 0], out[:, 1]
        if y.unique().numel() < 2:  # roc_auc's own error named no loader, after an epoch
            label = "abnormal" if bool(y[0]) else "normal"
            part = self._validated_part()
            if part is not None:  # the loader's other videos were never scored
                raise ValueError(
                    f"the held-out videos validated are all {label} ({y.numel()} videos, "
                    f"{part}: fast_dev_run, limit_val_batches or overfit_batches): "
                    f"val_video_auc needs both labels; validate every batch, or limit the "
                    f"batches of a held-out loader whose first ones hold both labels")
            raise ValueError(f"the held-out videos (the validation loader's) are all {label} "
                             f"({y.numel()} videos): val_video_auc needs both labels; hold "
                             f"out videos of both, e.g. split_videos(dataset, fraction) "
                             f"(stratified, as fit_vad does)")
        m = {"val_video_auc": roc_auc(video.cpu(), y.cpu()),
             "val_loss": float(F.binary_cross_entropy(video.clamp(1e-6, 1 - 1e-6), y)),
             "epoch": self.current_epoch}
        within = batches_into_epoch(self._trainer)
        if within is not None:  # (val_check_interval < 1: two records of one epoch)
            m["epoch_batches"] = within
        if self.pseudo is not None:
            m["val_pseudo_auc"] = self._pseudo_auc()
        elif self.choice == "pseudo_auc":
            raise RuntimeError("choice='pseudo_auc' needs the pseudo-anomalies: set task.pseudo")
        m["val_score"] = m["val_pseudo_auc"] if self.choice == "pseudo_auc" else -m["val_loss"]
        for key in ("val_video_auc", "val_loss", "val_pseudo_auc", "val_score"):
            if key in m:
                self.log_gathered(key, m[key], prog_bar=key == "val_video_auc")
        if self.recording and m["val_score"] > self.best.get("val_score", -float("inf")):
            self.best = m
            self.best_state = self.model_state()

    def _validated_part(self) -> str | None:
        # "the first n of its m batches" where the trainer validated part of
        # the held-out loaders (None: all of them, or lengths unknown)
        from .seeding import _train_loaders  # (the loaders of a list or dict of them)
        trainer = self.trainer
        try:
            total = sum(len(dl) for dl in _train_loaders(trainer.val_dataloaders))
        except TypeError:
            return None
        done = sum(trainer.num_val_batches)
        return f"the first {done} of its {total} batches" if done < total else None

    def score_pseudo_once(self, pseudo) -> None:
        """``val_pseudo_auc`` of the chosen epoch, scored once with the model
        as it is (its :attr:`best_state` loaded) into :attr:`best`, where a
        validation puts it: with ``choice="loss"`` it chooses nothing, and
        scoring it at every validation was a sixth of a short run's time
        (:func:`~pyg_fusion.training.vad_fit.fit_vad` calls this)."""
        if self.best:
            self.pseudo, best = pseudo, dict(self.best)
            score = best.pop("val_score")
            self.best = {**best, "val_pseudo_auc": self._pseudo_auc(), "val_score": score}

    @torch.no_grad()
    def _pseudo_auc(self) -> float:
        batch, labels = self.pseudo
        training = self.model.training
        self.model.eval()
        try:
            logits, _ = self.model(precision_batch(self._trainer, batch).to(self.device))
        finally:
            self.model.train(training)
        return roc_auc(logits.cpu().reshape(-1), labels.reshape(-1))

    def test_step(self, batch, batch_idx):
        self._eval_step(batch)

    def predict_step(self, batch, batch_idx):
        # the scores a user ranks (Lightning's default step gave the model's
        # (logits, G), G being of the fusion, not of the videos' scores)
        logits, _ = self.model(batch)
        return segment_scores(logits)

    def on_test_epoch_end(self):
        self._test_end("test")
