"""One size's row of ``benchmarks/scaling.py``, measured in the process
that runs it: the untimed warm-up, each stage's median over the repeats
(alone and, with ``busy``, beside a busy core), its peak memory, and the
clock that waits for the device. ``scaling.py`` runs each size in a process
of its own and reports the rows."""
from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time

from _scaling_references import _sampled_recall, _scipy_powers
from _scaling_workload import D, K, P, PRUNE, _features, step_model

BOUND_CHUNK = 1 << 24
WARMUP_N = 256  # the untimed warm-up's size, in each size's process


@contextlib.contextmanager
def busy_core():
    """A CPU-bound process (a Python busy loop) running for the duration of
    the block, pinned to the last core of this process's affinity set where
    the OS allows it; killed on exit."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(proc.pid, {max(os.sched_getaffinity(0))})
        time.sleep(0.2)  # past the interpreter's start: spinning when timing starts
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _clock(device: str) -> float:
    """``time.perf_counter()`` once the device's queued work is done: CUDA
    runs kernels asynchronously, so a reading taken while a stage's inputs
    (drawn just before it) or an untimed first call still run would count
    them in the first repeat, the only one at the sizes run once."""
    if device.startswith("cuda"):
        import torch
        torch.cuda.synchronize(device)
    return time.perf_counter()


def worker(n: int, kind: str, stages: list[str], repeats: int, device: str, *,
           busy: bool = False, threads: int = 1, exact_max: int = 65536,
           scipy_max: int = 65536, fusion_init: str = "model") -> dict:
    """One size's row, measured in this process (the script runs it in a
    process of its own) on ``threads`` threads, after the untimed warm-up
    of the same stages at N = min(n, ``WARMUP_N``); the threads and the
    random generators are restored after it."""
    import torch
    from _cli import kept_state
    warm = min(n, WARMUP_N)
    options = dict(threads=threads, exact_max=exact_max, scipy_max=scipy_max,
                   fusion_init=fusion_init)
    with kept_state(threads):
        t0 = time.perf_counter()
        _measure(warm, kind, [s for s in stages if s != "copy"], 1, device, busy=False,
                 progress=False, **options)
        if device.startswith("cuda"):  # the size's own peak, not the warm-up's
            torch.cuda.reset_peak_memory_stats(device)
        print(f"  N={n} warm-up at N={warm}: {time.perf_counter() - t0:.2f} s",
              file=sys.stderr, flush=True)
        res = _measure(n, kind, stages, repeats, device, busy=busy, **options)
    return {**res, "warmup_N": warm}


def _measure(n: int, kind: str, stages: list[str], repeats: int, device: str, *,
             busy: bool, threads: int, exact_max: int, scipy_max: int,
             fusion_init: str, progress: bool = True) -> dict:
    import torch
    from _cli import peak_rss_bytes

    import pyg_fusion.functional as F
    from pyg_fusion.functional.powers import normalize
    from pyg_fusion.nn import LEGO

    res = {"N": n, "features": kind, "device": device, "threads": threads}
    xs = {s: _features(kind, n, seed).to(device) for seed, s in enumerate(("a", "b"))}
    x = xs["a"]
    res["base_maxrss_gib"] = peak_rss_bytes() / 2**30

    def measure(name, fn):
        """Median seconds of ``fn`` (a dict of named times, or its own time)
        over the repeats, alone and, with busy, beside the busy process; the
        output of the last call is returned."""
        out, times = None, {}

        def one(suffix):
            nonlocal out
            t0 = _clock(device)
            out = fn()
            end = _clock(device)
            parts = out[1] if isinstance(out, tuple) and isinstance(out[1], dict) else \
                {name: end - t0}
            for key, t in parts.items():
                times.setdefault(key + suffix, []).append(t)
        if busy:
            fn()  # warm-up: the idle repeat, always first, would pay for it
        for _ in range(repeats):
            one("_s")
            if busy:
                with busy_core():
                    one("_busy_s")
        res.update({key: statistics.median(v) for key, v in times.items()})
        res[name + "_maxrss_gib"] = peak_rss_bytes() / 2**30
        gpu = ""
        if device.startswith("cuda"):
            res[name + "_gpu_peak_gib"] = torch.cuda.max_memory_allocated(device) / 2**30
            gpu = f" gpu peak={res[name + '_gpu_peak_gib']:.2f} GiB"
        if not progress:
            return out
        print(f"  N={n} {name}: " + " ".join(f"{k}={statistics.median(v):.4g}"
                                             for k, v in times.items())
              + f" peak={res[name + '_maxrss_gib']:.2f} GiB" + gpu, file=sys.stderr, flush=True)
        return out

    exact = None
    if "knn_exact" in stages and n <= exact_max:
        exact = measure("knn_exact", lambda: F.relation_graph(x, k=K, knn="exact"))
    graph = None
    if "knn_approx" in stages:
        graph = measure("knn_approx", lambda: F.relation_graph(x, k=K, knn="approx"))
        if exact is not None:
            key = lambda ei: set((ei[0] * n + ei[1]).tolist())  # noqa: E731
            res["recall"] = len(key(exact[0]) & key(graph[0])) / exact[0].size(1)
            # the self loop is in both graphs whatever the search found: the
            # recall of the k real neighbours leaves it out
            loops = set((torch.arange(n) * (n + 1)).tolist())
            res["recall_neighbours"] = (len((key(exact[0]) & key(graph[0])) - loops)
                                        / len(key(exact[0]) - loops))
        else:
            res["recall_rows"], res["recall_neighbours_rows"] = _sampled_recall(x, graph[0])
    if graph is None:
        graph = exact if exact is not None else F.relation_graph(x, k=K, knn="auto")
    ei, w = graph[0], graph[1].detach()
    del exact
    if "powers" in stages:
        with torch.no_grad():
            powers = measure("powers", lambda: F.graph_powers(ei, w, n, P, prune_k=PRUNE))
        res["power_entries"] = powers[0].size(1)
        del powers
    if "scipy" in stages and device == "cpu" and n <= scipy_max:
        w_hat = normalize(ei, w, n, "sym")
        measure("scipy", lambda: _scipy_powers(ei, w_hat, n))
    if "fusion" in stages:
        with torch.no_grad():
            pa = F.graph_powers(ei, w, n, P, prune_k=PRUNE)
            pb = F.graph_powers(*F.relation_graph(xs["b"], k=K, knn="approx"), n, P,
                                prune_k=PRUNE)
            A = torch.randn(P + 1, P + 1, device=device)
            measure("fusion", lambda: F.lego_fuse_sparse(*pa, *pb, A, n))
            del pa, pb
    if "step" in stages:
        model = step_model(device, fusion_init)
        res["fusion_init"] = fusion_init

        def step():
            inp = {s: v.clone().requires_grad_() for s, v in xs.items()}
            t0 = _clock(device)
            g = model(inp)
            t1 = _clock(device)
            g.edge_weight.sum().backward()
            return None, {"step_fwd": t1 - t0, "step_bwd": _clock(device) - t1}
        measure("step", step)
        del model
    if "dense_step" in stages and n <= 4096:
        torch.manual_seed(0)
        model = LEGO({"a": D, "b": D}, P, k=K, prune_k=PRUNE, backend="dense").to(device)

        def dense_step():
            inp = {s: v.clone().requires_grad_() for s, v in xs.items()}
            model(inp).to_dense().sum().backward()
        measure("dense_step", dense_step)
    if "bound" in stages:
        entries = n * K * PRUNE
        chunk = min(entries, BOUND_CHUNK)
        val = torch.rand(n * PRUNE, device=device)
        idx = torch.randint(n * PRUNE, (chunk, ), device=device)
        dst = torch.randint(n * PRUNE, (chunk, ), device=device)

        def bound():
            out = torch.zeros_like(val)
            for start in range(0, entries, chunk):
                m = min(chunk, entries - start)
                out.index_add_(0, dst[:m], val.index_select(0, idx[:m]))
            return out
        measure("bound", bound)
    if "copy" in stages:
        src = torch.ones(1 << 26, device=device)  # 256 MiB of float32
        dst_t = torch.empty_like(src)
        dst_t.copy_(src)  # untimed: a first copy pays for the fresh pages, not the bandwidth
        measure("copy", lambda: dst_t.copy_(src))
        res["copy_gbs"] = 2 * src.numel() * 4 / res.pop("copy_s") / 1e9  # read + write
        res.pop("copy_busy_s", None)  # a bandwidth, not a step: not compared
    return res
