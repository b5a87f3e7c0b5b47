"""Which node order the sparse powers run fastest in: each source's own
reverse Cuthill-McKee order (what ``LEGO`` uses above
``LOCALITY_MIN_NODES``), one order of the union of the sources' kNN graphs
(shared by all sources), or the caller's numbering.

``scaling.py``'s step settings: two sources of clustered features (seeds 0
and 1, independent), ``knn="approx"``, d = 128, k = 16, P = 3, prune_k = 64,
one thread. Per source and order: ``graph_powers`` forward with gradient,
then the backward of a random projection of all powers, the graph already
in the order (the move into it is not timed, the move of the powers back to
the caller's numbering is). Orders alternate within each repeat; the table
gives the median seconds and the ratio to the source's own order.

    python benchmarks/locality_orders.py 65536 --repeats 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("n", type=int, help="nodes per source")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    torch.set_num_threads(1)  # this script's own process
    from _machine import machine_info
    from scaling import D, K, P, PRUNE, _features
    from pyg_fusion.functional import graph_powers, relation_graph
    from pyg_fusion.functional.order import locality_order, permute_rows, relabel

    n = args.n
    graphs = {s: relation_graph(_features("clustered", n, seed), k=K, knn="approx")
              for seed, s in enumerate("ab")}
    union = locality_order(torch.cat([g[0] for g in graphs.values()], 1), n)
    orders = {"own": {s: locality_order(g[0], n) for s, g in graphs.items()},
              "union": {s: union for s in graphs}, "none": {s: None for s in graphs}}
    inputs = {}
    for name, per_source in orders.items():
        for s, (ei, w) in graphs.items():
            perm = per_source[s]
            if perm is None:
                inputs[name, s] = (ei, w.detach(), None)
            else:
                index, moved = relabel(ei, perm, n)
                inputs[name, s] = (index, permute_rows(w.detach(), moved), perm)
    times = {key: [] for key in inputs}
    for _ in range(args.repeats):
        for key, (ei, w, perm) in inputs.items():
            w = w.clone().requires_grad_()
            t0 = time.perf_counter()
            index, attr = graph_powers(ei, w, n, P, prune_k=PRUNE, restore=perm)
            up = torch.randn(attr.shape, generator=torch.Generator().manual_seed(0))
            (attr * up).sum().backward()
            times[key].append(time.perf_counter() - t0)
            del index, attr, up
    print(f"N={n}, d={D}, k={K}, P={P}, prune_k={PRUNE}, load {os.getloadavg()}, "
          f"{machine_info()['cpu']}")
    print("| source | order | powers fwd + bwd s | / own order |\n|---|---|---|---|")
    for s in graphs:
        own = statistics.median(times["own", s])
        for name in orders:
            t = statistics.median(times[name, s])
            print(f"| {s} | {name} | {t:.3f} | {t / own:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
