"""Would a balanced assignment of the units to the IVF lists of
``knn="approx"`` scan fewer units at the same recall? The lists are unequal
(at N = 262144 their sizes have a standard deviation of half the mean, and a
unit's own list holds 1.24x the mean), and the queries are the units, so the
big lists are probed most often.

Each variant keeps the library's index of the features (``_knn_index._ivf``: the
same lists, centroids and coarse search) and changes only which list a unit
is added to, and for ``power`` which lists a query probes:

* ``nearest``: each unit in the list of its nearest centroid (the library);
  always measured, whatever ``--variants`` says: the baseline of the ratios.
* ``capacity F``: at most ``ceil(F N / nlist)`` units per list; a unit that
  does not fit goes to its next-nearest centroid (among its ``ceil(1.25 x
  the largest nprobe) + 4`` nearest, which may be more lists than a query
  of a smaller nprobe probes; else back to the nearest), the units that
  lose the least similarity by moving first. Written here: faiss has no capacity-limited
  assignment.
* ``penalties A``: faiss's ``contrib.clustering.balanced_assignment_with_penalties``
  (Tavenard et al., CBMI 2011: a penalty per list, raised while the list
  is too big, exponent A, 20 iterations, among each unit's 100 nearest
  centroids); the queries probe their nearest centroids.
* ``power A``: the same penalties, computed here on each unit's candidate
  lists (faiss's function does not return them), and the queries probe the
  lists by the same penalised distance, so that the lists are the cells the
  queries search by (the cells of a power diagram).

Per variant and number of probes: the units scanned per query (the sizes of
the lists it probes, mean over all N queries; ``x ideal``: over ``nprobe N /
nlist``), recall@(k+1) on 2048 evenly spaced rows against a flat search of
them, and the search time per query of 16384 random queries in the order of
their nearest list (as the library searches; median of 3). A query's probes are the first
of its candidate lists (the coarse search with efSearch = the candidates,
for an HNSW coarse search). Cosine (normalised rows), d = 128, k = 16, one
thread, :func:`pyg_fusion.datasets.clustered_features` with the validation
seeds (100 and 101; the benchmarks use 0 and 1).

    python benchmarks/knn_balance.py --sizes 262144 --seeds 100 101 --probes 10 12 14 16 --json benchmarks/results/knn_balance.json
    python benchmarks/knn_balance.py --sizes 1048576 --seeds 100 --probes 28 30 32 34 36 --variants nearest capacity power
"""
import math
import os
import sys
import time

import numpy as np

from pyg_fusion.functional import _knn, _knn_index

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _cli import (add_seeds_argument, check_writable, kept_state, nonneg_float,  # noqa: E402
                  parser, positive_float, positive_int)
from knn_probes import check_probes, need_faiss, recall, validation_truth  # noqa: E402

K, TIMED_QUERIES, REPEATS, PENALTY_ITERS = 16, 16384, 3, 20
WARMUP = "after an untimed search of the recall rows with the same index and probes"


def capacity_assign(cand: np.ndarray, score: np.ndarray, nlist: int, factor: float):
    """Lists from ``cand`` (``[n, c]`` candidate lists, nearest first, -1
    where none) and ``score`` (their similarities): rank by rank, each list
    takes the units that would lose the most by going to their next
    candidate, up to its room; the rest try their next candidate. Returns the
    lists and how many units found no room (they go to their nearest)."""
    n = cand.shape[0]
    assign = np.full(n, -1, dtype=np.int64)
    room = np.full(nlist, math.ceil(factor * n / nlist), dtype=np.int64)
    pending = np.arange(n)
    for r in range(cand.shape[1]):
        lists = cand[pending, r]
        nxt = score[pending, r + 1] if r + 1 < cand.shape[1] else -np.inf
        o = np.lexsort((-(score[pending, r] - nxt), lists))
        o = o[lists[o] >= 0]
        sl = lists[o]
        fits = np.arange(len(sl)) - np.searchsorted(sl, sl, "left") < room[sl]
        assign[pending[o[fits]]] = sl[fits]
        room -= np.bincount(sl[fits], minlength=nlist)
        pending = pending[assign[pending] < 0]
        if len(pending) == 0:
            break
    assign[pending] = cand[pending, 0]
    return assign, len(pending)


def power_cells(cand, score, centroids, nlist: int, alpha: float):
    """faiss's penalty iteration (balanced_assignment_with_penalties) on
    the candidates; returns the candidates and their similarities re-ranked
    by the penalised distance (the first is the unit's list)."""
    d2 = 1 + (centroids ** 2).sum(1)[np.maximum(cand, 0)] - 2 * score  # unit rows
    d2[cand < 0] = np.inf
    pen = np.ones(nlist, dtype=np.float32)
    for _ in range(PENALTY_ITERS):
        pick = (d2 + (pen ** 2)[np.maximum(cand, 0)]).argmin(1)
        sizes = np.bincount(np.take_along_axis(cand, pick[:, None], 1).ravel(), minlength=nlist)
        pen *= (np.maximum(sizes, 1) / (cand.shape[0] / nlist)) ** alpha
    o = np.argsort(d2 + (pen ** 2)[np.maximum(cand, 0)], 1, kind="stable")
    return np.take_along_axis(cand, o, 1), np.take_along_axis(score, o, 1)


def sweep(n: int, seed: int, probes: list[int], variants: list[str], factor: float,
          alpha: float, power_alpha: float) -> list[dict]:
    faiss = _knn.load_faiss()
    x, rows, truth = validation_truth(n, seed, K)
    nlist, library_probes = _knn_index.ivf_params(n)
    index = _knn_index._ivf(faiss, x, "cosine", None, None)
    quantizer = faiss.downcast_index(index.quantizer)
    hnsw = isinstance(quantizer, faiss.IndexHNSWFlat)
    width = min(nlist, math.ceil(1.25 * max(probes)) + 4)
    if hnsw:
        quantizer.hnsw.efSearch = width
    near_score, near = quantizer.search(x, width)
    centroids = (faiss.downcast_index(quantizer.storage) if hnsw else quantizer).reconstruct_n(0, nlist)
    queries = np.random.default_rng(0).choice(n, min(n, TIMED_QUERIES), replace=False)
    queries = queries[np.argsort(near[queries, 0], kind="stable")]
    out = []
    for variant in variants:
        cand, score, left = near, near_score, 0
        t = time.perf_counter()
        if variant == "nearest":
            assign = near[:, 0]
        elif variant == "capacity":
            assign, left = capacity_assign(near, near_score, nlist, factor)
        elif variant == "penalties":
            from faiss.contrib.clustering import balanced_assignment_with_penalties
            assign = balanced_assignment_with_penalties(
                x, centroids, alpha=alpha, num_iter=PENALTY_ITERS, maxk=min(100, nlist))[0]
        else:
            cand, score = power_cells(near, near_score, centroids, nlist, power_alpha)
            assign = cand[:, 0]
        took = time.perf_counter() - t
        assign = np.ascontiguousarray(assign)  # held: faiss reads it through a raw pointer
        sizes = np.bincount(assign, minlength=nlist)
        index.reset()
        index.add_core(n, faiss.swig_ptr(x), None, faiss.swig_ptr(assign))
        for nprobe in probes:
            index.nprobe = nprobe
            scanned = float(sizes[cand[:, :nprobe]].sum(1).mean())

            def search(q):
                return index.search_preassigned(np.ascontiguousarray(x[q]), K + 1,
                                                np.ascontiguousarray(cand[q, :nprobe]),
                                                np.ascontiguousarray(score[q, :nprobe]))[1]
            got = search(rows)
            per_query = []
            for _ in range(REPEATS):
                t = time.perf_counter()
                search(queries)
                per_query.append((time.perf_counter() - t) / len(queries))
            per_query = float(np.median(per_query))
            out.append({"n": n, "seed": seed, "nlist": nlist, "nprobe": nprobe,
                        "variant": variant + {"capacity": f" {factor}", "penalties": f" {alpha}",
                                              "power": f" {power_alpha}"}.get(variant, ""),
                        "library": variant == "nearest" and nprobe == library_probes,
                        "assign_s": round(took, 2), "unplaced": int(left),
                        "size_std_over_mean": round(float(sizes.std() / sizes.mean()), 3),
                        "own_list_over_mean": round(float(sizes[assign].mean() / sizes.mean()), 3),
                        "scanned": round(scanned), "x_ideal": round(scanned * nlist / (nprobe * n), 3),
                        "recall": recall(got, truth),
                        "us_per_query": round(per_query * 1e6, 1), "load": os.getloadavg()[0]})
            print(out[-1], file=sys.stderr, flush=True)  # progress: the table is stdout's
    return out


def main(argv=None):
    ap = parser(__file__, __doc__)
    ap.add_argument("--sizes", type=positive_int, nargs="+", default=[262144])
    add_seeds_argument(ap, [100, 101])
    ap.add_argument("--probes", type=positive_int, nargs="+", default=[10, 12, 14, 16])
    ap.add_argument("--variants", nargs="+", default=["nearest", "capacity", "penalties", "power"],
                    choices=["nearest", "capacity", "penalties", "power"])
    ap.add_argument("--capacity", type=positive_float, default=1.25, help="capacity: F x the mean size")
    ap.add_argument("--alpha", type=nonneg_float, default=0.01, help="penalties: faiss's alpha")
    ap.add_argument("--power-alpha", type=nonneg_float, default=0.003, help="power: the alpha")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from _cli import distinct
    distinct(ap, args, '--sizes', '--probes', '--variants')
    check_probes(ap, args.sizes, args.probes)
    check_writable(ap, args.json)
    # one thread, torch's and faiss's, for the run only
    with kept_state(1, need_faiss("knn_balance.py")):
        _run(args, argv)


def _run(args, argv=None) -> None:
    from _cli import command_line
    from _machine import machine_info, machine_line
    # the library's assignment, whatever --variants says: the baseline of the ratios
    variants = list(dict.fromkeys(["nearest", *args.variants]))
    rows = [r for n in args.sizes for s in args.seeds
            for r in sweep(n, s, args.probes, variants, args.capacity, args.alpha,
                           args.power_alpha)]
    nearest = {(r["n"], r["seed"], r["nprobe"]): r["us_per_query"] for r in rows
               if r["variant"] == "nearest"}
    machine = machine_info()
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from pyg_fusion._files import write_json
        write_json(args.json, {"command": command_line(__file__, argv),
                               "machine": machine, "repeats": REPEATS, "warmup": WARMUP,
                               "rows": rows},
                   indent=1)
    print(f"{machine_line(machine)}; us / query: median of {REPEATS} ({WARMUP}), "
          "/ nearest: against the "
          "library's assignment at the same N, seed and probes, in the same run")
    print("| N | seed | variant | probes | scanned / query (x ideal) | recall@17 | us / query "
          "| / nearest | assignment s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        mark = " (library)" if r["library"] else ""
        base = nearest.get((r["n"], r["seed"], r["nprobe"]))
        ratio = f"{r['us_per_query'] / base:.2f}x" if base else "-"
        print(f"| {r['n']} | {r['seed']} | {r['variant']} | {r['nprobe']}{mark} | {r['scanned']} "
              f"({r['x_ideal']:.3f}) | {r['recall']:.4f} | {r['us_per_query']:.1f} | {ratio} | "
              f"{r['assign_s']:.2f} |")


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
