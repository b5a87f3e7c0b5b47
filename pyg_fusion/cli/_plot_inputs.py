"""The inputs of ``pyg-fusion plot``: a training checkpoint (its model
rebuilt, its fused graph, its operator; its scores: :mod:`._plot_scores`),
an operator file, and which graph a graph figure draws (the graph itself,
read from a file or a data set and subsampled: :mod:`._plot_graph`)."""
from __future__ import annotations

import re
from pathlib import Path

from . import CLIError
from .._files import read_json
# DATASETS and is_plain are not used here: plot imports a figure's inputs from
# this one module
from ._plot_graph import (DATASETS, _check_weights, is_plain,  # noqa: F401
                          load_dataset_graph, load_saved_graph, node_count, subsample)


# the epilog of ``pyg-fusion plot --help``: which input each KIND reads
INPUTS_HELP = """inputs per KIND:
  relation-graph, adjacency, powers
      --dataset NAME (digits, synthetic-vad) [--root DIR --index I], or
      --input GRAPH.pt (a saved MultiSourceData: a source's stored
      edge_index_<source> is its graph, else the --k graph of x_<source>;
      or a plain PyG Data: its edge_index, weights edge_weight);
      --checkpoint CKPT of a pyg-fusion train model (any graph dataset: digits, tables, vad,
      synthetic-vad, motion-vad; its data read from --root as it recorded)
      adds its fused G to adjacency, and relation-graph draws G itself
      (--top-k, default 5)
  operator        --checkpoint CKPT (a Lightning checkpoint or a state dict
                  holding fusion.A.* or fusion.factors.*), or --input A.json
                  ({"a|b": [[...]]}, or a list of CP factors)
  pq-sensitivity  --input SWEEP.json (from pyg-fusion sweep) [--metric --dataset --method]
  anomaly-scores  --checkpoint CKPT (of pyg-fusion train on a VAD dataset: scores
                  its test videos), or --input SCORES.json: {"scores": {video:
                  [...]}, "ground_truth": {video: [...]}, "frames_per_snippet": 16}
                  or {"videos": [{"name", "scores", "gt"}]} (the scores.json of
                  pyg-fusion evaluate and of a VAD run of train; --checkpoint draws
                  that file's scores); videos with a "label" each: abnormal
                  and normal alternate
  sparse-vs-dense --input BENCH.json (benchmarks/sparse_vs_dense.py --json)
"""


# what a KIND reads when no input is given, as its error says it (other
# kinds: --input FILE)
_NEEDS = {"relation-graph": "--dataset NAME or --input GRAPH.pt",
          "adjacency": "--dataset NAME or --input GRAPH.pt",
          "powers": "--dataset NAME or --input GRAPH.pt",
          "operator": "--checkpoint CKPT or --input A.json"}


def needs_input(kind: str) -> CLIError:
    """The error of a figure ``kind`` given none of its inputs."""
    return CLIError(f"{kind} needs {_NEEDS.get(kind, '--input FILE')}")


def _need_input(args) -> str:
    if not args.input:
        raise needs_input(args.kind)
    if Path(args.input).is_dir():
        raise CLIError(f"--input: {args.input} is a folder; expected a file")
    if not Path(args.input).is_file():
        raise FileNotFoundError(f"--input: no such file: {args.input!r}")
    return args.input


def _check_graph_dataset(cfg: dict) -> None:
    from ..experiments.data import GRAPH_DATASETS
    if cfg.get("dataset") not in GRAPH_DATASETS:
        raise CLIError(f"--checkpoint: models are rebuilt for checkpoints of "
                       f"{', '.join(GRAPH_DATASETS)}; this one is for {cfg.get('dataset')!r}")


def rebuild_from_checkpoint(path: str, root: str | None, force_reload: bool = False):
    """``(model, task data, config)`` of a checkpoint of ``pyg-fusion train``
    on a graph dataset (:data:`~pyg_fusion.experiments.GRAPH_DATASETS`; a
    user's ``vad`` or ``tables`` files are read from ``root``, by default the
    folder it recorded, with the layout it recorded): the model is rebuilt
    from the checkpoint's config as ``pyg-fusion evaluate`` does, its tensors
    read with ``weights_only=True``; ``force_reload``: ``--force-reload``
    (:func:`~pyg_fusion.experiments.data.load_data`)."""
    from ..experiments.checkpoints import (FROM_CHECKPOINT, check_fingerprint, checkpoint_data,
                                           load_train_checkpoint, model_from_checkpoint)
    from ..experiments.data import DataConfig
    ckpt, _, cfg = load_train_checkpoint(path, figure=True)
    state = ckpt["state_dict"]
    _check_graph_dataset(cfg)
    # root None: the folder the training run recorded, as evaluate reads it
    data = DataConfig(**{**FROM_CHECKPOINT, "dataset": cfg["dataset"], "root": root})
    td, _ = checkpoint_data(data, {"seed": 0, **cfg}, state, path, force_reload=force_reload,
                            command="plot")
    check_fingerprint(cfg, td, path, data, stacklevel=2)  # a figure of other data: said
    return model_from_checkpoint(cfg, td, state), td, cfg


def fused_from_checkpoint(path: str, root: str | None, index: int = 0,
                          force_reload: bool = False):
    """``(graph, fused G, label)`` of a checkpoint of ``pyg-fusion train``: the
    graph of a node task, its G an edge list ``(edge_index, edge_weight, N)``
    (memory O(E), any N), or test video ``index`` of a VAD task, its G the
    model's dense ``[T, T]``."""
    import torch
    from torch_geometric.data import Batch

    from ..training.vad_ensemble import RestartEnsemble
    model, td, cfg = rebuild_from_checkpoint(path, root, force_reload)
    if isinstance(model, RestartEnsemble):
        raise CLIError(_ENSEMBLE.format(flag="--checkpoint", path=path, what="fused graph"))
    with torch.no_grad():
        if td.task == "node":
            if not hasattr(model, "fused_graph"):  # NodeLEGO's alone
                raise CLIError(f"--checkpoint: method {cfg['method']!r} builds no fused graph "
                               f"(of the node task's methods, lego and lego-cp do: give a "
                               f"checkpoint of one of them)")
            data = td.graph
            ei, w = model.fused_graph(data)
            return data, (ei, w, data.num_nodes), f"{cfg['dataset']}, {cfg['method']}{_run(path, cfg)}"
        if not 0 <= index < len(td.test):
            raise CLIError(f"--index must be in [0, {len(td.test)}), got {index}")
        data = td.test[index]
        _, g = model(Batch.from_data_list([data]))
    if g is None or g.size(-1) != g.size(-2):
        raise CLIError(f"--checkpoint: method {cfg['method']!r} builds no fused graph")
    return data, g[0], (f"{cfg['dataset']}[{index}] {data.video}, "
                        f"{cfg['method']}{_run(path, cfg)}")


def _run(path: str, cfg) -> str:
    """Which run a figure of a checkpoint shows, after its method: its seed and
    the folders below the seed's (a start of init auto, a restart) and file,
    which tell a run's checkpoints apart: ``", seed 0 (init_mean/best.ckpt)"``."""
    parts = Path(path).parts
    seed = cfg.get("seed")
    # OUT/<method>/seed<k>/[init_<start>/][restart<r>/]checkpoints/<file>
    at = max((i for i, p in enumerate(parts[:-1]) if p == f"seed{seed}"), default=None)
    # elsewhere (a copied file): its folder, as the run folder it may be
    below = [p for p in parts[at + 1:-1] if p != "checkpoints"] if at is not None else \
        [p for p in parts[:-1] if p not in ("checkpoints", Path(path).anchor)][-1:]
    where = "/".join([*below, parts[-1]])
    return (f", seed {seed}" if seed is not None else "") + f" ({where})"


def checkpoint_title(path: str, what: str) -> str:
    """A figure's title for a checkpoint: ``what``, then the method, data set,
    setting and run (:func:`_run`) of a ``pyg-fusion train`` checkpoint (a
    plain state dict: its file name)."""
    from ..experiments.checkpoints import load_train_checkpoint
    try:
        _, _, cfg = load_train_checkpoint(path)
    except ValueError:
        return f"{what}: {Path(path).name}"
    setting = f" ({cfg['setting']})" if cfg.get("setting") else ""
    return f"{what}: {cfg['method']} on {cfg['dataset']}{setting}{_run(path, cfg)}"


def load_state_dict(path: str, flag: str = "--checkpoint") -> dict:
    """The tensors of a checkpoint: a Lightning checkpoint's ``state_dict``
    or a plain state dict, loaded with ``weights_only=True``; errors name
    ``flag``, the flag that gave ``path``."""
    from .._loading import load_checkpoint
    obj = load_checkpoint(path, what=flag)
    if isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    return obj


_ENSEMBLE = ("{flag}: {path} holds an ensemble of restarts (--restart-combine mean), "
             "each with its own {what}: draw one restart's, its "
             "restart<r>/checkpoints/last.ckpt (init_<start>/restart<r>/... when the run "
             "trained from both starts)")
_MEMBER = re.compile(r"(?:^|\.)members\.\d+\.")
_PAIR = re.compile(r"(?:^|\.)fusion\.A\.(.+)$")
_SHARED = re.compile(r"(?:^|\.)fusion\.A$")
_FACTOR = re.compile(r"(?:^|\.)fusion\.factors\.(.+)$")


def checkpoint_sources(path: str) -> tuple[list[str] | None, str | None]:
    """The sorted source names and the operator form (``fusion.operator``)
    that a checkpoint of ``pyg-fusion train`` records (``None`` for a plain
    state dict)."""
    from .._loading import load_checkpoint
    cfg = load_checkpoint(path, what="--checkpoint").get("hyper_parameters", {})
    cfg = cfg.get("config", {}) if isinstance(cfg, dict) else {}
    names = sorted(cfg["in_channels"]) if isinstance(cfg.get("in_channels"), dict) else None
    operator = cfg.get("spec", {}).get("fusion", {}).get("operator")
    return names, operator


def operator_from_state(state: dict, where: str = "the checkpoint",
                        names: list[str] | None = None, operator: str | None = None,
                        flag: str = "--checkpoint"):
    """The fusion operator(s) of a LEGO model in a state dict, and their kind:
    ``({pair: A} or {"shared by all pairs": A}, "pairwise")`` or
    ``({source: factor}, "cp")``; ``names`` (the sources, sorted) and
    ``operator`` (``"full"``: one operator over all sources) label them when
    the checkpoint records them; errors name ``flag``, the flag that gave it."""
    if any(_MEMBER.search(key) for key in state):
        raise CLIError(_ENSEMBLE.format(flag=flag, path=where, what="operator"))
    pairs, factors = {}, {}
    for key, value in state.items():
        if (m := _PAIR.search(key)):
            pairs[m.group(1)] = value
        elif _SHARED.search(key):
            pairs["shared by all pairs"] = value
        elif (m := _FACTOR.search(key)):
            factors[m.group(1)] = value
    full = pairs.get("shared by all pairs")
    if full is not None and (full.dim() != 2 or operator == "full"):
        # one operator over all M sources (mode="full"): slices over the first two;
        # the sources in sorted order, as LEGO keeps them, named if recorded
        from ..visualize.operator import _full_panels
        if names is None or len(names) != full.dim():
            names = [f"s{i}" for i in range(full.dim())]
        if full.dim() == 2:
            return {f"{names[0]} | {names[1]}": full}, "pairwise"
        return _full_panels(names, full), "pairwise"
    if pairs:
        return pairs, "pairwise"
    if factors:
        return factors, "cp"
    raise CLIError(_no_operator(where, flag))


def _no_operator(where: str, flag: str) -> str:
    """Why the checkpoint ``where`` holds no operator, as far as its
    hyper-parameters tell: an image task's checkpoint (AsymFusion, read by
    its own evaluate) or a model of another method than LEGO."""
    from .._loading import load_checkpoint
    from ..experiments.checkpoints import image_task
    hp = load_checkpoint(where, what=flag).get("hyper_parameters") \
        if Path(where).is_file() else None
    task = image_task(hp)
    if task is not None:
        return (f"{flag}: {where} is a checkpoint of the {task} task (an AsymFusion image "
                f"model), which has no LEGO fusion operator; `pyg-fusion {task} evaluate` "
                f"reads it (or `pyg-fusion evaluate --task {task}`)")
    cfg = hp.get("config") if isinstance(hp, dict) else None
    method = cfg.get("method") if isinstance(cfg, dict) else None
    if isinstance(method, str) and method != "lego":
        return (f"{flag}: {where} holds no LEGO fusion operator: it is a model of method "
                f"{method!r} (pyg-fusion train --method lego trains one)")
    return (f"{flag}: {where} holds no LEGO fusion operator (no fusion.A.* or "
            f"fusion.factors.* entries)")


def _load_operator_file(path: str):
    import torch
    if path.endswith((".pt", ".pth", ".ckpt")):
        return operator_from_state(load_state_dict(path, "--input"), path, flag="--input")
    obj = read_json(path, "--input")
    try:
        if isinstance(obj, dict):
            return {k: torch.tensor(v, dtype=torch.float64) for k, v in obj.items()}, "auto"
        if isinstance(obj, list) and obj and isinstance(obj[0], list) and obj[0] and \
                isinstance(obj[0][0], list):
            return [torch.tensor(f, dtype=torch.float64) for f in obj], "cp"
        return torch.tensor(obj, dtype=torch.float64), "pairwise"
    except (TypeError, ValueError) as exc:
        raise CLIError(f"--input {path}: the operator must be numbers in nested lists "
                       f"(one matrix, a dict of matrices or a list of CP factors): "
                       f"{exc}") from exc


# a graph kind that draws no model, given a checkpoint as --checkpoint or --input
_NO_MODEL = ("{kind} draws no model; --checkpoint is for operator, adjacency, relation-graph "
             "and anomaly-scores")


def _load_graph(args):
    """``(graph, note, fused G restricted to the drawn nodes or None)``."""
    if args.checkpoint and args.kind in ("adjacency", "relation-graph"):
        data, fused, label = fused_from_checkpoint(args.checkpoint, args.root, args.index,
                                                   args.force_reload)
        data.num_nodes = node_count(data)
        data, note, idx = subsample(data, args.max_nodes, return_index=True)
        if idx is not None and isinstance(fused, tuple):  # edges between kept nodes
            from torch_geometric.utils import subgraph
            ei, w = subgraph(idx, fused[0], fused[1], relabel_nodes=True, num_nodes=fused[2])
            fused = (ei, w, len(idx))
        elif idx is not None:
            fused = fused[idx][:, idx]
        return data, f"{label}{note}", fused
    if args.checkpoint:
        raise CLIError(_NO_MODEL.format(kind=args.kind))
    if args.input:
        _need_input(args)
        try:
            data = load_saved_graph(args.input)
        except (ValueError, OSError) as exc:  # load_torch's errors of the file; others: bugs
            raise CLIError(f"cannot read {args.input!r} as a saved graph: {exc}") from exc
        from torch_geometric.data import Data
        if isinstance(data, dict) and {"state_dict", "hyper_parameters"} <= set(data):
            raise CLIError(f"--input {args.input} is a checkpoint, not a saved graph: " + (
                "give it as --checkpoint (its fused G beside its data's graphs)"
                if args.kind in ("adjacency", "relation-graph") else
                _NO_MODEL.format(kind=args.kind)))
        if not isinstance(data, Data):
            # a user's own edge list or adjacency, saved as it was
            raise CLIError(f"{args.input!r} holds a {type(data).__name__}, not a Data: save "
                           f"the graph as torch.save(Data(edge_index=..., edge_weight=..., "
                           f"num_nodes=N), path)")
        _check_weights(args.input, data)
        label = Path(args.input).name
    elif args.dataset:
        data, label = load_dataset_graph(args.dataset, args.root, args.index,
                                         args.force_reload)
    else:
        raise needs_input(args.kind)
    data.num_nodes = node_count(data)
    data, note = subsample(data, args.max_nodes)
    return data, f"{label}{note}", None
