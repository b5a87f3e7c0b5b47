"""Which faiss index for ``knn="approx"``, with which settings: time (wall and
CPU) and recall@(k+1) of IVF, IVF with scalar-quantised lists (8-bit, fp16,
bf16), IVF with 4-bit product codes and exact re-ranking, and HNSW against the exact
flat index, and the flat index against the chunked torch search, in one run
(the recall of each against the flat index's neighbours, the two exact
searches' included); cosine on normalised features, d = 128, k = 16, one thread.

The whole set is measured ``--repeats`` times (default 3), one line per
measurement as it runs (on stderr), then a table of the medians with each row's time over
the exact flat index's, the baseline measured in the same runs;
``--repeats 1`` is one run.

    python benchmarks/knn_indexes.py 65536 clustered
    python benchmarks/knn_indexes.py 65536 clustered --repeats 1   # one run
    python benchmarks/knn_indexes.py 65536 clustered --seed 100   # validation features
    python benchmarks/knn_indexes.py 16384 gaussian
    python benchmarks/knn_indexes.py 65536 gaussian --library-only
    python benchmarks/knn_indexes.py 65536 clustered --json benchmarks/results/knn_indexes.json

IVF rows split the time into k-means training, adding and searching; they
search the queries in the order of their nearest list, as the library does
(one row without that order shows what it saves), with a flat coarse
quantizer and faiss's single-level k-means
(:data:`~pyg_fusion.functional._knn_index.IVF_NITER` iterations on at most
:data:`~pyg_fusion.functional._knn_index.IVF_TRAIN_POINTS_PER_LIST` points per list,
the library's previous training; one row with faiss's defaults, 25
iterations on up to 256 points per list). The grid's lists are
:func:`~pyg_fusion.functional._knn_index.ivf_params`'s and half and twice as many.

Last, the library's own searches on the same features: ``approx`` (IVF,
:func:`pyg_fusion.functional._knn_index.ivf_params`) and ``checked`` (what
``knn="auto"`` does above ``AUTO_EXACT_MAX_NODES``: IVF, then the sampled
recall check, then the exact search if it fails), with the time of the
check-and-fallback over IVF alone and whether the approximate graph was
kept; and the previous rule (about sqrt(N) lists, faiss's single-level
k-means, a flat coarse quantizer) with its time and recall, as a baseline in
the same run. ``--library-only`` skips the torch, IVF and HNSW grid.

``clustered``: :func:`pyg_fusion.datasets.clustered_features` (``--seed``,
default 0, the seed of the benchmarks; the library's settings were chosen
with seeds 100 and 101); ``gaussian``: iid N(0, 1) features, the worst case
(no structure to index).

    python benchmarks/knn_indexes.py digits --root /tmp/digits

``digits``: recall of ``relation_graph(knn="approx")`` against ``"exact"``
on each view of :class:`pyg_fusion.datasets.MultiFeatureDigits`, on the
held-out half (the second 1000 units of a fixed permutation, seed 0; the
settings were chosen on the first half) and on all 2000 units, each part
standardised on its own; its table's ratio is the approximate search's time
over the exact one's. ``--seed``, ``--torch-max`` and ``--library-only`` are
flags of the N runs and ``--root`` of digits: the other mode refuses them.

``--json PATH``: every row of the table (``rows``: the index or the view, the
medians of its seconds, CPU seconds and recall, the ratio, and each run's
values in ``runs``), with the command, the machine and the settings of the
run (``repeats`` among them).
"""
import math
import os
import sys
import time

import numpy as np
import torch

from pyg_fusion.datasets import clustered_features
from pyg_fusion.functional import _knn, _knn_index

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _knn_indexes_report import medians, table  # noqa: E402
from knn_probes import recall as _recall  # noqa: E402

WARMUP = "no warm-up run: the first run's one-off costs (faiss's first calls) are in its times"


def _timed(fn):
    c, t = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def _progress(*text) -> None:  # on stderr: a reader of the table that left ends no run
    print(*text, file=sys.stderr, flush=True)


def main(argv=None):
    from _cli import (check_writable, given, kept_state, nonneg_int, parser, positive_int,
                      seed_int)
    ap = parser(__file__, __doc__)
    ap.add_argument("n", help="N, or 'digits'")
    ap.add_argument("features", nargs="?", choices=["clustered", "gaussian"])
    ap.add_argument("--k", type=positive_int, default=16)
    ap.add_argument("--seed", type=seed_int, default=0)
    ap.add_argument("--torch-max", type=nonneg_int, default=65536,
                    help="time the torch search up to this N")
    # under runs/ (gitignored), as shared_support.py's: data/digits, run from
    # the repository, left an untracked dataset cache in it
    ap.add_argument("--root", default="runs/data/digits", help="dataset folder (digits)")
    ap.add_argument("--library-only", action="store_true",
                    help="only the flat index and the library's approx/checked searches")
    ap.add_argument("--repeats", type=positive_int, default=3,
                    help="runs of the whole set; the table holds their medians")
    ap.add_argument("--json", default=None, help="write the rows, the machine and the settings")
    args = ap.parse_args(argv)
    if args.n != "digits":
        try:
            args.n = int(args.n)
        except ValueError:
            ap.error(f"n: expected a number of units or 'digits', got {args.n!r}")
        if args.n < 40:  # the IVF grid's lists: at most n // 39, at least 1
            ap.error(f"n: expected at least 40 units, got {args.n}")
        if args.features is None:
            ap.error("features: clustered or gaussian")
    elif args.features is not None:  # digits has its own views: 'digits gaussian' measured them
        ap.error(f"features: digits has its own features, got {args.features!r} (give "
                 f"N clustered or N gaussian, or digits alone)")
    # a flag of the other mode was read by nothing, and the run said nothing of it
    unread = (("seed", "torch_max", "library_only") if args.n == "digits" else ("root", ))
    for dest in given(ap, argv, *unread):
        ap.error(f"--{dest.replace('_', '-')}: not read with n = {args.n} (it is a flag of "
                 f"{'N clustered or N gaussian' if args.n == 'digits' else 'digits'})")
    if args.library_only and given(ap, argv, "torch_max"):  # the torch search is skipped
        ap.error("--torch-max: not read with --library-only (which skips the torch search)")
    if args.n != "digits" and args.k >= args.n:
        ap.error(f"--k: at most N - 1 = {args.n - 1} neighbours (k + 1 with the unit "
                 f"itself), got {args.k}")
    check_writable(ap, args.json)
    # without faiss, knn="approx" searches exactly: every recall would read 1
    faiss = _knn.load_faiss()
    if faiss is None:
        sys.exit("knn_indexes.py needs faiss (pip install faiss-cpu)")
    from _machine import machine_info, machine_line
    runs = []
    with kept_state(1, faiss):  # one thread, torch's and faiss's, for the run only
        for r in range(args.repeats):
            if args.repeats > 1:
                _progress(f"run {r + 1}/{args.repeats}")
            runs.append([])
            if args.n == "digits":
                digits(args.root, args.k, runs[-1])
            else:
                _grid(args, runs[-1])
        machine = machine_info()
    rows = medians(runs)
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from _cli import command_line

        from pyg_fusion._files import write_json
        keys = ("root", ) if args.n == "digits" else ("features", "seed", "torch_max",
                                                        "library_only")
        config = {key: getattr(args, key) for key in ("n", "k", *keys, "repeats")}
        write_json(args.json, {"command": command_line(__file__, argv), "machine": machine,
                               "config": config, "warmup": WARMUP, "rows": rows})
    print(f"{machine_line(machine)}; {WARMUP}")
    table(rows, args.k, args.repeats)
    return 0


def _grid(args, rows: list) -> None:
    """Times the indexes on N = ``args.n`` features; appends a row per line printed."""
    import faiss

    n, k = args.n, args.k
    _progress(f"N={n} {args.features} seed={args.seed} load={os.getloadavg()}")
    x = (clustered_features(n, seed=args.seed) if args.features == "clustered" else
         torch.randn(n, 128, generator=torch.Generator().manual_seed(args.seed)))
    xn = np.ascontiguousarray(torch.nn.functional.normalize(x, dim=-1).numpy())
    flat = faiss.IndexFlatIP(128)
    flat.add(xn)
    (_, truth), t_flat, c_flat = _timed(lambda: flat.search(xn, k + 1))

    def recall(found):
        return _recall(found, truth)
    # the reference of every recall: its own, 1, measured as the others' are
    rows.append({"index": "flat", "seconds": t_flat, "cpu_s": c_flat, "recall": recall(truth)})
    _progress(f"  flat {t_flat:.3f}s (cpu {c_flat:.3f}s) recall {rows[-1]['recall']:.4f}")
    if n <= args.torch_max and not args.library_only:
        xt = torch.from_numpy(xn)

        def torch_search():
            found = torch.empty(n, k + 1, dtype=torch.long)
            for s in range(0, n, 512):
                found[s:s + 512] = (xt[s:s + 512] @ xt.t()).topk(k + 1, 1).indices
            return found.numpy()
        found, t_torch, c_torch = _timed(torch_search)
        rows.append({"index": "torch", "seconds": t_torch, "cpu_s": c_torch,
                     "recall": recall(found)})
        _progress(f"  torch {t_torch:.3f}s (cpu {c_torch:.3f}s)  torch / flat "
                  f"{t_torch / t_flat:.2f} recall {rows[-1]['recall']:.4f}")

    def ivf_of(index):
        # faiss 1.7's extract_index_ivf does not look through a refine index
        index = faiss.downcast_index(index)
        return faiss.extract_index_ivf(getattr(index, "base_index", index))

    def run(label, index, nprobe=None, order=True):
        _, t_train, c_train = _timed(lambda: index.train(xn))
        _, t_add, c_add = _timed(lambda: index.add(xn))
        if nprobe is not None:
            ivf_of(index).nprobe = nprobe

        def search():
            if not order:
                return index.search(xn, k + 1)[1]
            ivf = ivf_of(index)
            perm = np.argsort(ivf.quantizer.assign(xn, 1).ravel(), kind="stable")
            found = np.empty((n, k + 1), dtype=np.int64)
            found[perm] = index.search(xn[perm], k + 1)[1]
            return found
        found, t_search, c_search = _timed(search)
        total, cpu = t_train + t_add + t_search, c_train + c_add + c_search
        rows.append({"index": label, "train_s": t_train, "add_s": t_add, "search_s": t_search,
                     "seconds": total, "cpu_s": cpu, "recall": recall(found)})
        _progress(f"  {label}: train {t_train:.3f}s add {t_add:.3f}s search {t_search:.3f}s "
                  f"total {total:.3f}s (cpu {cpu:.3f}s) recall {rows[-1]['recall']:.4f}")

    def ivf(nlist, niter=_knn_index.IVF_NITER, points=_knn_index.IVF_TRAIN_POINTS_PER_LIST,
            codes=None):
        q = faiss.IndexFlatIP(128)
        if codes is not None:  # "8bit", "fp16" or "bf16": faiss.ScalarQuantizer.QT_<codes>
            qtype = getattr(faiss.ScalarQuantizer, f"QT_{codes}")
            index = faiss.IndexIVFScalarQuantizer(q, 128, nlist, qtype, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexIVFFlat(q, 128, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.niter, index.cp.max_points_per_centroid = niter, points
        return index

    base, nprobe = _knn_index.ivf_params(n)
    if not args.library_only:
        for nlist in sorted({min(m, n // 39) for m in (base // 2, base, 2 * base)}):
            for probes in (4, nprobe, 8):
                run(f"ivf nlist={nlist} nprobe={probes}", ivf(nlist), probes)
        run(f"ivf nlist={base} nprobe={nprobe} queries unsorted", ivf(base), nprobe, False)
        run(f"ivf nlist={base} nprobe={nprobe} faiss's training (25 it., 256/list)",
            ivf(base, 25, 256), nprobe)
        # bf16 codes came with faiss 1.8: an older faiss measures the other two
        for codes in [c for c in ("8bit", "fp16", "bf16")
                      if hasattr(faiss.ScalarQuantizer, f"QT_{c}")]:
            run(f"ivf-sq {codes} nlist={base} nprobe={nprobe}", ivf(base, codes=codes), nprobe)
        refine = faiss.IndexRefineFlat(ivf(base, codes="8bit"))
        refine.k_factor = 2
        run(f"ivf-sq 8bit nlist={base} nprobe={nprobe} + exact refine of 2k", refine, nprobe)
        # 4-bit product codes scanned with SIMD lookups (faiss's "fast scan"), the
        # k_factor (k + 1) best re-ranked exactly.
        for k_factor in (2, 8):
            fast = faiss.index_factory(128, f"IVF{base},PQ32x4fs,RFlat", faiss.METRIC_INNER_PRODUCT)
            coarse = ivf_of(fast)
            coarse.cp.niter = _knn_index.IVF_NITER
            coarse.cp.max_points_per_centroid = _knn_index.IVF_TRAIN_POINTS_PER_LIST
            fast.k_factor = k_factor
            run(f"ivf-pq 32x4 fast scan nlist={base} nprobe={nprobe} + exact refine of "
                f"{k_factor}k", fast, nprobe)
        for m, ef in ((16, 16), (16, 32), (32, 32)):
            hnsw = faiss.IndexHNSWFlat(128, m, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction, hnsw.hnsw.efSearch = 40, ef
            run(f"hnsw M={m} efConstruction=40 efSearch={ef}", hnsw, order=False)
    library(x, k, t_flat, rows, truth)


def library(x, k: int, t_flat: float, rows: list, truth=None) -> None:
    n = x.size(0)
    times, graphs = {}, {}
    for mode in ("approx", "checked"):
        t = time.perf_counter()
        graphs[mode] = _knn.faiss_knn(x, [0, n], k, "cosine", [mode])
        times[mode] = time.perf_counter() - t
    kept = all(torch.equal(a, b) for a, b in zip(graphs["approx"], graphs["checked"]))
    _progress(f"  library approx {_knn_index.ivf_params(n)} {times['approx']:.3f}s  checked "
              f"{times['checked']:.3f}s (checked / approx {times['checked'] / times['approx']:.2f},"
              f" approx / flat {times['approx'] / t_flat:.2f}) "
              f"{'kept approx' if kept else 'fell back to exact'}  load={os.getloadavg()}")
    nlist, nprobe = _knn_index.ivf_params(n)
    rows.append({"index": "library approx", "nlist": nlist, "nprobe": nprobe,
                 "seconds": times["approx"]})
    rows.append({"index": "library checked", "seconds": times["checked"], "kept_approx": kept})
    previous(x, k, rows, truth)


def previous(x, k: int, rows: list, truth=None) -> None:
    """The rule before lists of constant size, in the same run: about
    sqrt(N) lists (the nearest power of two, at most N / 39), 6 probes up to
    256 lists and ceil(6 sqrt(nlist / 256)) above, faiss's single-level
    k-means (10 iterations on at most 64 points per list), a flat coarse
    quantizer, fp16 lists, queries in the order of their nearest list."""
    import faiss
    n = x.size(0)
    xn = np.ascontiguousarray(torch.nn.functional.normalize(x, dim=-1).numpy())

    def recall(found):
        return None if truth is None else _recall(found, truth)

    def shown(value):
        return "" if value is None else f" recall {value:.4f}"
    # the library's index through the same calls (no tensor conversions)
    t = time.perf_counter()
    found = _knn._search(_knn_index._ivf(faiss, xn, "cosine", None, None), xn, k)
    t_library = time.perf_counter() - t
    rows.append({"index": "library index, faiss calls only", "seconds": t_library,
                 "recall": recall(found)})
    _progress(f"  library index {_knn_index.ivf_params(n)}, faiss calls only {t_library:.3f}s"
              f"{shown(rows[-1]['recall'])}")
    nlist = min(2 ** round(math.log2(math.sqrt(n))), n // 39)
    nprobe = min(nlist, max(6, math.ceil(6 * math.sqrt(nlist / 256))))
    t = time.perf_counter()
    index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(x.size(1)), x.size(1), nlist,
                                          faiss.ScalarQuantizer.QT_fp16,
                                          faiss.METRIC_INNER_PRODUCT)
    index.nprobe, index.cp.niter, index.cp.max_points_per_centroid = nprobe, 10, 64
    index.train(xn)
    index.add(xn)
    order = np.argsort(index.quantizer.assign(xn, 1).ravel(), kind="stable")
    found = np.empty((n, k + 1), dtype=np.int64)
    found[order] = index.search(xn[order], k + 1)[1]
    took = time.perf_counter() - t
    rows.append({"index": "previous rule, faiss calls only", "nlist": nlist, "nprobe": nprobe,
                 "seconds": took, "recall": recall(found)})
    _progress(f"  previous rule ({nlist}, {nprobe}), faiss calls only {took:.3f}s"
              f"{shown(rows[-1]['recall'])} (library / previous {t_library / took:.2f})  "
              f"load={os.getloadavg()}")


def digits(root: str, k: int, rows: list) -> None:
    """The recall of ``knn="approx"`` on each view of the digits; appends a
    row per line printed."""
    import pyg_fusion.functional as F
    from pyg_fusion.datasets import MultiFeatureDigits
    from pyg_fusion.datasets.digits import VIEWS

    data = MultiFeatureDigits(root, standardize=False, log=False)[0]
    total = data[f"x_{VIEWS[0]}"].size(0)
    perm = torch.randperm(total, generator=torch.Generator().manual_seed(0))
    parts = {"held-out half": perm[total // 2:], "all": torch.arange(total)}
    _progress(f"digits load={os.getloadavg()}")
    for name, part in parts.items():
        for view in VIEWS:
            x = data[f"x_{view}"][part]
            x = (x - x.mean(0)) / x.std(0).clamp_min(1e-12)
            n = x.size(0)
            times, keys = {}, {}
            for knn in ("exact", "approx"):
                t = time.perf_counter()
                ei = F.relation_graph(x, k=k, knn=knn)[0]
                times[knn] = time.perf_counter() - t
                keys[knn] = set((ei[0] * n + ei[1]).tolist())
            recall = len(keys["exact"] & keys["approx"]) / len(keys["exact"])
            rows.append({"part": name, "view": view, "n": n, "d": x.size(1),
                         "ivf": list(_knn_index.ivf_params(n)), "exact_s": times["exact"],
                         "approx_s": times["approx"], "recall": recall})
            _progress(f"  {name} {view} {tuple(x.shape)} ivf {_knn_index.ivf_params(n)} exact "
                  f"{times['exact']:.3f}s approx {times['approx']:.3f}s "
                  f"recall@{k + 1} {recall:.4f}")


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
