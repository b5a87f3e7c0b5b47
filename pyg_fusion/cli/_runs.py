"""Shared pieces of the training commands (train, evaluate, compare, sweep,
demo): dataset options, the run of one method on one seed, results records,
tables and the atomic results file."""
from __future__ import annotations

import argparse
import os
import statistics
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._files import write_json  # noqa: F401 (the commands import it from here)
from ._process import add_threads_argument
from . import CLIError, nonneg_int, out_folder, positive_float, positive_int

DATASETS = ("digits", "synthetic-vad", "motion-vad", "vad", "tables")
# the --vad-* options that locate and label a user's feature set; kept in the
# checkpoint so that `evaluate --checkpoint` finds the same videos
VAD_LAYOUT_ARGS = ("vad_source", "vad_train_list", "vad_test_list", "vad_gt", "vad_labels",
                   "vad_num_abnormal", "vad_normal_pattern", "vad_snippet_len")
SYNTHETIC_SETTINGS = ("multi_representation", "multi_modal", "multi_domain")
METRICS = {"node": ["accuracy"], "vad": ["auc", "ap", "pr_auc_trapz"]}


# -- argument parsing ------------------------------------------------------
def int_list(text: str) -> list[int]:
    """``"0,1,2"``, ``"1..9"`` or a mix (``"1..3,7"``) -> a list of ints."""
    out: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if ".." in part:
                lo, hi = (int(p) for p in part.split(".."))
                if hi < lo:
                    raise ValueError
                out += list(range(lo, hi + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected integers like '0,1,2' or '1..9', got {text!r}") from None
    if any(v < 0 for v in out):
        raise argparse.ArgumentTypeError(f"expected integers >= 0, got {text!r}")
    if not out:
        raise argparse.ArgumentTypeError(f"expected at least one integer, got {text!r}")
    return out


def rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {v}")
    return v


def abnormal_counts(text: str) -> int | dict[str, int]:
    """``"N"`` (both splits) or ``"TRAIN,TEST"`` -> ``num_abnormal`` of
    :class:`~pyg_fusion.datasets.VADLayout`."""
    try:
        counts = [int(v) for v in str(text).split(",")]
    except ValueError:
        counts = []
    if len(counts) not in (1, 2) or min(counts) < 0:
        raise argparse.ArgumentTypeError(f"expected N or TRAIN,TEST (integers >= 0), got "
                                         f"{text!r}")
    return counts[0] if len(counts) == 1 else {"train": counts[0], "test": counts[1]}


def add_dataset_args(p: argparse.ArgumentParser, default: str | None = "digits") -> None:
    g = p.add_argument_group("dataset")
    g.add_argument("--dataset", choices=DATASETS, default=default,
                   help="digits: UCI multiple features (bundled); synthetic-vad: the seeded "
                   "synthetic VAD set; motion-vad: VAD streams of real accelerometer + "
                   "gyroscope recordings (UEA BasicMotions, needs aeon: pip install "
                   "'pyg-fusion[motion]'); vad: your VAD features (--vad-*); tables: your "
                   "multi-view files (--views, --labels)")
    g.add_argument("--root", default="runs/data",
                   help="folder of the datasets' raw and processed files")
    g.add_argument("--label-rate", type=rate, default=0.05,
                   help="digits/tables: fraction of the training pool labelled")
    g.add_argument("--setting", choices=SYNTHETIC_SETTINGS, default="multi_representation",
                   help="synthetic-vad: the paper's Table 2 setting")
    g.add_argument("--data-seed", type=nonneg_int, default=0,
                   help="synthetic-vad, motion-vad: seed of the generated streams")
    g.add_argument("--relational-shift", type=float, metavar="R", default=0.0,
                   help="synthetic-vad: anomalous segments are also an outlier cluster in "
                   "every source, at distance R along a random latent direction "
                   "(SyntheticVAD's relational_shift; e.g. 4; 0: off)")
    g.add_argument("--num-segments", type=positive_int, default=32,
                   help="VAD: segments per video (32 is the paper's)")
    g.add_argument("--standardize", action=argparse.BooleanOptionalAction, default=False,
                   help="VAD: z-score every source's features with the statistics of the "
                   "training split (kept in the checkpoint)")
    g.add_argument("--views", nargs="+", metavar="FILE",
                   help="tables: one CSV / NPY / NPZ file per view, rows aligned")
    g.add_argument("--labels", metavar="FILE", help="tables: the labels file")
    g.add_argument("--vad-source", action="append", metavar="NAME=PATTERN",
                   help="vad: a feature source and its path pattern under ROOT/raw "
                   "(repeat per source), e.g. i3d=features/i3d/{name}.npy")
    g.add_argument("--vad-train-list", metavar="FILE", help="vad: train list (under ROOT/raw)")
    g.add_argument("--vad-test-list", metavar="FILE", help="vad: test list (under ROOT/raw)")
    g.add_argument("--vad-gt", metavar="FILE",
                   help="vad: frame-level ground truth of the test split (under ROOT/raw)")
    g.add_argument("--vad-labels", choices=("auto", "position", "name", "list"),
                   default="auto",
                   help="vad: video labels from the list position (the first "
                   "--vad-num-abnormal videos are abnormal), the name (normal when it "
                   "matches --vad-normal-pattern), the list's label column, or auto (column, "
                   "else position when --vad-num-abnormal is given, else name)")
    g.add_argument("--vad-num-abnormal", type=abnormal_counts, metavar="N|TRAIN,TEST",
                   help="vad: abnormal videos at the head of each list (one count for both "
                   "splits, or TRAIN,TEST)")
    g.add_argument("--vad-normal-pattern", default=r"(?i)normal|label_A",
                   help="vad: regular expression of normal videos' names / labels")
    g.add_argument("--vad-snippet-len", type=positive_int, default=16,
                   help="vad: frames per snippet of the ground truth (16 for I3D / C3D)")


def add_training_args(p: argparse.ArgumentParser, *, method_default: str = "lego",
                      seeds_default: str = "0") -> None:
    g = p.add_argument_group("training")
    g.add_argument("--method", default=method_default,
                   help="method name(s), comma separated: lego, lego-cp, single-<view>, "
                   "feature-concat|add|product, mtn (VAD), graph-<view>, graph-concat|mean|"
                   "product, gcn-<view>, gcn-mean (node), asym-shuffle; or a family: all, "
                   "single, feature, graph, gcn")
    g.add_argument("--seeds", type=int_list, default=int_list(seeds_default),
                   help=f"seeds, e.g. 0,1,2 or 0..4 (default {seeds_default})")
    g.add_argument("--epochs", type=positive_int, help="epochs (default: the task's)")
    g.add_argument("--lr", type=positive_float, help="learning rate (default: the task's)")
    g.add_argument("--num-powers", "-P", type=nonneg_int, dest="num_powers",
                   help="LEGO: powers P of every source (default: the task's)")
    g.add_argument("--prune-k", type=positive_int, dest="prune_k",
                   help="LEGO, node task: keep the k largest entries per row after each "
                   "sparse graph product (default: exact powers)")
    g.add_argument("--pairs", choices=("sample", "all"),
                   help="LEGO, node task: a random source pair per training step (sample, the "
                   "paper) or the mean of all pairs (all) (default: the setting's)")
    g.add_argument("--support", choices=("union", "intersection", "shared"),
                   help="LEGO, sparse graphs: fuse the per-source supports by their union "
                   "or intersection, or build every source's graph on one shared support "
                   "(the union of their kNN graphs) (default: the task's)")
    g.add_argument("--zeroth", choices=("identity", "ones"),
                   help="LEGO: zeroth power R^0 = I (the paper) or the Hadamard identity "
                   "(ones on the support: single-source terms) (default: the task's)")
    g.add_argument("--init", choices=("product", "mean"),
                   help="LEGO: start the operator at the graph product or (with --zeroth "
                   "ones) at the mean of the graphs (default: the task's)")
    g.add_argument("--lambda-anchor", type=float, dest="lambda_anchor",
                   help="LEGO: weight of the penalty ||A - A0||^2 pulling the operator "
                   "toward its start (default: the task's)")
    g.add_argument("--lambda-sparse", type=float, dest="lambda_sparse",
                   help="VAD: weight of the sparsity term (mean snippet score of the "
                   "abnormal training videos) (default: the task's)")
    g.add_argument("--val-fraction", type=float, dest="val_fraction",
                   help="VAD: fraction of the training videos held out (stratified, seeded) "
                   "to choose the epoch (0: test the last epoch) (default: the task's)")
    g.add_argument("--k", type=positive_int,
                   help="neighbours per node of the relationship graphs (node task)")
    g.add_argument("--features", choices=("concat", "none", "labels"),
                   help="node task: what the head sees besides the graph: concat (the "
                   "views' features, GraphHead; default), none (one-hot node ids) or labels "
                   "(graph only: label propagation of the training labels over each "
                   "method's graph)")
    g.add_argument("--devices", type=positive_int, default=1,
                   help="CPU processes (> 1: DDP with gloo)")
    add_threads_argument(g)
    g.add_argument("--out", type=out_folder, default="runs/out", help="output folder")
    g.add_argument("--no-progress", action="store_true", help="hide progress bars")


# -- datasets ----------------------------------------------------------------
@dataclass
class TaskData:
    task: str                      # "node" | "vad"
    dataset: str
    setting: str
    in_channels: dict[str, int]
    num_classes: int | None = None
    graph: Any = None              # node task
    train: Any = None              # vad task
    test: Any = None
    extra: dict = field(default_factory=dict)


def _check_file(what: str, path: str | None) -> str:
    if not path:
        raise CLIError(f"{what} is required")
    if not os.path.isfile(path):
        raise CLIError(f"{what}: no such file: {path}")
    return path


def load_data(args, seed: int = 0, standardizer=None) -> TaskData:
    """The dataset named by ``args.dataset`` (node task: the split of ``seed``;
    VAD: standardised with ``standardizer``, e.g. a checkpoint's statistics,
    else fitted on the training split when ``args.standardize``)."""
    from .. import datasets as D
    root = Path(args.root)
    if args.dataset in ("digits", "tables"):
        if args.dataset == "digits":
            ds = D.MultiFeatureDigits(str(root / "digits"), label_rate=args.label_rate,
                                      split_seed=seed, standardize=True, log=False)
        else:
            # absolute paths: the dataset looks relative names up in root/raw
            views = [os.path.abspath(_check_file("--views", v)) for v in (args.views or [])]
            if not views:
                raise CLIError("--views FILE... is required with --dataset tables")
            labels = os.path.abspath(_check_file("--labels", args.labels))
            ds = D.MultiViewTables(str(root / "tables"), views=views, labels=labels,
                                   label_rate=args.label_rate, split_seed=seed,
                                   standardize=True, log=False)
        data = ds[0]
        inch = {s: int(data[f"x_{s}"].size(1)) for s in data.sources}
        setting = f"label_rate={args.label_rate:g}"
        if getattr(args, "features", None) not in (None, "concat"):
            setting += f",features={args.features}"
        return TaskData("node", args.dataset, setting, inch,
                        num_classes=int(data.y.max()) + 1, graph=data)
    standardize = standardizer if standardizer is not None else bool(
        getattr(args, "standardize", None))
    data_seed = 0 if getattr(args, "data_seed", None) is None else args.data_seed
    extra = {"standardize": bool(standardize)}
    if args.dataset == "synthetic-vad":
        shift = getattr(args, "relational_shift", None) or 0.0
        kw = dict(setting=args.setting, seed=data_seed, num_segments=args.num_segments,
                  relational_shift=shift, standardize=standardize, log=False)
        train = D.SyntheticVAD(str(root / "synthetic_vad"), "train", **kw)
        test = D.SyntheticVAD(str(root / "synthetic_vad"), "test", **_test(kw, train))
        setting, extra["data_seed"] = args.setting, data_seed
        if shift:
            setting += f",relational_shift={shift:g}"
            extra["relational_shift"] = shift
    elif args.dataset == "motion-vad":
        kw = dict(seed=data_seed, num_segments=args.num_segments, standardize=standardize,
                  log=False)
        try:
            train = D.MotionVAD(str(root / "motion_vad"), "train", **kw)
            test = D.MotionVAD(str(root / "motion_vad"), "test", **_test(kw, train))
        except ImportError as exc:  # aeon missing: the message says what to install
            raise CLIError(str(exc)) from None
        setting, extra["data_seed"] = "basic_motions", data_seed
    else:
        if not args.vad_source:
            raise CLIError("--vad-source NAME=PATTERN (one per source) is required with "
                           "--dataset vad")
        sources = {}
        for item in args.vad_source:
            if "=" not in item:
                raise CLIError(f"--vad-source must be NAME=PATTERN, got {item!r}")
            name, pattern = item.split("=", 1)
            sources[name] = pattern
        layout = D.VADLayout(sources=sources, train_list=args.vad_train_list,
                             test_list=args.vad_test_list, gt=args.vad_gt,
                             labels=args.vad_labels, num_abnormal=args.vad_num_abnormal,
                             normal_pattern=args.vad_normal_pattern,
                             snippet_len=args.vad_snippet_len)
        kw = dict(num_segments=args.num_segments, standardize=standardize, log=False)
        train = D.VADFeatures(str(root), "train", layout, **kw)
        test = D.VADFeatures(str(root), "test", layout, **_test(kw, train))
        setting = "custom"
        extra["vad"] = {k: getattr(args, k) for k in VAD_LAYOUT_ARGS}
    if extra["standardize"]:
        setting += ",standardized"
    d = train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return TaskData("vad", args.dataset, setting, inch, train=train, test=test, extra=extra)


def _test(kw: dict, train) -> dict:
    """The test split's options: the training split's statistics, if any."""
    std = train.standardizer
    return {**kw, "standardize": std if std is not None else False}


# -- one run -----------------------------------------------------------------
def options_from_args(args) -> dict[str, Any]:
    keys = ("epochs", "lr", "num_powers", "prune_k", "k", "features", "pairs", "support",
            "zeroth", "init", "lambda_anchor", "lambda_sparse", "val_fraction")
    return {k: getattr(args, k, None) for k in keys if getattr(args, k, None) is not None}


def run_method(td: TaskData, method: str, seed: int, out_dir: Path, *,
               options: dict[str, Any] | None = None, devices: int = 1,
               progress: bool = True, checkpoint: bool = True) -> dict[str, Any]:
    """Trains ``method`` on ``td`` with ``seed``; returns ``(metrics, task)``:
    the test metrics (for the node task at the epoch of best validation) and
    the trained LightningModule."""
    from ..experiments import MethodSpec
    from ..methods import Dims, build_spec
    from ..training import seed_everything
    options = dict(options or {})
    spec = MethodSpec.create(method, td.task, options)
    t, obj = spec.trainer, spec.objective
    config = {"method": method, "task": td.task, "dataset": td.dataset,
              "setting": td.setting, "in_channels": td.in_channels,
              "num_classes": td.num_classes, "options": options, "spec": spec.to_dict(),
              "seed": seed, "data": dict(td.extra)}
    seed_everything(seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*")
        if td.task == "node":
            from ..training.node import fit_node
            model = build_spec(spec, Dims(td.in_channels, td.num_classes,
                                          num_nodes=td.graph.num_nodes))
            r = fit_node(model, td.graph, out_dir=out_dir, epochs=t.epochs, lr=t.lr,
                         weight_decay=t.weight_decay, eval_every=t.eval_every,
                         seed=seed, devices=devices, progress=progress,
                         checkpoint=checkpoint, config=config)
            metrics = {"accuracy": r.get("test_acc", float("nan")),
                       "val_accuracy": r.get("val_acc", float("nan"))}
        else:
            from ..training.vad import fit_vad
            model = build_spec(spec, Dims(td.in_channels,
                                          num_segments=int(td.train[0].num_nodes)))
            r = fit_vad(model, td.train, td.test, out_dir=out_dir, epochs=t.epochs,
                        batch_size=t.batch_size, lr=t.lr,
                        weight_decay=t.weight_decay, topk=obj.topk,
                        lambda_deg=obj.lambda_deg, alpha=obj.alpha,
                        lambda_sparse=obj.lambda_sparse, val_fraction=obj.val_fraction,
                        eval_every=t.eval_every, patience=t.patience, seed=seed,
                        devices=devices, progress=progress, checkpoint=checkpoint,
                        config=config, standardizer=getattr(td.train, "standardizer", None))
            metrics = {k: r[k] for k in ("auc", "ap", "pr_auc_trapz")}
            # the chosen epoch's held-out metrics (none with val_fraction=0)
            metrics.update({k: r[k] for k in ("val_video_auc", "val_loss", "epoch")
                            if k in r})
    metrics["params"] = r["params"]
    metrics["time_per_epoch_s"] = r["time_per_epoch_s"]
    return metrics, r["task"]


def is_main_process() -> bool:
    """False in the extra processes of a DDP run (``--devices > 1``), which
    must not print or write the results a second time."""
    from lightning.pytorch.utilities import rank_zero_only
    return getattr(rank_zero_only, "rank", 0) == 0


# -- records -----------------------------------------------------------------
def make_records(td: TaskData, method: str, per_seed: dict[int, dict[str, float]],
                 extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One record per metric: mean and (sample) std over the seeds."""
    seeds = sorted(per_seed)
    out = []
    names = [m for m in next(iter(per_seed.values())) if not m.startswith("_")]
    for metric in names:
        vals = [float(per_seed[s][metric]) for s in seeds]
        out.append({"dataset": td.dataset, "setting": td.setting, "method": method,
                    "metric": metric, "mean": statistics.fmean(vals),
                    "std": statistics.stdev(vals) if len(vals) > 1 else 0.0,
                    "seeds": seeds, "values": vals, **(extra or {})})
    return out


def format_table(records: list[dict], metrics: list[str] | None = None) -> str:
    """A plain-text table: one row per (dataset, setting, method), one column
    per metric, ``mean ± std``."""
    rows: dict[tuple, dict[str, dict]] = {}
    seen: list[str] = []
    for r in records:
        key = (r["dataset"], r["setting"], r["method"])
        rows.setdefault(key, {})[r["metric"]] = r
        if r["metric"] not in seen:
            seen.append(r["metric"])
    metrics = metrics or seen
    head = ["dataset", "setting", "method", *metrics]
    body = []
    for key, ms in rows.items():
        cells = list(key)
        for m in metrics:
            r = ms.get(m)
            if r is None:
                cells.append("-")
            elif m == "params":
                cells.append(f"{int(r['mean']):,}")
            elif m == "time_per_epoch_s":
                cells.append(f"{r['mean']:.3f}")
            else:
                cells.append(f"{r['mean']:.4f} ± {r['std']:.4f}")
        body.append(cells)
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, body)])
