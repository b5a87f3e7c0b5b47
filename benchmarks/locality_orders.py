"""Which node order the sparse powers run fastest in: each source's own
reverse Cuthill-McKee order (what ``LEGO`` uses above
``LOCALITY_MIN_NODES``), one order of the union of the sources' kNN graphs
(shared by all sources), the caller's numbering, or, with ``--clusters C``,
an order by k-means clusters of the features (C spherical k-means clusters
by faiss, the clusters in the reverse Cuthill-McKee order of their
centroids' 8-NN graph, each cluster's units in the source's own order): an
order from the features' geometry rather than from the graph.

``scaling.py``'s step settings: two sources of clustered features (seeds 0
and 1, independent), ``knn="approx"``, d = 128, k = 16, P = 3, prune_k = 64,
one thread. Per source and order: ``graph_powers`` forward with gradient,
then the backward of a random projection of all powers, the graph already
in the order (the move into it is not timed, the move of the powers back to
the caller's numbering is; so is the draw of the projection, a ``randn`` of
the powers' shape, about the same for every order: ``draw_s``). One
untimed call per source and order first; then the orders alternate within
each repeat; the table gives the median seconds and the ratio to the
source's own order.

    python benchmarks/locality_orders.py 65536 --repeats 3
    python benchmarks/locality_orders.py 65536 --repeats 3 --clusters 256 64
    python benchmarks/locality_orders.py 65536 --json benchmarks/results/locality_orders.json

``--json PATH``: the table's rows (with every repeat's seconds), the
command, the machine and the settings of the run.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
WARMUP = "one untimed call per source and order before the repeats"
TIMED = ("the powers' forward, the draw of the backward's random projection (randn of "
         "the powers' shape) and the backward")


def cluster_order(x: torch.Tensor, within: torch.Tensor, clusters: int) -> torch.Tensor:
    """Units grouped by their nearest of ``clusters`` spherical k-means
    centroids (faiss, 10 iterations, seeded), the clusters in the reverse
    Cuthill-McKee order of the centroids' 8-NN graph, the units of a cluster
    in the order ``within``."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    from pyg_fusion.functional._knn import load_faiss
    faiss = load_faiss()
    if faiss is None:
        raise SystemExit("--clusters needs faiss (pip install faiss-cpu)")
    xn = torch.nn.functional.normalize(x, dim=1).numpy()
    km = faiss.Kmeans(xn.shape[1], clusters, niter=10, seed=1, spherical=True)
    km.train(xn[::max(1, xn.shape[0] // (64 * clusters))])
    assign = km.index.search(xn, 1)[1][:, 0]
    nb = min(9, clusters)
    flat = faiss.IndexFlatIP(xn.shape[1])
    flat.add(km.centroids)
    near = flat.search(km.centroids, nb)[1]
    graph = sp.csr_matrix((np.ones(near.size), (np.repeat(np.arange(clusters), nb),
                                                near.ravel())), shape=(clusters, clusters))
    rank = np.empty(clusters, dtype=np.int64)
    rank[reverse_cuthill_mckee((graph + graph.T).tocsr(), symmetric_mode=True)] = \
        np.arange(clusters)
    position = np.empty(xn.shape[0], dtype=np.int64)
    position[within.numpy()] = np.arange(xn.shape[0])
    return torch.from_numpy(np.lexsort((position, rank[assign])))


def _progress(done: str, runs: int, start: float) -> None:
    """One line on stderr per round of the orders: minutes at N = 65536."""
    print(f"  {done}: {runs} runs, {time.perf_counter() - start:.1f} s so far",
          file=sys.stderr, flush=True)


def main(argv=None) -> int:
    from _cli import check_writable, kept_state, parser, positive_int, units

    from _scaling_workload import K
    p = parser(__file__, __doc__)
    p.add_argument("n", type=units(K), help="nodes per source")
    p.add_argument("--repeats", type=positive_int, default=3)
    p.add_argument("--clusters", type=positive_int, nargs="+", default=[],
                   help="also orders by this many k-means clusters of the features (faiss)")
    p.add_argument("--json", default=None, help="write the rows, the machine and the settings")
    args = p.parse_args(argv)
    from _cli import distinct
    distinct(p, args, '--clusters')
    over = [c for c in args.clusters if c > args.n]
    if over:
        p.error(f"--clusters: at most n = {args.n} clusters of the n units, got "
                f"{', '.join(map(str, over))}")
    if args.clusters:
        from pyg_fusion.functional._knn import load_faiss
        if load_faiss() is None:  # before the graphs, not after them
            raise SystemExit("--clusters needs faiss (pip install faiss-cpu)")
    check_writable(p, args.json)
    with kept_state(1):  # restored: main() is also called in-process
        return _run(args, argv)


def _run(args, argv=None) -> int:
    from _cli import command_line
    from _machine import machine_info, machine_line
    from _scaling_workload import PRUNE, D, K, P, _features

    from pyg_fusion.functional import graph_powers, relation_graph
    from pyg_fusion.functional.order import locality_order, permute_rows, relabel

    n = args.n
    features = {s: _features("clustered", n, seed) for seed, s in enumerate("ab")}
    graphs = {s: relation_graph(x, k=K, knn="approx") for s, x in features.items()}
    union = locality_order(torch.cat([g[0] for g in graphs.values()], 1), n)
    own = {s: locality_order(g[0], n) for s, g in graphs.items()}
    orders = {"own": own, "union": {s: union for s in graphs}, "none": {s: None for s in graphs}}
    for c in args.clusters:
        orders[f"{c} clusters"] = {s: cluster_order(features[s], own[s], c) for s in graphs}
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
    draws = {key: [] for key in inputs}  # seconds of the projection's draw, within times
    start = time.perf_counter()
    for key, (ei, w, perm) in inputs.items():  # untimed: the first call's one-off costs
        graph_powers(ei, w.clone().requires_grad_(), n, P, prune_k=PRUNE, restore=perm)
    _progress("warm-up", len(inputs), start)
    for r in range(args.repeats):
        for key, (ei, w, perm) in inputs.items():
            w = w.clone().requires_grad_()
            t0 = time.perf_counter()
            index, attr = graph_powers(ei, w, n, P, prune_k=PRUNE, restore=perm)
            t1 = time.perf_counter()  # the draw stays timed, as the documented ratios were
            up = torch.randn(attr.shape, generator=torch.Generator().manual_seed(0))
            draws[key].append(time.perf_counter() - t1)
            (attr * up).sum().backward()
            times[key].append(time.perf_counter() - t0)
            del index, attr, up
        _progress(f"repeat {r + 1}/{args.repeats}", len(inputs), start)
    machine = machine_info()
    rows = []
    for s in graphs:
        own = statistics.median(times["own", s])
        for name in orders:
            t = statistics.median(times[name, s])
            rows.append({"source": s, "order": name, "seconds": t, "runs": times[name, s],
                         "draw_s": statistics.median(draws[name, s]), "over_own": t / own})
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from pyg_fusion._files import write_json
        write_json(args.json, {"command": command_line(__file__, argv), "machine": machine,
                               "config": {"N": n, "d": D, "k": K, "P": P, "prune_k": PRUNE,
                                          "knn": "approx", "repeats": args.repeats,
                                          "warmup": WARMUP, "timed": TIMED,
                                          "clusters": args.clusters},
                               "rows": rows})
    print(f"N={n}, d={D}, k={K}, P={P}, prune_k={PRUNE}, median of {args.repeats}, "
          f"{WARMUP}; timed: {TIMED}; {machine_line(machine)}")
    print("| source | order | powers fwd + bwd s | of which the draw s | / own order |\n"
          "|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['source']} | {r['order']} | {r['seconds']:.3f} | {r['draw_s']:.3f} | "
              f"{r['over_own']:.2f}x |")
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
