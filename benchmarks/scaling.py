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
  backend sparse), forward with gradient, then backward. A freshly built
  ``LEGO``'s fusion weights reach powers 0 and 1 only, so no gradient reaches
  the products of the powers; ``--fusion-init random`` draws the fusion
  weights from N(0, 1) (seed 1), as after training, so that it does;
* ``dense_step``: the dense backend's forward + backward (N <= 4096);
* ``bound``: a gather + ``index_add_`` over the N k prune_k entries of one
  product, the memory-bound floor of a product;
* ``copy_gbs``: this machine's copy bandwidth (a 256 MiB ``copy_``).

Each row also records ``<stage>_maxrss_gib``: the peak resident memory of
the size's process (``resource.getrusage``) after that stage, stages running
in the order above (so a stage's figure includes the earlier stages' peaks);
on CUDA also ``<stage>_gpu_peak_gib`` (``torch.cuda.max_memory_allocated``).
Large N: ``knn_exact`` runs up to ``--exact-max`` (above it, the recall is
that of :func:`pyg_fusion.functional.knn_recall` on ``RECALL_ROWS`` = 2048
sampled units: ``recall_rows``, ``recall_neighbours_rows``), ``scipy`` up to ``--scipy-max`` (65536: at N = 262144
its padded top-k tables passed 17 GiB), ``dense_step`` up to N = 4096; ``bound``
runs the N k prune_k entries in chunks of 2^24 (one random chunk of indices,
reused), so its memory stays bounded.

Warm-up: before its measured stages, each size's process runs the same
stages once, untimed, at N = min(N, ``WARMUP_N`` = 256) (``copy`` left out:
it has its own untimed first copy), so that the one-off costs of a
process (the lazy imports, faiss's and torch's thread pools, the
allocators' first arenas, CUDA's context and first kernels) do not fall
on the first repeat: with ``--repeats 1``, as the largest sizes run, that
repeat is the figure, and with 2 the median would be the mean of a cold
and a warm run. A warm-up at full size would double the cost of those
sizes; the first call's costs that grow with N (fresh pages of the
size's first allocations) stay in the measured repeats, as a single run
at that size pays them. The rows record ``warmup_N``; the GPU's peak is
counted from the end of the warm-up. Its peak resident memory, below the
size's own, is in the process's (``<stage>_maxrss_gib``), as are the
imports it made.

``--busy``: every measured repeat runs twice, first alone, then while a
CPU-bound process (a Python busy loop, pinned to the last core of this
process's affinity set where the OS allows) runs beside it; the busy process
is started before and killed after each busy repeat. One untimed call at
full size also precedes them (the idle repeat, always first, would
otherwise pay the size's first-call costs that its busy twin does not).
``<stage>_busy_s`` is the median of the busy repeats; the table shows
busy / idle per stage.

At the end a table: median seconds per stage and N, with the ratios to the
anchors measured in the same run (powers / scipy, step / bound, dense step /
sparse step, busy / idle). ``--json`` is written after each size too, with
``incomplete`` (the sizes measured of those asked), so that a run stopped
half-way (Ctrl-C, ``timeout``) keeps the sizes it measured; the last write,
at the end, has no ``incomplete``.

    python benchmarks/scaling.py --sizes 1024 4096 16384 65536 --json benchmarks/results/scaling_cpu.json
    python benchmarks/scaling.py --sizes 16384 65536 --features clustered --stages step --busy
    python benchmarks/scaling.py --sizes 262144 --features clustered --stages knn_approx powers fusion bound copy --repeats 1
    python benchmarks/scaling.py --plot docs/figures/scaling.png --from-json benchmarks/results/scaling_cpu.json
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _scaling_report import plot, table  # noqa: E402
from _scaling_references import _sampled_recall, _scipy_powers  # noqa: E402
from _scaling_workload import D, K, P, PRUNE, _features, step_model  # noqa: E402

BOUND_CHUNK = 1 << 24
WARMUP_N = 256  # the untimed warm-up's size, in each size's process
STAGES = ("knn_exact", "knn_approx", "powers", "scipy", "fusion", "step", "dense_step",
          "bound", "copy")


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


def main(argv=None):
    from _cli import (check_device, check_writable, command_line, given, nonneg_int, parser,
                      positive_int, read_json, refuse_unread, thread_count, units,
                      worker_values)
    ap = parser(__file__, __doc__)
    ap.add_argument("--sizes", type=units(K), nargs="+", default=[1024, 4096, 16384, 65536])
    ap.add_argument("--features", nargs="+", default=["clustered", "gaussian"],
                    choices=["clustered", "gaussian"])
    ap.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    ap.add_argument("--repeats", type=positive_int, default=3)
    ap.add_argument("--threads", type=thread_count, default=1, help="torch (and faiss) threads")
    ap.add_argument("--busy", action="store_true",
                    help="time each repeat alone, then beside a busy process on one core")
    ap.add_argument("--exact-max", type=nonneg_int, default=65536,
                    help="largest N of the exact kNN stage")
    ap.add_argument("--scipy-max", type=nonneg_int, default=65536,
                    help="largest N of the scipy anchor")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--fusion-init", default="model", choices=["model", "random"],
                    help="step: the fusion weights as built, or drawn from N(0, 1)")
    ap.add_argument("--json", default=None, help="write the rows, the machine and the settings")
    # internal: one size's process, started by this script (not a user's flag)
    ap.add_argument("--worker", nargs=2, metavar=("N", "FEATURES"), default=None,
                    help=argparse.SUPPRESS)
    ap.add_argument("--plot", default=None, help="draw --from-json into this PNG and stop")
    ap.add_argument("--from-json", default=None, help="the run's JSON that --plot draws")
    args = ap.parse_args(argv)
    from _cli import distinct
    distinct(ap, args, '--sizes', '--features', '--stages')
    if args.from_json is not None and args.plot is None:  # else a new run of every size
        ap.error(f"--from-json {args.from_json}: read by --plot only (give --plot FILE.png); "
                 f"without --plot the benchmark runs anew")
    if args.plot is not None:  # --plot "" (an unset variable) ran the benchmark instead
        # the drawing reads the JSON alone: --sizes 1024 drew every size of it, silently
        # --json is a run's output: it was also --plot's input where --from-json
        # was not given, and ignored where it was
        refuse_unread(ap, argv, "--plot", "which draws every row of --from-json",
                      "plot", "from_json")
        source = args.from_json
        if source is None:
            ap.error("--plot draws a run's JSON: give it with --from-json FILE")
        read_json(ap, source, "--from-json")  # a folder was "no such file"
        check_writable(ap, args.plot, "--plot")
        try:
            plot(source, args.plot)
        except (ValueError, KeyError, TypeError) as exc:  # not a JSON of this script
            ap.error(f"--from-json {source}: not a scaling.py JSON ({type(exc).__name__}: "
                     f"{exc})")
        print(f"wrote {args.plot}")
        return
    if args.worker:
        n, kind = worker_values(ap, args.worker, {"N": K + 1,
                                                  "FEATURES": ("clustered", "gaussian")})
        print(json.dumps(worker(n, kind, args.stages, args.repeats, args.device,
                                busy=args.busy, threads=args.threads,
                                exact_max=args.exact_max, scipy_max=args.scipy_max,
                                fusion_init=args.fusion_init)))
        return
    # a stage's option without its stage was ignored, silently (the workers get them all)
    stage_of = {"exact_max": "knn_exact", "scipy_max": "scipy", "fusion_init": "step"}
    for dest in given(ap, argv, *stage_of):
        if stage_of[dest] not in args.stages:
            ap.error(f"--{dest.replace('_', '-')}: an option of the {stage_of[dest]} stage, "
                     f"which --stages {' '.join(args.stages)} has not")
    check_device(ap, args.device)
    check_writable(ap, args.json)
    from _machine import machine_info, machine_line
    rows = []
    load_start = os.getloadavg()
    warmup = (f"each size's process warmed up untimed by its stages once at N = min(N, "
              f"{WARMUP_N})" + (", then once at N" if args.busy else ""))
    asked = len(args.features) * len(args.sizes)

    def record(machine, incomplete: bool) -> None:
        from pyg_fusion._files import write_json
        data = {"command": command_line(__file__, argv), "machine": machine,
                "worker_threads": args.threads, "repeats": args.repeats,
                "stages": args.stages, "busy": args.busy, "warmup": warmup,
                "load_start": load_start, "load": os.getloadavg(), "rows": rows}
        if incomplete:
            data["incomplete"] = f"{len(rows)} of {asked} sizes measured: the run did not end"
        write_json(args.json, data)
    # progress on stderr, as the workers' own: stdout is the table's, which a
    # reader that has left (| head) must not cut the run short for
    print(f"load at start {load_start}", file=sys.stderr, flush=True)
    for kind in args.features:
        for n in args.sizes:
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), kind,
                   "--stages", *args.stages, "--repeats", str(args.repeats),
                   "--device", args.device, "--threads", str(args.threads),
                   "--exact-max", str(args.exact_max), "--scipy-max", str(args.scipy_max),
                   "--fusion-init", args.fusion_init]
            cmd += ["--busy"] if args.busy else []
            # the worker's progress (stderr) shows as it runs
            out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
            if out.returncode != 0:
                rows.append({"N": n, "features": kind,
                             "status": f"failed (exit code {out.returncode})"})
                print(f"N={n} {kind}: failed (exit code {out.returncode})", file=sys.stderr,
                      flush=True)
            else:
                row = json.loads(out.stdout.strip().splitlines()[-1])
                row["load"] = os.getloadavg()
                rows.append(row)
                print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                               for k, v in row.items()), file=sys.stderr, flush=True)
            if args.json and len(rows) < asked:
                # the CPU's record: naming the GPU would start CUDA in this
                # process, beside the workers, for the rest of the run
                record({**machine_info(), "torch_threads": args.threads}, True)
    print(f"load at end {os.getloadavg()}\n", file=sys.stderr)
    machine = machine_info(args.device)
    machine["torch_threads"] = args.threads  # the workers', not this process's
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        record(machine, False)
    print(f"{machine_line(machine)}; seconds, median of {args.repeats} "
          f"(copy: GB/s; peak: GiB of resident memory); {warmup}")
    print(table(rows))


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
