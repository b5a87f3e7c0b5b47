"""Which faiss index for ``knn="approx"``: time and recall@(k+1) of IVF and HNSW
settings against the exact flat index (and the chunked torch search up to
N = 16384), cosine on normalised features, d = 128, k = 16, one thread.

    python benchmarks/knn_indexes.py 16384 clustered
    python benchmarks/knn_indexes.py 65536 clustered
    python benchmarks/knn_indexes.py 16384 gaussian
    python benchmarks/knn_indexes.py 65536 gaussian --library-only

Last, the library's own searches on the same features: ``approx`` (IVF,
:func:`pyg_fusion.functional._knn.ivf_params`) and ``checked`` (what
``knn="auto"`` does above ``AUTO_EXACT_MAX_NODES``: IVF, then the sampled
recall check, then the exact search if it fails), with the time of the
check-and-fallback over IVF alone and whether the approximate graph was
kept. ``--library-only`` skips the torch, IVF and HNSW grid.

``clustered``: :func:`pyg_fusion.datasets.clustered_features` (seed 0);
``gaussian``: iid N(0, 1) features, the worst case (no structure to index).

    python benchmarks/knn_indexes.py digits --root /tmp/digits

``digits``: recall of ``relation_graph(knn="approx")`` against ``"exact"``
on each standardised view of :class:`pyg_fusion.datasets.MultiFeatureDigits`
(real features, N = 2000).
"""
import argparse
import math
import os
import time

import numpy as np
import torch

from pyg_fusion.datasets import clustered_features


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", help="N, or 'digits'")
    ap.add_argument("features", nargs="?", choices=["clustered", "gaussian"])
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--torch-max", type=int, default=16384,
                    help="time the torch search up to this N")
    ap.add_argument("--root", default="data/digits", help="dataset folder (digits)")
    ap.add_argument("--library-only", action="store_true",
                    help="only the flat index and the library's approx/checked searches")
    args = ap.parse_args()
    if args.n == "digits":
        return digits(args.root, args.k)
    args.n = int(args.n)
    import faiss

    torch.set_num_threads(1)
    old = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # a script, not the library: restored below
    n, k = args.n, args.k
    print(f"N={n} {args.features} load={os.getloadavg()}")
    x = (clustered_features(n) if args.features == "clustered" else
         torch.randn(n, 128, generator=torch.Generator().manual_seed(0)))
    xn = np.ascontiguousarray(torch.nn.functional.normalize(x, dim=-1).numpy())
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(128)
    flat.add(xn)
    _, truth = flat.search(xn, k + 1)
    t_flat = time.perf_counter() - t
    print(f"  flat {t_flat:.3f}s")
    if n <= args.torch_max and not args.library_only:
        t = time.perf_counter()
        xt = torch.from_numpy(xn)
        for s in range(0, n, 512):
            (xt[s:s + 512] @ xt.t()).topk(k + 1, 1)
        t_torch = time.perf_counter() - t
        print(f"  torch {t_torch:.3f}s  torch / flat {t_torch / t_flat:.2f}")
    truth = [set(r) for r in truth]

    def recall(found):
        return np.mean([len(truth[i] & set(found[i])) / (k + 1) for i in range(n)])

    base = 2 ** round(math.log2(math.sqrt(n)))
    for nlist in (base, 2 * base) if not args.library_only else ():
        for nprobe in (4, 8, 16):
            t = time.perf_counter()
            ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(128), 128, nlist,
                                     faiss.METRIC_INNER_PRODUCT)
            ivf.train(xn)
            ivf.add(xn)
            ivf.nprobe = nprobe
            _, found = ivf.search(xn, k + 1)
            print(f"  ivf nlist={nlist} nprobe={nprobe} {time.perf_counter() - t:.3f}s "
                  f"recall {recall(found):.4f}")
    for ef in (32, 64) if not args.library_only else ():
        t = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(128, 16, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 40
        hnsw.hnsw.efSearch = ef
        hnsw.add(xn)
        _, found = hnsw.search(xn, k + 1)
        print(f"  hnsw M=16 efSearch={ef} {time.perf_counter() - t:.3f}s "
              f"recall {recall(found):.4f}")
    library(x, k, t_flat)
    faiss.omp_set_num_threads(old)


def library(x, k: int, t_flat: float):
    from pyg_fusion.functional._knn import faiss_knn

    n = x.size(0)
    times, graphs = {}, {}
    for mode in ("approx", "checked"):
        t = time.perf_counter()
        graphs[mode] = faiss_knn(x, [0, n], k, "cosine", [mode])
        times[mode] = time.perf_counter() - t
    kept = all(torch.equal(a, b) for a, b in zip(graphs["approx"], graphs["checked"]))
    print(f"  library approx {times['approx']:.3f}s  checked {times['checked']:.3f}s "
          f"(checked / approx {times['checked'] / times['approx']:.2f}, checked / flat "
          f"{times['checked'] / t_flat:.2f}) {'kept approx' if kept else 'fell back to exact'}"
          f"  load={os.getloadavg()}")


def digits(root: str, k: int):
    import pyg_fusion.functional as F
    from pyg_fusion.datasets import MultiFeatureDigits
    from pyg_fusion.datasets.digits import VIEWS

    torch.set_num_threads(1)
    data = MultiFeatureDigits(root, standardize=True, log=False)[0]
    print(f"digits load={os.getloadavg()}")
    for view in VIEWS:
        x = data[f"x_{view}"]
        n = x.size(0)
        times, graphs = {}, {}
        for knn in ("exact", "approx"):
            t = time.perf_counter()
            graphs[knn] = F.relation_graph(x, k=k, knn=knn)[0]
            times[knn] = time.perf_counter() - t
        keys = {m: set((g[0] * n + g[1]).tolist()) for m, g in graphs.items()}
        recall = len(keys["exact"] & keys["approx"]) / len(keys["exact"])
        print(f"  {view} {tuple(x.shape)} exact {times['exact']:.3f}s approx "
              f"{times['approx']:.3f}s recall@{k + 1} {recall:.4f}")


if __name__ == "__main__":
    main()
