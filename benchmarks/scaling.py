"""Sparse LEGO against N, stage by stage, with library anchors in the same run.

For each N and each kind of features (``clustered``: a mixture of 64 clusters
on a 16-d subspace plus noise, :func:`pyg_fusion.datasets.clustered_features`,
like real embeddings; ``gaussian``: iid N(0, 1), the worst case of
approximate search), with d = 128, k = 16, P = Q = 3, prune_k = 64, M = 2
sources, one thread, each N in its own process, median of ``--repeats``:

* ``knn_exact`` / ``knn_approx``: ``relation_graph`` of one source (the
  search and the weights), with the recall@k of the approximate graph
  against the exact one;
* ``powers``: ``graph_powers`` of one source, forward without gradient;
* ``scipy``: the same powers with scipy CSR SpGEMM and a per-row top-k
  (numpy ``argpartition`` on a padded table), forward only: the anchor;
* ``fusion``: ``lego_fuse_sparse`` of the two sources' powers;
* ``step_fwd`` / ``step_bwd``: the whole ``LEGO`` step (``knn="approx"``,
  backend sparse), forward with gradient, then backward;
* ``dense_step``: the dense backend's forward + backward (N <= 4096);
* ``bound``: a gather + ``index_add_`` over the N k prune_k entries of one
  product, the memory-bound floor of a product;
* ``copy_gbs``: this machine's copy bandwidth (a 256 MiB ``copy_``).

    python benchmarks/scaling.py --sizes 1024 4096 16384 65536 --json benchmarks/results/scaling_cpu.json
    python benchmarks/scaling.py --plot docs/figures/scaling.png --from-json benchmarks/results/scaling_cpu.json
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

D, K, P, PRUNE = 128, 16, 3, 64
STAGES = ("knn_exact", "knn_approx", "powers", "scipy", "fusion", "step", "dense_step",
          "bound", "copy")


def _features(kind: str, n: int, seed: int):
    import torch
    from pyg_fusion.datasets import clustered_features
    if kind == "clustered":
        return clustered_features(n, D, seed=seed)
    return torch.randn(n, D, generator=torch.Generator().manual_seed(seed))


def _median(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _scipy_powers(edge_index, weight, n):
    """Forward anchor: R^2 .. R^P by scipy CSR products, each pruned to the
    PRUNE largest magnitudes per row (argpartition on a padded table)."""
    import numpy as np
    import scipy.sparse as sp
    a = sp.csr_matrix((weight.numpy(), (edge_index[0].numpy(), edge_index[1].numpy())),
                      shape=(n, n))
    cur = a
    for _ in range(2, P + 1):
        cur = cur @ a
        deg = np.diff(cur.indptr)
        width = int(deg.max())
        if width > PRUNE:
            pos = np.arange(cur.nnz) - np.repeat(cur.indptr[:-1], deg)
            rows = np.repeat(np.arange(n), deg)
            table = np.full((n, width), -1.0)
            table[rows, pos] = np.abs(cur.data)
            top = np.argpartition(-table, PRUNE - 1, axis=1)[:, :PRUNE]
            keep = np.zeros((n, width), dtype=bool)
            np.put_along_axis(keep, top, True, axis=1)
            keep &= table >= 0
            sel = keep[rows, pos]
            cur = sp.csr_matrix((cur.data[sel], cur.indices[sel], np.concatenate(
                [[0], np.cumsum(keep.sum(1))])), shape=(n, n))
    return cur


def worker(n: int, kind: str, stages: list[str], repeats: int, device: str) -> dict:
    import torch

    torch.set_num_threads(1)
    import pyg_fusion.functional as F
    from pyg_fusion.functional.powers import normalize
    from pyg_fusion.nn import LEGO

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    res = {"N": n, "features": kind, "device": device}
    xs = {s: _features(kind, n, seed).to(device) for seed, s in enumerate(("a", "b"))}
    x = xs["a"]

    def timed(name, fn):
        def run():
            out = fn()
            sync()
            return out
        res[name + "_s"], out = _median(run, repeats)
        return out

    exact = None
    if "knn_exact" in stages:
        exact = timed("knn_exact", lambda: F.relation_graph(x, k=K, knn="exact"))
    graph = None
    if "knn_approx" in stages:
        graph = timed("knn_approx", lambda: F.relation_graph(x, k=K, knn="approx"))
        if exact is not None:
            key = lambda ei: set((ei[0] * n + ei[1]).tolist())  # noqa: E731
            res["recall"] = len(key(exact[0]) & key(graph[0])) / exact[0].size(1)
    if graph is None:
        graph = exact if exact is not None else F.relation_graph(x, k=K, knn="auto")
    ei, w = graph[0], graph[1].detach()
    if "powers" in stages:
        with torch.no_grad():
            powers = timed("powers", lambda: F.graph_powers(ei, w, n, P, prune_k=PRUNE))
        res["power_entries"] = powers[0].size(1)
    if "scipy" in stages and device == "cpu":
        w_hat = normalize(ei, w, n, "sym")
        timed("scipy", lambda: _scipy_powers(ei, w_hat, n))
    if "fusion" in stages:
        with torch.no_grad():
            pa = F.graph_powers(ei, w, n, P, prune_k=PRUNE)
            pb = F.graph_powers(*F.relation_graph(xs["b"], k=K, knn="approx"), n, P,
                                prune_k=PRUNE)
            A = torch.randn(P + 1, P + 1, device=device)
            timed("fusion", lambda: F.lego_fuse_sparse(*pa, *pb, A, n))
    if "step" in stages:
        torch.manual_seed(0)
        model = LEGO({"a": D, "b": D}, P, k=K, prune_k=PRUNE, backend="sparse",
                     knn="approx").to(device)
        fwd, bwd = [], []
        for _ in range(repeats):
            inp = {s: v.clone().requires_grad_() for s, v in xs.items()}
            t0 = time.perf_counter()
            g = model(inp)
            sync()
            t1 = time.perf_counter()
            g.edge_weight.sum().backward()
            sync()
            fwd.append(t1 - t0)
            bwd.append(time.perf_counter() - t1)
        res["step_fwd_s"], res["step_bwd_s"] = statistics.median(fwd), statistics.median(bwd)
    if "dense_step" in stages and n <= 4096:
        torch.manual_seed(0)
        model = LEGO({"a": D, "b": D}, P, k=K, prune_k=PRUNE, backend="dense").to(device)

        def dense_step():
            inp = {s: v.clone().requires_grad_() for s, v in xs.items()}
            model(inp).to_dense().sum().backward()
        timed("dense_step", dense_step)
    if "bound" in stages:
        entries = n * K * PRUNE
        val = torch.rand(n * PRUNE, device=device)
        idx = torch.randint(n * PRUNE, (entries, ), generator=None, device=device)
        dst = torch.randint(n * PRUNE, (entries, ), device=device)

        def bound():
            return torch.zeros_like(val).index_add_(0, dst, val.index_select(0, idx))
        timed("bound", bound)
    if "copy" in stages:
        src = torch.ones(1 << 26, device=device)  # 256 MiB of float32
        dst_t = torch.empty_like(src)
        t = timed("copy", lambda: dst_t.copy_(src))
        del t
        res["copy_gbs"] = 2 * src.numel() * 4 / res.pop("copy_s") / 1e9  # read + write
    return res


PLOTTED = (("knn_exact_s", "kNN exact"), ("knn_approx_s", "kNN approx"),
           ("powers_s", "powers fwd"), ("scipy_s", "scipy SpGEMM + top-k"),
           ("fusion_s", "fusion fwd"), ("step_fwd_s", "LEGO step fwd"),
           ("step_bwd_s", "LEGO step bwd"), ("dense_step_s", "dense step"),
           ("bound_s", "gather + index_add bound"))


def plot(json_path: str, out: str):
    """Log-log time against N per stage, with a line of slope 1 (linear
    scaling) through the smallest N of the powers for reference."""
    from matplotlib.figure import Figure  # no pyplot: no global backend state
    with open(json_path) as f:
        rows = [r for r in json.load(f)["rows"] if "status" not in r]
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    for key, label in PLOTTED:
        pts = sorted((r["N"], r[key]) for r in rows if key in r)
        if pts:
            ax.plot(*zip(*pts), marker="o", label=label)
    ref = sorted((r["N"], r["powers_s"]) for r in rows if "powers_s" in r)
    if ref:
        n0, t0 = ref[0]
        ns = [n for n, _ in ref]
        ax.plot(ns, [t0 * n / n0 for n in ns], "k--", lw=1, label="slope 1 (linear)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("N (units per source)")
    ax.set_ylabel("seconds (median of 3, one thread)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1024, 4096, 16384, 65536])
    ap.add_argument("--features", nargs="+", default=["clustered", "gaussian"],
                    choices=["clustered", "gaussian"])
    ap.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", default=None)
    ap.add_argument("--worker", nargs=2, metavar=("N", "FEATURES"), default=None)
    ap.add_argument("--plot", default=None, help="draw --from-json into this PNG and stop")
    ap.add_argument("--from-json", default=None)
    args = ap.parse_args()
    if args.plot:
        plot(args.from_json or args.json, args.plot)
        return
    if args.worker:
        n, kind = int(args.worker[0]), args.worker[1]
        print(json.dumps(worker(n, kind, args.stages, args.repeats, args.device)))
        return
    from _machine import machine_info
    rows = []
    for kind in args.features:
        for n in args.sizes:
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), kind,
                   "--stages", *args.stages, "--repeats", str(args.repeats),
                   "--device", args.device]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode != 0:
                rows.append({"N": n, "features": kind, "status": out.stderr[-400:]})
                print(f"N={n} {kind}: failed\n{out.stderr[-400:]}", flush=True)
                continue
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in row.items()), flush=True)
    if args.json:
        from pyg_fusion.datasets._io import atomic_write
        payload = {"machine": machine_info(), "worker_threads": 1,
                   "load": os.getloadavg(), "rows": rows}
        with atomic_write(args.json, "w") as f:
            json.dump(payload, f, indent=1)


if __name__ == "__main__":
    main()
