"""``pyg-fusion plot KIND``: renders one figure of :mod:`pyg_fusion.visualize`
from saved results (JSON), a checkpoint or a data set, as a PNG."""
from __future__ import annotations

import json
import re
from pathlib import Path

from . import CLIError

KINDS = ("relation-graph", "adjacency", "powers", "operator", "pq-sensitivity",
         "anomaly-scores", "sparse-vs-dense")

# CLI name -> class name in pyg_fusion.datasets (looked up when used, so that a
# data set not installed yet gives a clear error, not an import failure).
DATASETS = {"digits": "MultiFeatureDigits", "synthetic-vad": "SyntheticVAD"}

_EPILOG = """inputs per KIND:
  relation-graph, adjacency, powers
      --dataset NAME (digits, synthetic-vad) [--root DIR --index I], or
      --input GRAPH.pt (a saved MultiSourceData); --checkpoint CKPT of a
      pyg-fusion train model (digits, synthetic-vad) adds its fused G to
      adjacency, and relation-graph draws G itself (--top-k, default 5)
  operator        --checkpoint CKPT (a Lightning checkpoint or a state dict
                  holding fusion.A.* or fusion.factors.*), or --input A.json
                  ({"a|b": [[...]]}, or a list of CP factors)
  pq-sensitivity  --input SWEEP.json (from pyg-fusion sweep) [--metric --dataset --method]
  anomaly-scores  --checkpoint CKPT (of pyg-fusion train on synthetic-vad: scores
                  its test videos), or --input SCORES.json: {"scores": {video:
                  [...]}, "ground_truth": {video: [...]}, "frames_per_snippet": 16}
                  or {"videos": [{"name", "scores", "gt"}]}
  sparse-vs-dense --input BENCH.json (benchmarks/sparse_vs_dense.py --json)
"""


def register(subparsers) -> None:
    import argparse
    p = subparsers.add_parser(
        "plot", help="render a figure from saved results, a checkpoint or a data set",
        description="Render one figure of pyg_fusion.visualize as a PNG.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    p.add_argument("--out", required=True, help="PNG file to write")
    g = p.add_argument_group("inputs")
    g.add_argument("--input", help="saved results (JSON) or graph (.pt)")
    g.add_argument("--checkpoint", help="a checkpoint of a trained model")
    g.add_argument("--dataset", help="data set to load (graph kinds: "
                   f"{', '.join(DATASETS)}); for pq-sensitivity: selects its records")
    g.add_argument("--root", default="runs/data",
                   help="data set folder (default: runs/data, as pyg-fusion train)")
    g.add_argument("--index", type=int, default=0, help="graph of the data set (default 0)")
    g = p.add_argument_group("graphs")
    g.add_argument("--source", help="source to draw (relation-graph; default: the first)")
    g.add_argument("--sources", help="comma-separated sources (adjacency, powers; "
                   "default: all, at most 4)")
    g.add_argument("--k", type=int, default=10, help="neighbours per node (default 10)")
    g.add_argument("--num-powers", type=int, default=3, help="P for powers (default 3)")
    g.add_argument("--norm", default="sym", choices=("sym", "row", "none"),
                   help="normalisation of the powers (default sym)")
    g.add_argument("--max-nodes", type=int, default=300,
                   help="draw a seeded random subset of at most this many nodes "
                   "(default 300)")
    g.add_argument("--top-k", type=int, help="strongest edges per node (relation-graph)")
    g.add_argument("--layout", default="spring", choices=("spring", "circular", "temporal"))
    g = p.add_argument_group("results")
    g.add_argument("--metric", help="pq-sensitivity: the metric to draw (default: the "
                   "sweep's main metric)")
    g.add_argument("--setting", help="pq-sensitivity: the VAD setting to draw")
    g.add_argument("--method", help="pq-sensitivity: the method to draw")
    g.add_argument("--batch", type=int, help="sparse-vs-dense: batch size to draw")
    g.add_argument("--scatter", help="sparse-vs-dense: scatter implementation to draw")
    g.add_argument("--frames-per-snippet", type=int, default=None,
                   help="anomaly-scores: frames per snippet (default: from the file, else 16)")
    g.add_argument("--max-videos", type=int, default=8, help="anomaly-scores: videos drawn")
    g.add_argument("--threshold", type=float, help="anomaly-scores: decision threshold")
    p.set_defaults(func=run)


def run(args) -> int:
    import matplotlib
    matplotlib.use("Agg")
    from .. import visualize as V

    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise CLIError(f"--out must name a .png file, got {args.out!r}")
    kind = args.kind
    if kind == "sparse-vs-dense":
        fig = V.plot_sparse_vs_dense(_need_input(args), batch=args.batch,
                                     scatter=args.scatter, path=out)
    elif kind == "pq-sensitivity":
        fig = V.plot_pq_sensitivity(_need_input(args), metric=args.metric,
                                    dataset=args.dataset, method=args.method,
                                    setting=args.setting, path=out)
    elif kind == "anomaly-scores":
        if args.checkpoint:
            scores, gt, fps = scores_from_checkpoint(args.checkpoint, args.root)
        else:
            scores, gt, fps = load_scores(_need_input(args))
        fig = V.plot_anomaly_scores(scores, gt, frames_per_snippet=args.frames_per_snippet
                                    or fps or 16, threshold=args.threshold,
                                    max_videos=args.max_videos, path=out)
    elif kind == "operator":
        if args.checkpoint:
            A, op_kind = operator_from_state(load_state_dict(args.checkpoint),
                                             args.checkpoint)
        elif args.input:
            A, op_kind = _load_operator_file(_need_input(args))
        else:
            raise CLIError("operator needs --checkpoint CKPT or --input A.json")
        fig = V.plot_fusion_operator(A, kind=op_kind, path=out)
    else:
        data, note, fused = _load_graph(args)
        fig = _plot_graph_kind(V, kind, data, args, note, out, fused)
    import matplotlib.pyplot as plt
    plt.close(fig)
    print(f"wrote {out}")
    return 0


# ------------------------------------------------------------------ inputs
def _need_input(args) -> str:
    if not args.input:
        raise CLIError(f"{args.kind} needs --input FILE")
    if not Path(args.input).is_file():
        raise FileNotFoundError(f"--input: no such file: {args.input!r}")
    return args.input


def _read_json(path: str):
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file: {path!r}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CLIError(f"{path!r} is not valid JSON: {exc}") from exc


def load_scores(path: str):
    """``(scores, ground_truth or None, frames_per_snippet or None)`` from a
    scores JSON (see ``pyg-fusion plot --help``)."""
    obj = _read_json(path)
    if isinstance(obj, dict) and isinstance(obj.get("videos"), list):
        scores, gt = {}, {}
        for i, v in enumerate(obj["videos"]):
            if not isinstance(v, dict) or "scores" not in v:
                raise CLIError(f"{path}: videos[{i}] must be an object with 'scores'")
            name = str(v.get("name", f"video {i}"))
            scores[name] = v["scores"]
            if v.get("gt") is not None:
                gt[name] = v["gt"]
        return scores, (gt or None), obj.get("frames_per_snippet")
    if isinstance(obj, dict) and isinstance(obj.get("scores"), dict):
        return obj["scores"], obj.get("ground_truth"), obj.get("frames_per_snippet")
    raise CLIError(f"{path}: expected {{'scores': {{video: [...]}}, 'ground_truth': ...}} "
                   f"or {{'videos': [...]}}")


def rebuild_from_checkpoint(path: str, root: str):
    """``(model, task data, config)`` of a checkpoint of ``pyg-fusion train``
    on ``digits`` or ``synthetic-vad``: the model is rebuilt from the
    checkpoint's config as ``pyg-fusion evaluate`` does, its tensors read with
    ``weights_only=True``."""
    import argparse

    import torch

    from ..methods import build_model, model_options
    from ._runs import add_dataset_args
    from .evaluate import FROM_CHECKPOINT, checkpoint_data
    if not Path(path).is_file():
        raise FileNotFoundError(f"--checkpoint: no such file: {path!r}")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        cfg = ckpt["hyper_parameters"]["config"]
        state = ckpt["state_dict"]
    except Exception as exc:
        raise CLIError(f"--checkpoint: {path!r} is not a checkpoint of pyg-fusion train "
                       f"({type(exc).__name__}: {exc})") from None
    if cfg.get("dataset") not in ("digits", "synthetic-vad", "motion-vad"):
        raise CLIError(f"--checkpoint: models are rebuilt for digits, synthetic-vad and "
                       f"motion-vad checkpoints; this one is for {cfg.get('dataset')!r}")
    parser = argparse.ArgumentParser()
    add_dataset_args(parser, default=cfg["dataset"])
    parser.set_defaults(**FROM_CHECKPOINT)
    ns = parser.parse_args(["--root", root])
    td, _ = checkpoint_data(ns, {"seed": 0, **cfg}, state, path)
    options = model_options(td.task, cfg.get("options", {}))
    if td.task == "node":
        model = build_model(cfg["method"], "node", td.in_channels, num_classes=td.num_classes,
                            num_nodes=td.graph.num_nodes, **options)
    else:
        model = build_model(cfg["method"], "vad", td.in_channels,
                            num_segments=int(td.train[0].num_nodes), **options)
    model.load_state_dict({k[len("model."):]: v for k, v in state.items()
                           if k.startswith("model.")})
    return model.eval(), td, cfg


def scores_from_checkpoint(path: str, root: str):
    """Snippet scores and frame ground truth of the test videos, from a
    checkpoint of ``pyg-fusion train`` on ``synthetic-vad``."""
    import torch
    from torch_geometric.data import Batch
    model, td, cfg = rebuild_from_checkpoint(path, root)
    if td.task != "vad":
        raise CLIError(f"--checkpoint: anomaly scores need a synthetic-vad checkpoint; "
                       f"this one is for {cfg['dataset']!r}")
    videos = list(td.test)
    # abnormal and normal videos alternate, so that the first ones drawn show both
    abnormal = [d for d in videos if int(d.y) == 1]
    normal = [d for d in videos if int(d.y) != 1]
    videos = [d for pair in zip(abnormal, normal) for d in pair] + \
        abnormal[len(normal):] + normal[len(abnormal):]
    with torch.no_grad():
        scores = torch.sigmoid(model(Batch.from_data_list(videos))[0])
    out = {d.video: scores[i][d.snippet_segment] for i, d in enumerate(videos)}
    gt = {d.video: d.frame_gt for d in videos}
    return out, gt, int(videos[0].snippet_len)


def fused_from_checkpoint(path: str, root: str, index: int = 0):
    """``(graph, fused G [N, N], label)`` of a checkpoint of ``pyg-fusion
    train``: the digits graph, or test video ``index`` of synthetic-vad."""
    import torch
    from torch_geometric.data import Batch
    from torch_geometric.utils import to_dense_adj
    model, td, cfg = rebuild_from_checkpoint(path, root)
    with torch.no_grad():
        if td.task == "node":
            if not hasattr(model, "fused_graph"):
                raise CLIError(f"--checkpoint: method {cfg['method']!r} builds no fused graph")
            data = td.graph
            ei, w = model.fused_graph(data)
            g = to_dense_adj(ei, edge_attr=w, max_num_nodes=data.num_nodes)[0]
            return data, g, f"{cfg['dataset']}, {cfg['method']}"
        if not 0 <= index < len(td.test):
            raise CLIError(f"--index must be in [0, {len(td.test)}), got {index}")
        data = td.test[index]
        _, g = model(Batch.from_data_list([data]))
    if g is None or g.size(-1) != g.size(-2):
        raise CLIError(f"--checkpoint: method {cfg['method']!r} builds no fused graph")
    return data, g[0], f"{cfg['dataset']}[{index}] {data.video}, {cfg['method']}"


def load_state_dict(path: str) -> dict:
    """The tensors of a checkpoint: a Lightning checkpoint's ``state_dict``
    or a plain state dict, loaded with ``weights_only=True``."""
    import torch
    if not Path(path).is_file():
        raise FileNotFoundError(f"--checkpoint: no such file: {path!r}")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CLIError(f"cannot read the checkpoint {path!r} as tensors "
                       f"(torch.load weights_only=True): {exc}") from exc
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise CLIError(f"{path!r} holds no state dict")
    return obj


_PAIR = re.compile(r"(?:^|\.)fusion\.A\.(.+)$")
_SHARED = re.compile(r"(?:^|\.)fusion\.A$")
_FACTOR = re.compile(r"(?:^|\.)fusion\.factors\.(.+)$")


def operator_from_state(state: dict, where: str = "the checkpoint"):
    """The fusion operator(s) of a LEGO model in a state dict, and their kind:
    ``({pair: A} or {"shared by all pairs": A}, "pairwise")`` or
    ``({source: factor}, "cp")``."""
    pairs, factors = {}, {}
    for key, value in state.items():
        if (m := _PAIR.search(key)):
            pairs[m.group(1)] = value
        elif _SHARED.search(key):
            pairs["shared by all pairs"] = value
        elif (m := _FACTOR.search(key)):
            factors[m.group(1)] = value
    if pairs:
        return pairs, "pairwise"
    if factors:
        return factors, "cp"
    raise CLIError(f"{where} holds no LEGO fusion operator (no fusion.A.* or "
                   f"fusion.factors.* entries)")


def _load_operator_file(path: str):
    import torch
    if path.endswith((".pt", ".pth", ".ckpt")):
        return operator_from_state(load_state_dict(path), path)
    obj = _read_json(path)
    try:
        if isinstance(obj, dict):
            return {k: torch.tensor(v, dtype=torch.float64) for k, v in obj.items()}, "auto"
        if isinstance(obj, list) and obj and isinstance(obj[0], list) and obj[0] and \
                isinstance(obj[0][0], list):
            return [torch.tensor(f, dtype=torch.float64) for f in obj], "cp"
        return torch.tensor(obj, dtype=torch.float64), "pairwise"
    except (TypeError, ValueError) as exc:
        raise CLIError(f"{path}: the operator must be numbers in nested lists "
                       f"(one matrix, a dict of matrices or a list of CP factors): "
                       f"{exc}") from exc


def _load_graph(args):
    """``(graph, note, fused G restricted to the drawn nodes or None)``."""
    if args.checkpoint and args.kind in ("adjacency", "relation-graph"):
        data, fused, label = fused_from_checkpoint(args.checkpoint, args.root, args.index)
        data.num_nodes = node_count(data)
        data, note, idx = subsample(data, args.max_nodes, return_index=True)
        if idx is not None:
            fused = fused[idx][:, idx]
        return data, f"{label}{note}", fused
    if args.checkpoint:
        raise CLIError(f"{args.kind} draws no model; --checkpoint is for operator, "
                       f"adjacency, relation-graph and anomaly-scores")
    if args.input:
        if not Path(args.input).is_file():
            raise FileNotFoundError(f"--input: no such file: {args.input!r}")
        try:
            data = load_saved_graph(args.input)
        except Exception as exc:
            raise CLIError(f"cannot read {args.input!r} as a saved graph: {exc}") from exc
        from torch_geometric.data import Data
        if not isinstance(data, Data):
            raise CLIError(f"{args.input!r} holds a {type(data).__name__}, not a Data")
        label = Path(args.input).name
    elif args.dataset:
        data, label = load_dataset_graph(args.dataset, args.root, args.index)
    else:
        raise CLIError(f"{args.kind} needs --dataset NAME or --input GRAPH.pt")
    data.num_nodes = node_count(data)
    data, note = subsample(data, args.max_nodes)
    return data, f"{label}{note}", None


def node_count(data) -> int:
    """The number of nodes: the stored ``num_nodes``, else the length of
    ``y``, else the fewest units of any source (finer levels have more)."""
    import torch
    if "num_nodes" in data._store:
        return int(data.num_nodes)
    y = data.get("y")
    if torch.is_tensor(y) and y.dim() >= 1:
        return y.size(0)
    sizes = [data[k].size(0) for k in data.keys() if k.startswith("x_")]
    if not sizes:
        raise CLIError("the graph holds no source (x_<source>)")
    return min(sizes)


def load_saved_graph(path: str):
    """A ``Data`` saved with ``torch.save(data, path)``, loaded with
    ``weights_only=True`` (no arbitrary code runs) and PyG's storage classes
    allowed."""
    import torch
    from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
    from torch_geometric.data.feature_store import TensorAttr
    from torch_geometric.data.graph_store import EdgeAttr
    from torch_geometric.data.storage import EdgeStorage, GlobalStorage, NodeStorage
    allowed = [DataEdgeAttr, DataTensorAttr, GlobalStorage, NodeStorage, EdgeStorage,
               TensorAttr, EdgeAttr]
    with torch.serialization.safe_globals(allowed):
        return torch.load(path, map_location="cpu", weights_only=True)


def load_dataset_graph(name: str, root: str, index: int = 0):
    """Graph ``index`` of the data set ``name`` (see :data:`DATASETS`), with
    the folders and options of ``pyg-fusion train``: ``ROOT/digits``
    (standardised views), ``ROOT/synthetic_vad`` (test videos)."""
    from .. import datasets
    if name not in DATASETS:
        raise CLIError(f"--dataset must be one of {sorted(DATASETS)}, got {name!r}")
    cls = getattr(datasets, DATASETS[name], None)
    if cls is None:
        raise CLIError(f"the data set {name!r} ({DATASETS[name]}) is not available "
                       f"in this version of pyg_fusion")
    if name == "digits":
        ds = cls(str(Path(root) / "digits"), standardize=True, log=False)
    else:
        ds = cls(str(Path(root) / "synthetic_vad"), "test", log=False)
    if not 0 <= index < len(ds):
        raise CLIError(f"--index must be in [0, {len(ds)}) for {name}, got {index}")
    return ds[index], f"{name}[{index}]"


def subsample(data, max_nodes: int | None, seed: int = 0, *, return_index: bool = False):
    """At most ``max_nodes`` nodes (a seeded random subset, in their original
    order) of the node-level sources, labels and masks; stored graphs and
    finer-level sources are dropped from a subset."""
    import torch
    n = node_count(data)
    if max_nodes is None or n <= max_nodes:
        return (data, "", None) if return_index else (data, "")
    if max_nodes < 2:
        raise CLIError(f"--max-nodes must be >= 2, got {max_nodes}")
    idx = torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:max_nodes]
    idx = idx.sort().values
    out = type(data)()
    for key in data.keys():
        value = data[key]
        if key.startswith("x_") and value.size(0) == n:
            out[key] = value[idx]
        elif key in ("y", "train_mask", "val_mask", "test_mask") and \
                torch.is_tensor(value) and value.size(0) == n:
            out[key] = value[idx]
    out.num_nodes = max_nodes
    note = f", {max_nodes} of {n} nodes"
    return (out, note, idx) if return_index else (out, note)


def _sources(data, wanted: str | None, limit: int = 4) -> list[str]:
    have = sorted(k[2:] for k in data.keys() if k.startswith("x_")
                  and data[k].size(0) == data.num_nodes)
    if not have:
        raise CLIError("the graph holds no node-level source (x_<source>)")
    if wanted:
        names = [s.strip() for s in wanted.split(",") if s.strip()]
        bad = [s for s in names if s not in have]
        if bad:
            raise CLIError(f"--sources: {bad} not in the graph; it has {have}")
        return names
    return have[:limit]


def _plot_graph_kind(V, kind, data, args, note, out, fused=None):
    from torch_geometric.utils import to_dense_adj

    from ..functional import dense_graph_powers, relation_graph
    labels = data.get("y")
    if labels is not None and (labels.dim() != 1 or labels.numel() != data.num_nodes):
        labels = None
    if kind == "relation-graph" and fused is not None:
        fig = V.plot_relation_graph(fused, top_k=args.top_k or 5, layout=args.layout,
                                    labels=labels)
        fig.axes[0].set_title(f"fused graph $G$, top-{args.top_k or 5} edges per node\n"
                              f"{note}", fontsize=9)
        return _save(fig, out)
    if kind == "relation-graph":
        source = args.source or _sources(data, None, 1)[0]
        fig = V.plot_relation_graph(data, source=source, k=args.k, top_k=args.top_k,
                                    layout=args.layout, labels=labels)
        fig.axes[0].set_title(fig.axes[0].get_title() + f"\n{note}", fontsize=9)
        return _save(fig, out)
    sources = _sources(data, args.sources)
    graphs = {}
    for s in sources:
        ei, w = relation_graph(data[f"x_{s}"].float(), k=args.k)
        graphs[s] = to_dense_adj(ei, edge_attr=w, max_num_nodes=data.num_nodes)[0]
    if kind == "adjacency":
        panels = {f"$R_{{{_tex(s)}}}$ ({args.k}-NN)": g for s, g in graphs.items()}
        if fused is not None:
            panels["fused $G$"] = fused
        fig = V.plot_adjacency(panels, labels=labels, shared_scale=fused is None,
                               show_diagonal=fused is None, robust=fused is not None)
    else:
        norm = None if args.norm == "none" else args.norm
        powers = {s: dense_graph_powers(g, args.num_powers, norm=norm)
                  for s, g in graphs.items()}
        fig = V.plot_power_expansion(powers, labels=labels)
    fig.suptitle((fig._suptitle.get_text() + "\n" if fig._suptitle else "") + note,
                 fontsize=9)
    return _save(fig, out)


def _tex(name: str) -> str:
    from ..visualize._common import tex_name
    return tex_name(name)


def _save(fig, out):
    from ..visualize._common import finish
    return finish(fig, out)
