"""Renders every figure of ``pyg_fusion.visualize`` from a short run on the
bundled data, and an ``index.html`` that shows them with one line each.

    python visualize/gallery.py --out runs/gallery

Steps (each with a progress bar; a data set or benchmark that this version
of pyg_fusion lacks is skipped and listed as such in the index):

1. UCI digits (``MultiFeatureDigits``, bundled): a stratified subset of
   ``--digits-nodes`` nodes, three views; one relation graph per view
   (``k``-NN, cosine), its powers, a pairwise LEGO operator and a
   ``GraphHead`` trained for node classification; the figures of the
   relation graph, the adjacency of each view and of the fused ``G``, the
   power expansion and the learned ``A``.
2. A quick (P, Q) sweep on two digits views (test accuracy of each pair,
   mean and std over ``--sweep-seeds`` seeds), written in the record format
   of ``pyg-fusion sweep`` and drawn by ``plot_pq_sensitivity``.
3. Synthetic VAD (``SyntheticVAD``): LEGO and the feature-concat baseline
   (``pyg_fusion.methods.build_model("lego" / "feature-concat", "vad")``) trained with MIL
   top-3 BCE on the video labels; test videos' snippet scores against their
   frame ground truth, one video's temporal relation graph and its graphs.
4. Sparse vs dense: ``benchmarks/results/sparse_vs_dense_cpu*.json`` (or
   ``--bench FILE``) when present, else a quick in-process timing of LEGO's
   forward + backward on both backends (time only, no memory).

The short runs are built and trained by the library (``build_model``,
``fit_node``, ``fit_vad``), with few nodes, videos and epochs: they exist to
feed figures, not to report results (``pyg-fusion train`` / ``sweep`` do that).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from pyg_fusion import datasets  # noqa: E402
from pyg_fusion._files import save_figure, write_json, write_text  # noqa: E402
from pyg_fusion.cli._process import command_settings  # noqa: E402
from pyg_fusion import visualize as V  # noqa: E402
from pyg_fusion.data import MultiSourceData  # noqa: E402
from pyg_fusion.functional import relation_graph  # noqa: E402
from pyg_fusion.methods import build_model  # noqa: E402
from pyg_fusion.nn import LEGO  # noqa: E402

DIGIT_VIEWS = ("fou", "kar", "pix")
SWEEP_VIEWS = ("fou", "kar")


class Gallery:
    """Collects the figures (file, title, one-line caption) and the numbers."""

    def __init__(self, out: Path):
        self.out = out
        self.items: list[tuple[str, str, str]] = []
        self.skipped: list[tuple[str, str]] = []
        self.numbers: dict = {}

    def add(self, fig, name: str, title: str, caption: str) -> None:
        path = self.out / f"{name}.png"
        save_figure(fig, path, dpi=100)
        plt.close(fig)
        self.items.append((path.name, title, caption))

    def skip(self, step: str, why: str) -> None:
        print(f"skipped {step}: {why}")
        self.skipped.append((step, why))


# ------------------------------------------------------------------ digits
def digits_subset(root: str, per_class: int, train_per_class: int, seed: int = 0):
    """A stratified subset of the digits: ``per_class`` nodes of each class,
    the first ``train_per_class`` of them (in a seeded order) for training, half
    of the rest for validation (the epoch is chosen there), half for test."""
    ds = datasets.MultiFeatureDigits(root, views=DIGIT_VIEWS, standardize=True, log=False)
    data = ds[0]
    g = torch.Generator().manual_seed(seed)
    keep, split = [], []
    val_end = train_per_class + (per_class - train_per_class) // 2
    for c in range(10):
        idx = (data.y == c).nonzero().view(-1)
        idx = idx[torch.randperm(idx.numel(), generator=g)][:per_class]
        keep.append(idx)
        rank = torch.arange(per_class)
        split.append((rank >= train_per_class).long() + (rank >= val_end).long())
    order, split = torch.cat(keep), torch.cat(split)
    sub = MultiSourceData(y=data.y[order], num_nodes=order.numel())
    for v in DIGIT_VIEWS:
        sub[f"x_{v}"] = data[f"x_{v}"][order]
    sub.train_mask, sub.val_mask, sub.test_mask = split == 0, split == 1, split == 2
    return sub


def train_node_lego(data, num_powers: dict, *, k: int, epochs: int, seed: int):
    """The library's ``lego`` node model on the views of ``num_powers`` (P per
    view), trained by ``fit_node``. Returns (model, metrics at the epoch of
    best validation accuracy)."""
    from pyg_fusion.training.node import fit_node
    torch.manual_seed(seed)
    widths = {s: data[f"x_{s}"].size(1) for s in num_powers}
    model = build_model("lego", "node", widths, num_classes=10, num_powers=num_powers, k=k)
    with tempfile.TemporaryDirectory() as tmp:
        metrics = fit_node(model, data, out_dir=tmp, epochs=epochs, seed=seed,
                           progress=False, checkpoint=False)
    return model.eval(), metrics


def run_digits(gal: Gallery, args) -> None:
    data = digits_subset(args.root, args.digits_nodes // 10, args.train_per_class)
    n = data.num_nodes
    print("digits: LEGO + GraphHead")
    model, metrics = train_node_lego(data, {v: 2 for v in DIGIT_VIEWS}, k=args.k,
                                     epochs=args.epochs, seed=0)
    acc = metrics["test_acc"]
    with torch.no_grad():
        gi, gw = model.fused_graph(data)
    gal.numbers["digits"] = dict(nodes=n, views=list(DIGIT_VIEWS), k=args.k, P=2,
                                 train_nodes=int(data.train_mask.sum()),
                                 val_nodes=int(data.val_mask.sum()), epochs=args.epochs,
                                 test_accuracy=round(acc, 4))
    print(f"digits: {n} nodes, test accuracy {acc:.3f}")

    fig = V.plot_relation_graph(data, source="fou", k=args.k, label_names=None)
    fig.axes[0].set_title(f"$R_{{\\mathrm{{fou}}}}$: {args.k}-NN cosine graph of the Fourier "
                          f"view, {n} digits", fontsize=10)
    gal.add(fig, "relation_graph", "Relation graph (digits)",
            f"R_fou of {n} digits, spring layout, coloured by class: the {args.k} nearest "
            f"neighbours of each digit mostly share its class; edge width and opacity grow "
            f"with the weight.")

    panels = {}
    for v in DIGIT_VIEWS:
        ei, w = relation_graph(data[f"x_{v}"], k=args.k)
        panels[f"$R_{{\\mathrm{{{v}}}}}$"] = (ei, w, n)
    panels["fused $G$ (learned A)"] = (gi, gw, n)
    fig = V.plot_adjacency(panels, labels=data.y, shared_scale=False, show_diagonal=False,
                           robust=True)
    gal.add(fig, "adjacency", "Adjacency: views and fused graph (digits)",
            "The three views' relation graphs and the fused G (diagonal left out), nodes "
            "grouped by class, each panel on its own colour scale (ending at the 99th "
            "percentile).")

    small = digits_subset(args.root, 12, 0)
    pw = {}

    from pyg_fusion.functional import dense_graph_powers, edges_to_dense
    for v in ("fou", "kar"):
        ei, w = relation_graph(small[f"x_{v}"], k=args.k)
        pw[v] = dense_graph_powers(edges_to_dense(ei, w,
                                                  max_num_nodes=small.num_nodes)[0], 3)
    fig = V.plot_power_expansion(pw, labels=small.y)
    gal.add(fig, "powers", "Graph power expansion (digits)",
            f"R_m^0 = I to R_m^3 of two views (sym-normalised, {small.num_nodes} digits): "
            "each power reaches one hop further, so class blocks fill in.")

    fig = V.plot_fusion_operator(model.fusion)
    gal.add(fig, "operator", "Learned fusion operator A (digits)",
            "A[p, q] of each view pair after training (initialised at A[1, 1] = 1): the "
            "signed weight of R_a^p (Hadamard) R_b^q in G.")


def run_sweep(gal: Gallery, args) -> None:
    data = digits_subset(args.root, args.sweep_nodes // 10, args.train_per_class)
    a, b = SWEEP_VIEWS
    records = []
    grid = [(p, q) for p in args.sweep_p for q in args.sweep_q]
    for p, q in tqdm(grid, desc="(P, Q) sweep"):
        accs = [train_node_lego(data, {a: p, b: q}, k=args.k, epochs=args.sweep_epochs,
                                seed=s)[1]["test_acc"] for s in range(args.sweep_seeds)]
        records.append({"P": p, "Q": q, "metric": "test_accuracy",
                        "mean": statistics.fmean(accs),
                        "std": statistics.pstdev(accs) if len(accs) > 1 else 0.0,
                        "dataset": "digits", "method": "lego"})
    path = gal.out / "sweep.json"
    write_json(path, records)
    fig = V.plot_pq_sensitivity(path)
    best = max(records, key=lambda r: r["mean"])
    gal.numbers["sweep"] = dict(views=list(SWEEP_VIEWS), P=args.sweep_p, Q=args.sweep_q,
                                epochs=args.sweep_epochs, seeds=args.sweep_seeds,
                                best=dict(P=best["P"], Q=best["Q"], mean=round(best["mean"], 4)))
    gal.add(fig, "pq_sensitivity", "(P, Q) sensitivity (digits)",
            f"Test accuracy over the numbers of powers P (R_{a}) and Q (R_{b}), mean of "
            f"{args.sweep_seeds} seeds of a {args.sweep_epochs}-epoch run; records in "
            f"sweep.json, the format of pyg-fusion sweep.")


# ------------------------------------------------------------------ VAD
def train_vad(name: str, widths: dict, num_segments: int, train, test, *, epochs: int,
              lr: float):
    """The library's VAD model ``name``, trained by ``fit_vad`` (MIL top-3 on the
    video labels, epoch chosen on held-out training videos) and scored on
    ``test``. Returns (model, task, test metrics)."""
    from pyg_fusion.training.vad import fit_vad
    torch.manual_seed(0)
    model = build_model(name, "vad", widths, num_segments=num_segments)
    with tempfile.TemporaryDirectory() as tmp:
        metrics = fit_vad(model, train, test, out_dir=tmp, epochs=epochs, lr=lr,
                          progress=False, checkpoint=False)
    return model.eval(), metrics["task"], metrics


def run_vad(gal: Gallery, args) -> None:
    if not hasattr(datasets, "SyntheticVAD"):
        gal.skip("synthetic VAD", "pyg_fusion.datasets.SyntheticVAD is not available")
        return
    from torch_geometric.data import Batch

    vad_root = os.path.join(args.root, "synthetic_vad")
    kw = dict(num_videos=(args.vad_videos, args.vad_videos), log=False)
    train = datasets.SyntheticVAD(vad_root, "train", **kw)
    test = datasets.SyntheticVAD(vad_root, "test", **kw)
    sources = train[0].sources
    n = train[0][f"x_{sources[0]}"].size(0)
    widths = {s: train[0][f"x_{s}"].size(1) for s in sources}
    test_list = list(test)
    scores, aucs = {}, {}
    for label, name in tqdm([("LEGO", "lego"), ("feature concat", "feature-concat")],
                            desc="VAD"):
        model, task, metrics = train_vad(name, widths, n, train, test,
                                         epochs=args.vad_epochs, lr=3e-3)
        scores[label], aucs[label] = task.last_scores, metrics["auc"]
        if name == "lego":
            with torch.no_grad():
                fused = model(Batch.from_data_list(test_list))[1]
    gal.numbers["vad"] = dict(setting="multi_representation", sources=sources,
                              train_videos=len(train), test_videos=len(test_list),
                              epochs=args.vad_epochs,
                              frame_auc={k: round(v, 4) for k, v in aucs.items()})
    print("VAD frame-level AUC: " + ", ".join(f"{k} {v:.3f}" for k, v in aucs.items()))

    abnormal = [i for i, d in enumerate(test_list) if int(d.y) == 1][:3]
    normal = [i for i, d in enumerate(test_list) if int(d.y) == 0][:1]
    shown = abnormal + normal
    per_method = {m: {test_list[i].video: sc[i][test_list[i].snippet_segment] for i in shown}
                  for m, sc in scores.items()}
    gts = {test_list[i].video: test_list[i].frame_gt for i in shown}
    fig = V.plot_anomaly_scores(per_method, gts, frames_per_snippet=16)
    gal.add(fig, "anomaly_scores", "Anomaly scores (synthetic VAD)",
            "Snippet scores of LEGO and of the feature-concat baseline against "
            "the ground-truth anomalous frames (shaded), three abnormal and one normal test "
            "video; frame AUC over all test videos: "
            + ", ".join(f"{k} {v:.3f}" for k, v in aucs.items()) + ".")

    i = abnormal[0] if abnormal else 0
    d = test_list[i]
    seg_gt = torch.zeros(n)
    seg_gt.index_reduce_(0, d.snippet_segment, d.frame_gt.view(-1, 16).amax(1).float(),
                         "amax", include_self=True)
    best = max(aucs, key=aucs.get)
    fig = V.plot_relation_graph(d, source=sources[0], k=4, scores=scores[best][i],
                                layout="temporal")
    ax = fig.axes[0]
    ax.set_xlabel("segment (time order)")
    for t in seg_gt.nonzero().view(-1).tolist():
        ax.axvspan(t - 0.5, t + 0.5, color="tab:red", alpha=0.12, lw=0)
    ax.set_title(f"$R_{{\\mathrm{{{sources[0]}}}}}$ of test video {d.video} (4-NN, "
                 f"{n} segments in time order); shaded: anomalous segments", fontsize=9)
    gal.add(fig, "relation_graph_temporal", "Temporal relation graph (synthetic VAD)",
            "One abnormal test video: segments on a line in time order, arcs link each "
            f"segment to its 4 most similar ones, nodes coloured by the anomaly score of "
            f"{best} (the better of the two here).")

    panels = {}
    for s in sources:
        ei, w = relation_graph(d[f"x_{s}"], k=None)
        panels[f"$R_{{\\mathrm{{{s}}}}}$"] = (ei, w, n)
    panels["fused $G$"] = fused[i]
    fig = V.plot_adjacency(panels, order="time", shared_scale=False, show_diagonal=False)
    gal.add(fig, "adjacency_vad", "Adjacency in time order (synthetic VAD)",
            "The same video's dense cosine graphs per source and the fused G, segments in "
            "time order (diagonal left out).")


# ------------------------------------------------------------------ sparse vs dense
def quick_timing(sizes, repeats: int = 3) -> dict:
    rows = []
    plan = [(n, b) for n in sizes for b in ("dense", "sparse")]
    for n, backend in tqdm(plan, desc="sparse vs dense timing"):
        torch.manual_seed(0)
        xs = {s: torch.randn(n, 32, requires_grad=True) for s in ("a", "b")}
        model = LEGO({"a": 32, "b": 32}, 3, k=8, prune_k=32, backend=backend)

        def step():
            g = model(xs)
            (g.to_dense() if g.backend == "dense" else g.edge_weight).sum().backward()

        step()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        rows.append({"N": n, "batch": 1, "backend": backend, "scatter": "native",
                     "time_s": statistics.median(times), "times": times,
                     "peak_mem_mb": None, "status": "ok"})
    return {"machine": {"cpu": f"this machine ({os.cpu_count()} CPUs), quick timing"},
            "config": {"M": 2, "P": 3, "d": 32, "k": 8, "prune_k": 32,
                       "what": "forward + backward, median of 3"}, "rows": rows}


def run_benchmark(gal: Gallery, args) -> None:
    found = sorted((ROOT / "benchmarks" / "results").glob("sparse_vs_dense_cpu*.json"))
    source = Path(args.bench) if args.bench else (found[0] if found else None)
    if source is not None and source.is_file():
        bench, origin = str(source), f"the benchmark's JSON ({source.name})"
    else:
        bench = quick_timing(args.timing_sizes)
        path = gal.out / "sparse_vs_dense_quick.json"
        write_json(path, bench)
        bench, origin = str(path), "a quick in-process timing (time only)"
    fig = V.plot_sparse_vs_dense(bench)
    gal.numbers["sparse_vs_dense"] = dict(source=origin)
    gal.add(fig, "sparse_vs_dense", "Sparse vs dense backends",
            f"Time and peak memory of LEGO against N, log-log, crossover marked; from "
            f"{origin}.")


# ------------------------------------------------------------------ index
def write_index(gal: Gallery, seconds: float) -> Path:
    cards = "\n".join(
        f'<figure><img src="{html.escape(f)}" alt="{html.escape(t)}">'
        f"<figcaption><b>{html.escape(t)}.</b> {html.escape(c)}</figcaption></figure>"
        for f, t, c in gal.items)
    skipped = "".join(f"<li>{html.escape(s)}: {html.escape(w)}</li>" for s, w in gal.skipped)
    numbers = html.escape(json.dumps(gal.numbers, indent=1))
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>pyg_fusion figure gallery</title>
<style>
body {{ font-family: sans-serif; max-width: 1200px; margin: 2em auto; color: #222; }}
figure {{ margin: 2em 0; border-bottom: 1px solid #ddd; padding-bottom: 1em; }}
img {{ max-width: 100%; }} figcaption {{ margin-top: .5em; }}
pre {{ background: #f6f6f6; padding: 1em; }}
</style></head><body>
<h1>pyg_fusion figure gallery</h1>
<p>Rendered by <code>python visualize/gallery.py</code> in {seconds:.0f} s from short runs
on the bundled data; the numbers of these short runs are not results.</p>
{cards}
{f"<h2>Skipped</h2><ul>{skipped}</ul>" if skipped else ""}
<h2>Run</h2><pre>{numbers}</pre>
</body></html>
"""
    path = gal.out / "index.html"
    write_text(path, page)
    return path


def parse_ints(text: str) -> list[int]:
    if ".." in text:
        lo, hi = text.split("..")
        return list(range(int(lo), int(hi) + 1))
    return [int(t) for t in text.split(",") if t]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="folder for the PNGs and index.html")
    p.add_argument("--root", default=None, help="data folder (default: OUT/data)")
    p.add_argument("--digits-nodes", type=int, default=300)
    p.add_argument("--train-per-class", type=int, default=10)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--sweep-p", type=parse_ints, default=[1, 2, 3])
    p.add_argument("--sweep-q", type=parse_ints, default=[1, 2, 3])
    p.add_argument("--sweep-nodes", type=int, default=200)
    p.add_argument("--sweep-epochs", type=int, default=25)
    p.add_argument("--sweep-seeds", type=int, default=2)
    p.add_argument("--vad-videos", type=int, default=40)
    p.add_argument("--vad-epochs", type=int, default=30)
    p.add_argument("--bench", default=None, help="benchmark JSON to draw")
    p.add_argument("--steps", default="digits,sweep,vad,benchmark",
                   help="comma-separated steps to run (default: all)")
    p.add_argument("--timing-sizes", type=parse_ints, default=[32, 64, 128, 256, 512])
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    args.root = args.root or str(out / "data")
    gal = Gallery(out)
    t0 = time.perf_counter()
    steps = {"digits": run_digits, "sweep": run_sweep, "vad": run_vad,
             "benchmark": run_benchmark}
    chosen = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in steps]
    if unknown:
        p.error(f"--steps: unknown step(s) {unknown}; choose from {list(steps)}")
    # The graphs here are small: one thread avoids paying for thread
    # synchronisation on every tiny kernel (about 2x less CPU time on 2 cores).
    # The CLI's settings also drop Lightning's banners.
    with command_settings(argparse.Namespace(threads=1)):
        for name in chosen:
            step = steps[name]
            t, c = time.perf_counter(), time.process_time()
            step(gal, args)
            gal.numbers.setdefault("seconds", {})[name] = dict(
                wall=round(time.perf_counter() - t, 1), cpu=round(time.process_time() - c, 1))
    seconds = time.perf_counter() - t0
    index = write_index(gal, seconds)
    print(f"{len(gal.items)} figures in {seconds:.0f} s; open {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
