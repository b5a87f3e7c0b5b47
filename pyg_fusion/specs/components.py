"""The components of a method run: one typed config per component
(relationship graph, powers, fusion operator, head, task objective,
trainer), and where a task departs from their defaults.

A hyper-parameter lives in its component's config and nowhere else in this
layer: the CLI flags are generated from the fields (name, type, default and
the ``help`` / ``choices`` / ``check`` / ``flags`` metadata of
:func:`~pyg_fusion.specs.options.option`), a run saves
:meth:`~pyg_fusion.specs.MethodSpec.to_dict`, and the LEGO builders
pass every field of :data:`LEGO_CONFIGS` to :class:`~pyg_fusion.nn.LEGO` by
name (``arg`` in a field's metadata when LEGO calls it differently), as a VAD
run passes every field of the objective and the trainer to
:func:`~pyg_fusion.training.vad_fit.fit_vad`. A
field's default is the component's; :data:`TASK_DEFAULTS` and
:data:`SETTING_DEFAULTS` hold where a task departs from it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

from .._lego_rules import MODES, PAIRS, STARTS, SUPPORTS, TERM_SCALES, ZEROTH
from .._option_rules import ADAM_RULES, CHOICES, COMBINES
from .options import documented, option

TASKS = ("node", "vad")

# Who reads an option (its ``methods``, see :func:`~pyg_fusion.specs.options.option`),
# as the builders of pyg_fusion.methods pass the configs on: the fields of
# LEGO_CONFIGS go to pyg_fusion.nn.LEGO, which the lego methods alone build;
# an option without ``methods`` is read by every method of its task.
LEGO_METHODS = ("lego", "lego-row", "lego-cp")
# VAD: the methods that build the segments' relationship graphs and score G's
# rows (VADLEGO, VADGraphFusion: k, center, row_order); the feature models and
# mtn build none. On the node task every method builds its head's kNN graph with k.
GRAPH_METHODS = (*LEGO_METHODS, "graph-*")
# the operator's pairwise and full forms: lego-cp is the CP form whatever
# --operator says, and a CP operator fuses all sources at once (no pairs; it
# refuses term scales)
NOT_CP = ("lego", "lego-row")
# VADLEGO's GraphHead branch (head="graph"): lego-row scores G's rows alone
BRANCH_METHODS = ("lego", "lego-cp")
# the operator's starts (STARTS) are those that init="auto" trains (VAD), the
# run's own first: a model built from a spec alone starts at it


@documented
@dataclass
class GraphConfig:
    """The relationship graph of each source."""
    k: int | None = option(10, "neighbours per node of the relationship graphs (VAD: with k, "
                       "LEGO's and the graph baselines' graphs)", unset="all segments",
                       check="positive_int",
                       methods={"vad": GRAPH_METHODS})
    proj_channels: int | None = option(None, "LEGO, VAD: width of a learned projection of each "
                                   "source before its graph", unset="no projection",
                                   check="positive_int",
                                   methods=LEGO_METHODS)
    support: str = option("union", "LEGO, sparse graphs: fuse the per-source supports by their "
                      "union or intersection, or build every source's graph on one shared "
                      "support (the union of their kNN graphs)",
                      choices=SUPPORTS,
                      methods=LEGO_METHODS)


@documented
@dataclass
class PowersConfig:
    """The graph powers R^0..R^P of each source."""
    num_powers: int | dict[str, int] = option(3, "LEGO: powers P of every source, or one per "
                                         "source as SOURCE=P,SOURCE=P,... (as a sweep's cell "
                                         "records them)",
                                         check="nonneg_int", flags=("-P",), per="source",
                                         methods=LEGO_METHODS)
    zeroth: str = option("identity", "LEGO: zeroth power R^0 = I (the paper) or the Hadamard "
                     "identity (ones on the support: single-source terms)",
                     choices=ZEROTH,
                     methods=LEGO_METHODS)
    prune_k: int | None = option(None, "LEGO, node task: keep the k largest entries per row after "
                             "each sparse graph product", unset="exact powers",
                             check="positive_int",
                             methods=LEGO_METHODS)


@documented
@dataclass
class FusionConfig:
    """LEGO's learned operator A over the sources' powers."""
    operator: str = option("pairwise", "LEGO (lego, lego-row): one operator A per source pair "
                       "(pairwise, the paper) or one over all sources (full: (P+1)^M "
                       "entries; contains the M-way product of the graphs; the same as "
                       "pairwise for two sources); lego-cp is the CP form",
                       choices=tuple(m for m in MODES if m != "cp"), arg="fusion",
                       methods=NOT_CP)
    fusion_rank: int = option(1, "LEGO: rank of the CP operator (lego-cp)", check="positive_int",
                          arg="rank",
                          methods=("lego-cp", ))
    pairs: str = option("sample", "LEGO: a random source pair per training step (sample, the "
                    "paper) or the mean of all pairs (all)", choices=PAIRS,
                    methods=NOT_CP)
    init: str = option("product", "LEGO: start the operator at the graph product or (with "
                   "--zeroth ones) at the mean of the graphs; VAD: auto trains from both "
                   "starts (same seed, each run in full) and tests the one of lower held-out "
                   "loss (a model built outside a run starts at the product; lego-cp's "
                   "default is product)",
                   choices=(*STARTS, "auto"),
                   methods=LEGO_METHODS)
    lambda_anchor: float = option(0.0, "LEGO: weight of the penalty ||A - A0||^2 pulling the "
                              "operator toward its start", check="nonneg_float",
                              methods=LEGO_METHODS)
    term_scale: str = option("none", "LEGO (lego, lego-row): bring each term of the operator to "
                         "the scale of the product term on each graph, by the mean absolute "
                         "entry (mean) or the root mean square entry (rms), so that A weighs "
                         "terms of one scale (none: the paper)", choices=TERM_SCALES,
                         methods=NOT_CP)


@documented
@dataclass
class HeadConfig:
    """What scores the fused graph (and the baselines' heads)."""
    features: str = option("concat", "node task: what the head sees besides the graph: concat "
                       "(the views' features, GraphHead), none (one-hot node ids) or labels "
                       "(graph only: label propagation of the training labels over each "
                       "method's graph)", choices=("concat", "none", "labels"))
    # VAD's default None is each head's own width: N (the snippets per video)
    # for the row heads and the graph baselines, as the paper sizes its head,
    # and 32 for the feature heads and MTN's
    hidden_channels: int | None = option(64, "hidden width of the head (VAD: N, the snippets "
                                         "per video, for the row heads and graph baselines; "
                                         "32 for the feature heads and mtn)",
                                         unset="the head's own", check="positive_int")
    num_layers: int = option(2, "node task: message-passing layers of the head",
                         check="positive_int")
    dropout: float = option(0.5, "dropout of the head", check="fraction")
    center: bool = option(False, "VAD: subtract each video's mean feature before the graphs",
                      check="bool",
                      methods=GRAPH_METHODS)
    row_order: str = option("position", "VAD: the row head reads a row of G by segment "
                        "position (the paper), sorted in decreasing order (where the "
                        "related segments are no longer matters) or both side by side",
                        choices=("position", "sorted", "both"),
                        methods=GRAPH_METHODS)
    # the VAD default of lego and lego-cp is branch dropout 0.1 (TASK_DEFAULTS);
    # detached and scaled branches are off: with them lego's held-out loss (seeds
    # 0-4, the three VAD benchmarks) was higher than without on at least one
    # benchmark (docs/results/vad_studies.md, "Regularising lego's branch")
    branch_dropout: float | None = option(None, "VAD, lego and lego-cp: dropout inside the "
                                      "GraphHead branch only, before each of its layers",
                                      unset="--dropout", check="fraction",
                                      methods=BRANCH_METHODS)
    branch_detach: bool = option(False, "VAD, lego and lego-cp: the GraphHead branch reads the "
                             "fused graph G without back-propagating into it, so that only the "
                             "row head shapes LEGO's operator", check="bool",
                             methods=BRANCH_METHODS)
    branch_scale: float = option(1.0, "VAD, lego and lego-cp: fixed factor on the GraphHead "
                             "branch's scores (below 1, the branch's scores move that much "
                             "slower under Adam, so the row head learns before the branch fits "
                             "the video labels)", check="positive_float",
                             methods=BRANCH_METHODS)


@documented
@dataclass
class ObjectiveConfig:
    """The task's loss (weakly supervised VAD)."""
    topk: int = option(3, "VAD: snippets of each video in the MIL top-k mean", check="positive_int")
    lambda_deg: float = option(0.1, "VAD: weight of the degree term", check="nonneg_float")
    alpha: float | None = option(None, "VAD: the degree term's node degrees sum only the "
                             "entries of G >= alpha", unset="all entries", check="float")
    lambda_sparse: float = option(0.0, "VAD: weight of the sparsity term (mean snippet score of "
                              "the abnormal training videos)", check="nonneg_float")
    val_fraction: float = option(0.2, "VAD: fraction of the training videos held out (stratified, "
                             "seeded) to choose the epoch (0: test the last epoch)",
                             check="fraction")
    val_choice: str = option("loss", "VAD: what chooses the epoch and the restart on the "
                         "held-out videos: loss (MIL loss with their video labels) or "
                         "pseudo_auc (segment AUC on stretches of held-out normal videos "
                         "spliced into each other)", choices=CHOICES, arg="choice")


@documented
@dataclass
class TrainerConfig:
    """The optimisation."""
    epochs: int = option(80, "epochs", check="positive_int")
    lr: float = option(0.01, "learning rate", check=ADAM_RULES["lr"])
    weight_decay: float = option(5e-4, "Adam's weight decay",
                                 check=ADAM_RULES["weight_decay"])
    eval_every: int = option(5, "epochs between evaluations", check="positive_int")
    batch_size: int = option(16, "VAD: videos per batch; the last incomplete batch of "
                             "each epoch is dropped", check="positive_int")
    patience: int | None = option(None, "VAD: stop after this many evaluations without a better "
                              "validation loss", unset="never", check="positive_int")
    min_epochs: int = option(0, "VAD, with --patience: epochs trained before early stopping may "
                         "end a run", check="nonneg_int")
    operator_lr: float | None = option(None, "VAD: Adam's learning rate of LEGO's operator A",
                                   unset="--lr", check=ADAM_RULES["operator_lr"],
                                   methods=LEGO_METHODS)
    operator_lr_warmup: int = option(0, "VAD: epochs over which A's learning rate rises, "
                                     "geometrically from 1/1000 of its value, from A's first "
                                     "epoch of training (0: none)", check="nonneg_int",
                                     methods=LEGO_METHODS)
    operator_warmup: int | str = option(0, "VAD: epochs at the start during which LEGO's "
                                    "operator A stays at its start (only the rest of the "
                                    "model trains); auto: until the held-out score stops "
                                    "improving (--patience, --min-epochs; at most --epochs), "
                                    "then A trains with a fresh patience count (at most "
                                    "--epochs more) and the best epoch of both phases is "
                                    "tested (lego-cp's default is 0)",
                                    check="nonneg_int_or_auto",
                                    methods=LEGO_METHODS)
    branch_warmup: bool = option(False, "VAD, lego and lego-cp: the GraphHead branch stays off "
                             "(its scores 0, as at its start) while A keeps its start; with "
                             "--operator-warmup auto also through A's phase, and it trains in "
                             "a third phase (at most --epochs more, a fresh patience count), "
                             "so that LEGO first trains as its row head alone (lego-row) and "
                             "the best epoch of all phases is tested", check="bool",
                             methods=BRANCH_METHODS)
    branch_fresh_head: bool = option(False, "VAD, lego and lego-cp, with --branch-warmup: the "
                                     "row head starts afresh (re-initialised) when the branch "
                                     "starts, so that the branch learns from a loss the "
                                     "warm-up's head has not already brought down",
                                     check="bool", methods=BRANCH_METHODS)
    restarts: int = option(1, "VAD: initialisations trained per run (restart r seeded by seed "
                       "+ 1000003 r, restart 0 by the seed itself), combined as "
                       "--restart-combine says", check="positive_int")
    # "best" by default: with R = 3 the ensemble's held-out loss was above the chosen
    # restart's on all three VAD benchmarks, for each of lego, lego-row, graph-product and
    # graph-mean, seeds 0-4 (docs/results/vad_studies.md, "Restart ensembles")
    restart_combine: str = option("best", "VAD, with --restarts > 1: the tested model is the "
                              "restart of best held-out score (best) or the ensemble of all "
                              "restarts, each at its chosen epoch, whose segment probabilities "
                              "are averaged (mean); both are scored and recorded (chosen_*, "
                              "ensemble_*)", choices=COMBINES)


# component name -> config class, in the order of the spec (and of --help)
COMPONENTS: dict[str, type] = {"graph": GraphConfig, "powers": PowersConfig,
                               "fusion": FusionConfig, "head": HeadConfig,
                               "objective": ObjectiveConfig, "trainer": TrainerConfig}
# the components whose every field is an argument of pyg_fusion.nn.LEGO
LEGO_CONFIGS = ("graph", "powers", "fusion")

# Where a task departs from the components' defaults. Node classification:
# P = 1 and k = 10 on the digits (P = 2 with per-row pruning to 10 ties on
# the validation masks; the smaller operator was kept); LEGO's graphs on one
# shared support, the rule being "the support of higher mean validation
# accuracy of lego over seeds 0-4, in both digits settings": shared 96.10
# against 95.10 for the pairs' intersections with the views' features, 95.70
# against 95.00 graph only (docs/results/digits.md); VAD: the paper's N = 32
# segments and MIL top-3; LEGO's zeroth power is the Hadamard identity and
# its operator starts at the mean of the graphs (lower held-out video loss on
# MotionVAD, 5 seeds, than R^0 = I and the product start: lego-row 0.535
# against 0.543, lego 0.297 against 0.321; docs/results/vad_studies.md); the row
# head reads sorted rows and Adam runs at lr 1e-2: of {position, sorted,
# both} x {1e-3, 1e-2}, the lowest held-out loss averaged over MotionVAD and
# SyntheticVAD's two regimes (graph-mean, graph-product, lego-row and lego,
# seeds 0-2), and below the previous defaults' (position, 1e-3) on each:
# 0.155 / 0.634 / 0.489 against 0.449 / 0.660 / 0.675 (docs/results/vad_studies.md).
# Then LEGO's operator: one over all sources (operator="full", the pairwise
# one for two sources) started at the product of all graphs, i.e. exactly
# at graph-product; the same rule over the previous start (pairwise, mean)
# and full x {mean, product} x the operator's learning rate {lr, 1e-3,
# 1e-4} (lego-row and lego, seeds 0-4, the three benchmarks; full, mean,
# 1e-3 on MotionVAD only): mean held-out loss 0.407 against 0.427 for
# pairwise + mean, lower on each benchmark (0.174 / 0.557 / 0.490 against
# 0.177 / 0.585 / 0.519); three others were lower on average (0.402, 0.404,
# 0.406) but not below on each (docs/results/vad_studies.md).
# The VAD budget: at least 30 epochs (the previous fixed budget), then early
# stopping on the held-out loss with patience 10, capped at 200. With 30
# epochs the chosen epoch of lego, lego-row, graph-product and graph-mean
# was among the last three in most runs: the held-out loss was still
# falling. The rule: adopt it if the chosen epoch lies before the cap's last
# 10% in >= 48 of those 60 runs (three benchmarks, seeds 0-4) and in >= 3 of
# 5 seeds of each method and benchmark (docs/results/vad_studies.md, "The
# training budget").
# Then LEGO trained from its best special case: the warm-up "auto" (A frozen
# until the held-out loss plateaus, then trained; the best epoch of both
# phases) from both starts, product and mean, the lower held-out loss tested
# (init="auto"). The rule: adopt a setting if the held-out loss of lego and
# lego-row (seeds 0-4) is lower than the previous default's on the mean of
# the three benchmarks and not higher on any: 0.303 against 0.357 (0.141 /
# 0.381 / 0.389 against 0.156 / 0.460 / 0.455); the warm-up alone, from the
# product, was lower on average (0.351) but higher on MotionVAD (0.189)
# (docs/results/vad_studies.md, "LEGO from its best special case, trained").
# Then lego's branch options under those defaults (lego only): dropout 0.2 in
# the GraphHead branch, by the same rule on lego's held-out loss: 0.254
# against 0.268 (0.117 / 0.251 / 0.395 against 0.130 / 0.256 / 0.419); the
# branch at scale 0.3 was lower on average (0.262) but higher on MotionVAD
# and relational, the detached branch higher on average (0.269); then the
# rate, same rule against 0.2: 0.1 gave 0.228 (0.111 / 0.201 / 0.371), 0.3
# was higher on each benchmark (0.271) (docs/results/vad_studies.md,
# "Regularising lego's branch"). Then lego-cp's options, same rule on lego-cp's
# held-out loss against its previous default (A from the product at epoch 0,
# no branch dropout: 0.149 / 0.384 / 0.464): branch dropout 0.1 gave 0.147 /
# 0.365 / 0.451 and is its default; the warm-up auto was higher on MotionVAD
# and relational (0.163, 0.483), with the branch dropout higher on MotionVAD
# (0.151) (docs/results/vad_studies.md, "lego-cp's options").
TASK_DEFAULTS: dict[str, dict[str, Any]] = {
    "node": dict(num_powers=1, support="shared"),
    "vad": dict(k=None, num_powers=3, zeroth="ones", operator="full", init="auto",
                operator_warmup="auto", hidden_channels=None, dropout=0.0, branch_dropout=0.1,
                row_order="sorted",
                lr=1e-2, epochs=200, patience=10, min_epochs=30, eval_every=1),
}

# Overrides for the graph-only node setting (``features="labels"``: label
# propagation over each method's graph). Only LEGO's operator and the head's
# scale are trained there, so a higher learning rate and no weight decay; LEGO
# trains on the mean of all pairs (with a head that normalises G, one pair at
# a time cannot learn the pairs' relative weights: see LEGOFusion). P = 1: on
# the shared support (the union of six kNN graphs, about 40 entries per row)
# the third power is nearly dense, and 2 epochs of P = 3 took over 300 s; on
# the intersections P = 3 had been chosen on validation (95.67 against 94.67
# for P = 2, seeds 0-2).
SETTING_DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {
    ("node", "labels"): dict(num_powers=1, pairs="all", lr=0.05, weight_decay=0.0,
                             epochs=100),
}


def option_fields() -> dict[str, tuple[str, dataclasses.Field]]:
    """``{option name: (component, field)}`` over every component."""
    return {f.name: (comp, f) for comp, cls in COMPONENTS.items() for f in fields(cls)}


__all__ = ["TASKS", "GraphConfig", "PowersConfig", "FusionConfig", "HeadConfig",
           "ObjectiveConfig", "TrainerConfig", "COMPONENTS", "LEGO_CONFIGS", "TASK_DEFAULTS",
           "SETTING_DEFAULTS", "option_fields"]
