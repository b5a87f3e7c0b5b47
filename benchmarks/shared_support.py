"""Sparse LEGO on the digits (N = 2000, six views, kNN k = 10): how far the
fused graph of each sparse support is from the dense one, and how well it
classifies.

Supports (:class:`pyg_fusion.nn.LEGO`, ``support=``): ``union`` (each view's
own kNN graph, the pairs fused on the union of their supports), ``intersection``
(the same values, entries that both views of a pair have), ``shared`` (one
support for all views: the union of their kNN graphs, every view's similarity
evaluated on it). For each, with the untrained operator (A = e11 per pair, the
graph product; the mean over the 15 pairs):

* ``rel_frobenius``: ||G_sparse - G_dense||_F / ||G_dense||_F, G_dense from the
  full (dense) relationship graphs. Un-normalised powers (``norm=None``), so
  that the error is the part of the dense G that the support leaves out, not a
  difference of degree scales;
* ``val_acc`` / ``test_acc``: label propagation of the 5% training labels over
  G with LEGO's default normalisation (``norm="sym"``), 20 steps, alpha 0.9
  (the graph-only setting of docs/results/digits.md), mean over the splits.

    python benchmarks/shared_support.py --splits 0..2 --json benchmarks/results/shared_support.json
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SUPPORTS = ("union", "intersection", "shared")


def fused(xs, support, k, norm, num_powers=1):
    from pyg_fusion.nn import LEGO
    lego = LEGO({s: x.size(1) for s, x in xs.items()}, num_powers, k=k, norm=norm,
                pairs="all", support=support or "union",
                backend="sparse" if k else "dense").double().eval()
    with torch.no_grad():
        return lego(xs).to_dense()[0]


def propagate(g, data):
    from pyg_fusion.functional import seed_labels
    from pyg_fusion.nn import LabelPropagationHead
    ei = g.nonzero().t()
    seeds = seed_labels(data.y, data.train_mask).to(g.dtype)  # g is float64
    # the library's graph-only classifier, so that a node no seed reaches is
    # predicted by its rule (the seeds' prior), not argmax of a zero row
    with torch.no_grad():
        pred = LabelPropagationHead().double()(seeds, ei, g[ei[0], ei[1]]).argmax(-1)
    return {m: float((pred[data[f"{m}_mask"]] == data.y[data[f"{m}_mask"]]).float().mean())
            for m in ("val", "test")}


def table(supports: dict) -> str:
    """Markdown table of the supports' means, as the other scripts print theirs."""
    lines = ["| support | rel. Frobenius | edges | val acc | test acc |", "|---|---|---|---|---|"]
    for s, r in supports.items():
        lines.append(f"| {s} | {r['rel_frobenius']:.4f} | {r['edges']:.0f} | "
                     f"{100 * r['val_acc']:.2f} | {100 * r['test_acc']:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    from _machine import machine_info

    from pyg_fusion.cli._runs import int_list
    from pyg_fusion.datasets import MultiFeatureDigits

    from _cli import check_writable, kept_state, parser, positive_int, user_errors
    p = parser(__file__, __doc__)
    p.add_argument("--root", default="runs/data/digits")
    p.add_argument("--splits", type=int_list, default=int_list("0..2"))
    p.add_argument("--k", type=positive_int, default=10)
    p.add_argument("--json", help="write the results here")
    args = p.parse_args(argv)
    check_writable(p, args.json)
    with kept_state(1), user_errors("shared_support.py"):  # restored: main() runs in-process too
        return _run(args, MultiFeatureDigits, machine_info, argv)


def _run(args, MultiFeatureDigits, machine_info, argv=None) -> int:
    from _machine import machine_line
    rows = {s: {"rel_frobenius": [], "val_acc": [], "test_acc": [], "edges": []}
            for s in SUPPORTS}
    t0 = time.perf_counter()
    for i, split in enumerate(args.splits):
        data = MultiFeatureDigits(args.root, label_rate=0.05, split_seed=split,
                                  standardize=True, log=False)[0]
        xs = {s: data[f"x_{s}"].double() for s in data.sources}
        if split == args.splits[0]:  # the features do not depend on the split
            dense = fused(xs, None, None, None)
            for s in SUPPORTS:
                g = fused(xs, s, args.k, None)
                rows[s]["rel_frobenius"].append(float((g - dense).norm() / dense.norm()))
            del dense
            print(f"  against the dense graph: {time.perf_counter() - t0:.1f} s so far",
                  file=sys.stderr, flush=True)
        for s in SUPPORTS:
            g = fused(xs, s, args.k, "sym")
            rows[s]["edges"].append(int((g != 0).sum()))
            acc = propagate(g, data)
            rows[s]["val_acc"].append(acc["val"])
            rows[s]["test_acc"].append(acc["test"])
        # progress on stderr: the table comes at the end of all splits
        print(f"  split {split} ({i + 1}/{len(args.splits)}): "
              f"{time.perf_counter() - t0:.1f} s so far", file=sys.stderr, flush=True)
    out = {"k": args.k, "splits": args.splits, "num_nodes": int(data.num_nodes),
           "seconds": round(time.perf_counter() - t0, 1), "machine": machine_info(),
           "supports": {s: {key: (statistics.fmean(v) if v else None) for key, v in r.items()}
                        | {"values": r} for s, r in rows.items()}}
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from _cli import command_line

        from pyg_fusion._files import write_json
        write_json(args.json, {"command": command_line(__file__, argv), **out})
    print(f"{machine_line(out['machine'])}; splits {args.splits}, accuracies in %, mean "
          "over the splits")
    print(table(out["supports"]))
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
