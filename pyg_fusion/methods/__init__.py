"""The method registry: short, stable method names -> model builders, shared
by ``pyg-fusion train / evaluate / compare / sweep / demo``.

Names (``<s>`` is a source / view name):

========================  ==================================================
``lego``                  LEGO, pairwise operators (random pair per training
                          step, mean over all pairs in evaluation); VAD:
                          the row head on G plus a GraphHead branch (each
                          segment's absolute deviation from its video,
                          propagated over G; zero at the start)
``lego-row``              VAD: LEGO scored by the paper's RowHead (rows of G)
``lego-cp``               LEGO, M-way CP operator (all sources at once)
``single-<s>``            feature level: one source
``feature-concat``        feature level: concatenation
``feature-add``           feature level: sum (projections where widths differ)
``feature-product``       feature level: element-wise product (idem)
``mtn``                   feature level: MTN-style multi-scale temporal
                          network on the concatenation (VAD only)
``graph-<s>``             graph level: one source's relationship graph
``graph-concat``          graph level: graphs side by side
``graph-mean``            graph level: uniform mean of the graphs (addition)
``graph-product``         graph level: element-wise product of the graphs
``gcn-<s>``, ``gcn-mean`` GCN on one source's graph / the mean graph (node
                          classification only)
``asym-shuffle``          AsymFusion's asymmetric exchange on node features
                          (node classification)
========================  ==================================================

Every node-classification model maps a graph to logits ``[N, C]``
(:mod:`.node`); every VAD model maps a batch of videos to
``(logits [B, N], G or None)`` (:mod:`.vad`).
"""
from __future__ import annotations

from typing import Any

from torch import nn

from ..nn.baselines import FEATURE_MODES, GRAPH_MODES

TASKS = ("node", "vad")
# The registry's multi-source modes of the baselines. Graph "add" is left out:
# it is "mean" times M, and the paper's "addition" baseline is served by mean.
_FEATURE_FUSIONS = tuple(m for m in FEATURE_MODES if m != "single")
_GRAPH_FUSIONS = tuple(m for m in GRAPH_MODES if m not in ("single", "add"))

# Hyper-parameters of each task; every key can be overridden by the caller.
# Node classification: P = 1 and k = 10 on the digits (P = 2 with per-row
# pruning to 10 ties on the validation masks; the smaller operator was kept);
# LEGO's graphs on one shared support, the rule being "the support of higher
# mean validation accuracy of lego over seeds 0-4, in both digits settings":
# shared 96.10 against 95.10 for the pairs' intersections with the views'
# features, 95.70 against 95.00 graph only (README "results-lego");
# VAD: the paper's N = 32 segments and MIL top-3; LEGO's zeroth power is the
# Hadamard identity and its operator starts at the mean of the graphs (lower
# held-out video loss on MotionVAD, 5 seeds, than R^0 = I and the product
# start: lego-row 0.535 against 0.543, lego 0.297 against 0.321; README
# "results-lego"); no sparsity term (0.5 gave a higher held-out loss).
DEFAULTS: dict[str, dict[str, Any]] = {
    "node": dict(features="concat", k=10, num_powers=1, fusion_rank=1, prune_k=None,
                 pairs="sample", support="shared", zeroth="identity", init="product",
                 lambda_anchor=0.0, hidden_channels=64, num_layers=2, dropout=0.5, lr=0.01,
                 weight_decay=5e-4, epochs=80, eval_every=5),
    "vad": dict(center=False, proj_channels=None, k=None, num_powers=3, fusion_rank=1,
                support="union", zeroth="ones", init="mean", lambda_anchor=0.0,
                hidden_channels=32, dropout=0.0, lr=1e-3, weight_decay=5e-4, epochs=30,
                batch_size=16, topk=3, lambda_deg=0.1, alpha=None, lambda_sparse=0.0,
                val_fraction=0.2,
                eval_every=1, patience=None),
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

# Options that shape training, not the model.
TRAINING_OPTIONS = ("epochs", "lr", "weight_decay", "eval_every", "batch_size", "topk",
                    "lambda_deg", "alpha", "lambda_sparse", "val_fraction", "patience")

# The options of the LEGO operator that both tasks pass through.
LEGO_OPTIONS = ("support", "zeroth", "init", "lambda_anchor")


def _lego_options(name: str, o: dict[str, Any]) -> dict[str, Any]:
    # a rank-1 CP operator cannot be the mean of the graphs: lego-cp starts
    # at their product whatever the task's init
    out = {k: o[k] for k in LEGO_OPTIONS}
    if name == "lego-cp":
        out["init"] = "product"
    return out


def task_options(task: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The options of a run: :data:`DEFAULTS` of ``task``, then the
    :data:`SETTING_DEFAULTS` of its ``features`` setting, then ``options``
    (``None`` values ignored)."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    given = {k: v for k, v in (options or {}).items() if v is not None}
    features = given.get("features", DEFAULTS[task].get("features"))
    return {**DEFAULTS[task], **SETTING_DEFAULTS.get((task, features), {}), **given}


def model_options(task: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """:func:`task_options` without the training-only keys."""
    return {k: v for k, v in task_options(task, options).items()
            if k not in TRAINING_OPTIONS}


def method_names(task: str, sources: list[str], features: str | None = None) -> list[str]:
    """All method names for ``task`` ("node" or "vad") on these sources
    (with ``features="labels"``, only the methods that give a graph)."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    names = ["lego", "lego-cp"] + (["lego-row"] if task == "vad" else [])
    names += [f"single-{s}" for s in sources] + [f"feature-{m}" for m in _FEATURE_FUSIONS]
    if task == "vad":
        names.append("mtn")
    names += [f"graph-{s}" for s in sources] + [f"graph-{m}" for m in _GRAPH_FUSIONS]
    if task == "node" and features != "labels":
        names += [f"gcn-{s}" for s in sources] + ["gcn-mean", "asym-shuffle"]
    return names


def resolve_methods(spec: str | list[str], task: str, sources: list[str],
                    features: str | None = None) -> list[str]:
    """Expands a comma-separated list of names and groups: ``all``,
    ``lego``-family, ``single``, ``graph``, ``gcn``, ``feature`` (the prefix of
    a name stands for all names of that family)."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names = method_names(task, sources, features)
    out: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if item == "all":
            chosen = names
        elif item in names:
            chosen = [item]
        else:
            chosen = [n for n in names if n.startswith(item + "-")]
            if not chosen:
                raise ValueError(f"unknown method {item!r} for task {task!r}; known: "
                                 f"{', '.join(names)} (or all, single, feature, graph"
                                 f"{', gcn' if task == 'node' else ''})")
        out += [c for c in chosen if c not in out]
    if not out:
        raise ValueError("no method given")
    return out


def build_model(name: str, task: str, in_channels: dict[str, int], *,
                num_classes: int | None = None, num_segments: int = 32,
                **options) -> nn.Module:
    """Builds the model of method ``name`` for ``task``.

    Args:
        name: a name of :func:`method_names`.
        task: ``"node"`` or ``"vad"``.
        in_channels: ``{source: width}`` (order kept for concatenation).
        num_classes: classes (node classification).
        num_segments: N (VAD).
        **options: hyper-parameters (:data:`DEFAULTS` fill the rest);
            ``num_powers`` may be an int or a dict per source.
    """
    sources = list(in_channels)
    o = task_options(task, options)
    known = method_names(task, sources, o.get("features"))
    if name not in known:
        raise ValueError(f"unknown method {name!r} for task {task!r} with sources "
                         f"{sources}" + (f" and features={o['features']!r}"
                                         if o.get("features") == "labels" else "")
                         + f"; known: {', '.join(known)}")
    if task == "node":
        from . import node as M
        if num_classes is None:
            raise ValueError("num_classes is required for node classification")
        head = dict(hidden_channels=o["hidden_channels"], num_layers=o["num_layers"],
                    dropout=o["dropout"], features=o["features"], num_nodes=o.get("num_nodes"))
        if name.startswith("lego"):
            return M.NodeLEGO(in_channels, num_classes, num_powers=o["num_powers"], k=o["k"],
                              fusion="cp" if name == "lego-cp" else "pairwise",
                              rank=o["fusion_rank"], prune_k=o["prune_k"], pairs=o["pairs"],
                              **_lego_options(name, o), **head)
        if name.startswith("single-"):
            s = name[len("single-"):]
            return M.NodeFeatureFusion({s: in_channels[s]}, num_classes, mode="single",
                                       k=o["k"], **head)
        if name.startswith("feature-"):
            return M.NodeFeatureFusion(in_channels, num_classes, mode=name[len("feature-"):],
                                       k=o["k"], **head)
        if name.startswith("graph-"):
            rest = name[len("graph-"):]
            if rest in _GRAPH_FUSIONS:
                return M.NodeGraphFusion(in_channels, num_classes, mode=rest, k=o["k"], **head)
            return M.NodeGraphFusion(in_channels, num_classes, mode="single",
                                     graph_sources=[rest], k=o["k"], **head)
        if name.startswith("gcn-"):
            rest = name[len("gcn-"):]
            chans = in_channels if rest == "mean" else {rest: in_channels[rest]}
            return M.NodeGCN(chans, num_classes, k=o["k"], **head)
        if name == "asym-shuffle":
            return M.NodeAsymShuffle(in_channels, num_classes, k=o["k"], **head)
    else:
        from . import vad as M
        if name.startswith("lego"):
            return M.VADLEGO(in_channels, num_segments, num_powers=o["num_powers"], k=o["k"],
                             fusion="cp" if name == "lego-cp" else "pairwise",
                             rank=o["fusion_rank"], proj_channels=o["proj_channels"],
                             dropout=o["dropout"], center=o["center"],
                             head="row" if name == "lego-row" else "graph",
                             **_lego_options(name, o))
        if name.startswith("single-"):
            s = name[len("single-"):]
            return M.VADFeatureFusion({s: in_channels[s]}, num_segments, mode="single",
                                      hidden_channels=o["hidden_channels"], dropout=o["dropout"])
        if name.startswith("feature-"):
            return M.VADFeatureFusion(in_channels, num_segments, mode=name[len("feature-"):],
                                      hidden_channels=o["hidden_channels"], dropout=o["dropout"])
        if name == "mtn":
            return M.VADMTN(in_channels, num_segments, hidden_channels=o["hidden_channels"])
        if name.startswith("graph-"):
            rest = name[len("graph-"):]
            if rest in _GRAPH_FUSIONS:
                return M.VADGraphFusion(in_channels, num_segments, mode=rest,
                                        dropout=o["dropout"], center=o["center"])
            return M.VADGraphFusion({rest: in_channels[rest]}, num_segments, mode="single",
                                    dropout=o["dropout"], center=o["center"])
    raise AssertionError(name)  # pragma: no cover - method_names and builders agree


__all__ = ["TASKS", "DEFAULTS", "SETTING_DEFAULTS", "TRAINING_OPTIONS", "task_options",
           "model_options", "method_names", "resolve_methods", "build_model"]
