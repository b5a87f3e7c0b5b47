"""How many IVF lists ``knn="approx"`` must probe at large N: recall@(k+1)
against the number of probes, on validation features.

For each N and seed, :func:`pyg_fusion.datasets.clustered_features` (the
library's settings were chosen with seeds 100 and 101; the benchmarks use 0
and 1), cosine (normalised rows), d = 128, k = 16, one thread. The IVF index
is built as the library builds it on the CPU (``_knn_index._ivf``:
:func:`~pyg_fusion.functional._knn_index.ivf_params` lists, or
``--lists-factor`` times as many; the library's two-level k-means and
coarse quantizer; half-precision lists, or float ones with ``--codes
float``, the ``"dot"`` metric's index on the same normalised rows);
the recall is measured on 2048 evenly spaced rows against a flat search of
those rows, so a size of 2^20 takes minutes, not the hours of a whole exact
graph. The search time per query is measured on 16384 random queries in the
order of their nearest list (as the library searches; median of 3 searches); ``est_search_s`` is
that time N times: the search of a whole graph at that N. The library's
number of probes at each N is measured whatever ``--probes`` says: the
baseline of the table's ratios.

    python benchmarks/knn_probes.py --sizes 262144 1048576 --seeds 100 101 --probes 10 12 14 16 24 28 32 36 --json benchmarks/results/knn_probes.json
"""
import os
import sys
import time

import numpy as np
import torch

from pyg_fusion.datasets import clustered_features
from pyg_fusion.functional import _knn, _knn_index

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
D, RECALL_ROWS, TIMED_QUERIES = 128, 2048, 16384
REPEATS = 3  # timed searches per row: their median
WARMUP = "after an untimed search of the recall rows with the same index and probes"


def validation_truth(n: int, seed: int, k: int):
    """The normalised features ``x`` (float32 ``[n, D]``), the recall rows
    (``RECALL_ROWS`` evenly spaced) and their exact ``k + 1`` neighbours
    (a flat inner-product search of those rows only)."""
    faiss = _knn.load_faiss()
    x = torch.nn.functional.normalize(clustered_features(n, D, seed=seed), dim=-1)
    x = np.ascontiguousarray(x.numpy().astype(np.float32))
    rows = np.arange(RECALL_ROWS, dtype=np.int64) * n // RECALL_ROWS
    flat = faiss.IndexFlatIP(D)
    flat.add(x)
    return x, rows, flat.search(np.ascontiguousarray(x[rows]), k + 1)[1]


def recall(got: np.ndarray, truth: np.ndarray) -> float:
    """The share of the exact neighbours (``truth``, ``[rows, k + 1]``) that
    the search found (``got``, the same shape; -1 where it found fewer).
    Each row's ids are looked up among its found ones in a sorted list of
    ``(row, id)`` keys: memory linear in k (a comparison of every pair is
    ``rows (k + 1)^2``: 8 GiB at k = 2000).

    Not :func:`pyg_fusion.functional.knn_recall`, which measures a whole
    graph on a sample it draws and searches itself: here the index searched
    only the given rows (a graph of all N units would take the hours these
    scripts avoid at N = 2^20), against one exact search reused for every
    number of probes and variant; and the figures recorded are recall@(k+1),
    the unit itself counted, each id matched exactly (knn_recall's recall@k
    also counts a unit tied with the k-th)."""
    width = int(max(got.max(), truth.max())) + 2  # ids shifted by 1: -1 is a key too
    offset = np.arange(len(truth), dtype=np.int64)[:, None] * width
    found = np.sort((offset + got + 1).ravel())
    wanted = (offset + truth + 1).ravel()
    at = np.searchsorted(found, wanted).clip(max=found.size - 1)
    return round(float((found[at] == wanted).sum() / truth.size), 4)


def need_faiss(script: str):
    """The faiss module; exits naming ``script`` when faiss is missing."""
    faiss = _knn.load_faiss()
    if faiss is None:
        sys.exit(f"{script} needs faiss (pip install faiss-cpu)")
    return faiss


def check_probes(parser, sizes: list[int], probes: list[int], lists_factor: int = 1) -> None:
    """Exits through ``parser.error`` when an N of ``sizes`` has no IVF list
    or fewer lists than the largest of ``probes`` (faiss would probe them all,
    under another row's number)."""
    for n in sizes:
        nlist = _knn_index.ivf_params(n)[0] * lists_factor
        if nlist < 1:
            parser.error(f"--sizes: N = {n} has no IVF list (the library makes one per "
                         f"{_knn_index._IVF_POINTS_PER_LIST} units at least)")
        if max(probes) > nlist:
            parser.error(f"--probes: at most the {nlist} lists of N = {n}, got {max(probes)}")


def sweep(n: int, seed: int, probes: list[int], k: int, lists_factor: int,
          codes: str = "fp16") -> list[dict]:
    faiss = _knn.load_faiss()
    x, rows, truth = validation_truth(n, seed, k)
    nlist, library_probes = _knn_index.ivf_params(n)
    nlist *= lists_factor
    # the library's CPU index: fp16 lists for "cosine" (rows normalised: in
    # fp16's range), float lists for "dot" (the same ranking on these rows)
    metric = "cosine" if codes == "fp16" else "dot"
    ivf = _knn_index._ivf(faiss, x, metric, None, None, (nlist, library_probes))
    ivf.add(x)
    quantizer = faiss.downcast_index(ivf.quantizer)
    queries = np.random.default_rng(0).choice(n, min(n, TIMED_QUERIES), replace=False)
    order = np.argsort(ivf.quantizer.assign(x[queries], 1).ravel(), kind="stable")
    timed = np.ascontiguousarray(x[queries][order])
    out = []
    for nprobe in probes:
        ivf.nprobe = nprobe
        if isinstance(quantizer, faiss.IndexHNSWFlat):
            quantizer.hnsw.efSearch = nprobe  # as the library sets it
        got = ivf.search(np.ascontiguousarray(x[rows]), k + 1)[1]
        per_query = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            ivf.search(timed, k + 1)
            per_query.append((time.perf_counter() - t) / len(timed))
        per_query = float(np.median(per_query))
        out.append({"n": n, "seed": seed, "nlist": nlist, "nprobe": nprobe,
                    "codes": codes, "library": (nprobe == library_probes
                                                and lists_factor == 1 and codes == "fp16"),
                    "recall": recall(got, truth),
                    "us_per_query": round(per_query * 1e6, 1),
                    "est_search_s": round(per_query * n, 1)})
        print(out[-1], file=sys.stderr, flush=True)  # progress: the table is stdout's
    return out


def main(argv=None):
    from _cli import add_seeds_argument, check_writable, kept_state, parser, positive_int
    ap = parser(__file__, __doc__)
    ap.add_argument("--sizes", type=positive_int, nargs="+", default=[262144, 1048576])
    add_seeds_argument(ap, [100, 101])
    ap.add_argument("--probes", type=positive_int, nargs="+", default=[6, 8, 9, 10, 12, 16, 20])
    ap.add_argument("--k", type=positive_int, default=16)
    ap.add_argument("--lists-factor", type=positive_int, default=1)
    ap.add_argument("--codes", choices=["fp16", "float"], default="fp16",
                    help="the lists' codes: fp16 (the library's CPU index) or float")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from _cli import distinct
    distinct(ap, args, '--sizes', '--probes')
    check_probes(ap, args.sizes, args.probes, args.lists_factor)
    if args.k >= min(args.sizes):
        ap.error(f"--k: at most N - 1 = {min(args.sizes) - 1} neighbours (N = "
                 f"{min(args.sizes)}: k + 1 with the unit itself), got {args.k}")
    check_writable(ap, args.json)
    # one thread, torch's and faiss's, for the run only
    with kept_state(1, need_faiss("knn_probes.py")):
        _run(args, argv)


def _run(args, argv=None) -> None:
    from _cli import command_line
    from _machine import machine_info, machine_line
    # the library's probes at every N, whatever --probes says: the baseline of the ratios
    probes = {n: sorted(set(args.probes) | {_knn_index.ivf_params(n)[1]}) for n in args.sizes}
    rows = [r for n in args.sizes for s in args.seeds
            for r in sweep(n, s, probes[n], args.k, args.lists_factor, args.codes)]
    seeds = ", ".join(map(str, args.seeds))
    machine = machine_info()
    lines = [f"{machine_line(machine)}; us / query: median of {REPEATS} searches per seed "
             f"({WARMUP}), then over the seeds; / library: "
             "against the library's probes at the same N and lists, in the same run",
             f"| N | lists | probes | recall@{args.k + 1} (seeds {seeds}) | us / query "
             "| / library |", "|---|---|---|---|---|---|"]
    us = {}
    for (n, nlist, nprobe) in sorted({(r["n"], r["nlist"], r["nprobe"]) for r in rows}):
        same = [r for r in rows if (r["n"], r["nlist"], r["nprobe"]) == (n, nlist, nprobe)]
        us[n, nlist, nprobe] = (float(np.median([r["us_per_query"] for r in same])),
                                same)
    library = {(n, nlist): t for (n, nlist, nprobe), (t, _) in us.items()
               if nprobe == _knn_index.ivf_params(n)[1]}
    for (n, nlist, nprobe), (t, same) in us.items():
        mark = " (library)" if same[0]["library"] else ""
        base = library.get((n, nlist))
        lines.append(f"| {n} | {nlist} | {nprobe}{mark} | "
                     + " / ".join(f"{r['recall']:.4f}" for r in same)
                     + f" | {t:.1f} | {f'{t / base:.2f}x' if base else '-'} |")
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from pyg_fusion._files import write_json
        write_json(args.json, {"command": command_line(__file__, argv),
                               "machine": machine, "load": os.getloadavg(),
                               "repeats": REPEATS, "warmup": WARMUP, "rows": rows},
                   indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
