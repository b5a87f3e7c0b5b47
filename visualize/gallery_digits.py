"""Gallery steps on the UCI digits: the relation graph, adjacency, power
expansion and learned operator of a short LEGO run, and a quick (P, Q)
sweep (see ``gallery.py``)."""
from __future__ import annotations

import statistics
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the script's module is __main__; importing it would run it again
    from gallery import Gallery

import torch
from tqdm import tqdm

from pyg_fusion import datasets
from pyg_fusion._files import write_json
from pyg_fusion import visualize as V
from pyg_fusion.data import MultiSourceData
from pyg_fusion.functional import relation_graph

DIGIT_VIEWS = ("fou", "kar", "pix")
SWEEP_VIEWS = ("fou", "kar")


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
    best validation accuracy), through
    :func:`pyg_fusion.experiments.run.run_method`."""
    from pyg_fusion.experiments.data import TaskData
    from pyg_fusion.experiments.run import run_method
    widths = {s: data[f"x_{s}"].size(1) for s in num_powers}
    td = TaskData("node", "digits", "gallery", widths, num_classes=10, graph=data)
    with tempfile.TemporaryDirectory() as tmp:
        metrics, task = run_method(td, "lego", seed, tmp,
                                   options={"num_powers": num_powers, "k": k, "epochs": epochs},
                                   progress=False, checkpoint=False)
    return task.model.eval(), metrics


def run_digits(gal: Gallery, args) -> None:
    data = digits_subset(args.root, args.digits_nodes // 10, args.train_per_class)
    n = data.num_nodes
    print("digits: LEGO + GraphHead")
    model, metrics = train_node_lego(data, {v: 2 for v in DIGIT_VIEWS}, k=args.k,
                                     epochs=args.epochs, seed=0)
    acc = metrics["accuracy"]
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
                                seed=s)[1]["accuracy"] for s in range(args.sweep_seeds)]
        records.append({"P": p, "Q": q, "metric": "test_accuracy",
                        "mean": statistics.fmean(accs),
                        "std": statistics.pstdev(accs) if len(accs) > 1 else 0.0,
                        "dataset": "digits", "method": "lego",
                        # as pyg-fusion sweep records them: the figure names the
                        # views, the seeds and the epochs from these
                        "seeds": list(range(args.sweep_seeds)),
                        "config": {"trainer": {"epochs": args.sweep_epochs},
                                   "powers": {"num_powers": {a: p, b: q}}}})
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
