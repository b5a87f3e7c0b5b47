"""Sparse against dense LEGO: forward + backward time and peak memory against N.

LEGO with M = 2 sources, P = Q = 3, d = 128, kNN k = 16, prune_k = 64
(graph construction included), for N = 32 (a batch of 256 graphs), 256, 1024,
4096, 16384 and 65536; dense only where it fits and ends in reasonable time.
Each configuration runs in its own process (so that its peak memory is its
own: the process's resident memory on the CPU, torch's GPU allocations on
CUDA), one warm-up then the median of ``--repeats`` timed runs; the sparse
backend runs with native torch scatter and, when installed, torch_scatter.
``--json`` is also written after each configuration, with ``incomplete``,
so that a run stopped half-way keeps what it measured.

    python benchmarks/sparse_vs_dense.py --json benchmarks/results/sparse_vs_dense_cpu.json
    python benchmarks/sparse_vs_dense.py --device cuda --json ...gpu.json
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
WARMUP = "one untimed step in each configuration's process before its repeats"


def worker(n: int, batch: int, backend: str, scatter: str, device: str, repeats: int,
           threads: int | None) -> dict:
    """One configuration's row, measured in this process (the script runs it
    in a process of its own), whose threads, scatter backend and random
    generators are restored after it."""
    from _cli import kept_state

    from pyg_fusion._scatter import scatter_backend
    with kept_state(threads), scatter_backend(scatter):
        return _measure(n, batch, backend, scatter, device, repeats)


def _measure(n: int, batch: int, backend: str, scatter: str, device: str,
             repeats: int) -> dict:
    import torch
    from _cli import peak_rss_bytes

    from pyg_fusion.nn import LEGO

    torch.manual_seed(0)
    total = n * batch
    xs = {s: torch.randn(total, 128, device=device) for s in ("a", "b")}
    vec = torch.arange(batch, device=device).repeat_interleave(n)
    model = LEGO({"a": 128, "b": 128}, 3, k=16, prune_k=64, backend=backend).to(device)
    used = model.choose_backend(n)

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    def step():
        for x in xs.values():
            x.requires_grad_(True)
            x.grad = None
        g = model(xs, vec)
        out = g.to_dense() if g.backend == "dense" else g.edge_weight
        out.sum().backward()
        sync()

    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    step()  # warm-up
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if device.startswith("cuda"):
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak = peak_rss_bytes() / 2**20
    return {"N": n, "batch": batch, "backend": backend, "used": used, "scatter": scatter,
            "time_s": statistics.median(times), "times": times,
            "cpu_s": statistics.median(cpu), "threads": torch.get_num_threads(),
            "peak_mem_mb": peak, "status": "ok"}


def run_config(args, n, batch, backend, scatter) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), str(batch), backend,
           scatter, "--device", args.device, "--repeats", str(args.repeats)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"N": n, "batch": batch, "backend": backend, "scatter": scatter, "time_s": None,
                "times": [], "peak_mem_mb": None,
                "status": f"skipped: over the {args.timeout} s limit"}
    if out.returncode != 0:
        err = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"N": n, "batch": batch, "backend": backend, "scatter": scatter, "time_s": None,
                "times": [], "peak_mem_mb": None, "status": f"failed: {err}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def record(args, argv, machine: dict, rows: list[dict], summary: dict | None = None,
           peak: str = "") -> None:
    """``--json``: at the end with the summary, before it after each
    configuration with ``incomplete`` instead, so that a run stopped
    half-way keeps what it measured."""
    from _cli import command_line

    from pyg_fusion._files import write_json
    data = {"command": command_line(__file__, argv), "machine": machine,
            "config": {"M": 2, "P": 3, "Q": 3, "d": 128, "k": 16,
                       "prune_k": 64, "repeats": args.repeats, "warmup": WARMUP,
                       "device": args.device, "threads": args.threads,
                       "peak_mem_mb": f"MiB of {peak}"}}
    if summary is None:
        data["rows"] = rows
        data["incomplete"] = f"{len(rows)} configurations measured: the run did not end"
    else:
        data.update(summary=summary, rows=rows)
    write_json(args.json, data)


def fmt(v, spec="{:.3f}"):
    return "-" if v is None else spec.format(v)


def main(argv=None):
    from _cli import (check_device, check_writable, given, nonneg_int, parser,
                      positive_int, thread_count, units, worker_values)
    p = parser(__file__, __doc__)
    p.add_argument("--sizes", type=units(16), nargs="+",
                   default=[32, 256, 1024, 4096, 16384, 65536])
    p.add_argument("--batch32", type=positive_int, default=256, help="graphs in the N=32 batch")
    p.add_argument("--dense-max", type=nonneg_int, default=4096,
                   help="largest N run on the dense backend (N^2 memory, N^3 time)")
    p.add_argument("--repeats", type=positive_int, default=3)
    p.add_argument("--timeout", type=positive_int, default=900, help="seconds per configuration")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=thread_count, default=None,
                   help="torch threads per run (default: torch's own choice)")
    p.add_argument("--json", default=None, help="write the rows and the machine here")
    p.add_argument("--worker", nargs=4, metavar=("N", "BATCH", "BACKEND", "SCATTER"),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    from _cli import distinct
    distinct(p, args, '--sizes')
    if args.worker:
        n, b, backend, scatter = worker_values(p, args.worker, {
            "N": 1, "BATCH": 1, "BACKEND": ("dense", "sparse", "auto"),
            "SCATTER": ("native", "torch_scatter")})
        from pyg_fusion import _scatter
        if scatter == "torch_scatter" and not _scatter.HAS_TORCH_SCATTER:
            p.error("--worker: SCATTER torch_scatter is not installed here")
        print(json.dumps(worker(n, b, backend, scatter, args.device, args.repeats,
                                args.threads)))
        return 0

    if 32 not in args.sizes and given(p, argv, "batch32"):  # else ignored, silently
        p.error(f"--batch32: the batch of the N = 32 run, which --sizes "
                f"{' '.join(map(str, args.sizes))} has not")
    check_device(p, args.device)
    check_writable(p, args.json)
    from _machine import machine_info, machine_line
    from tqdm import tqdm

    from pyg_fusion._scatter import HAS_TORCH_SCATTER
    scatters = ["native"] + (["torch_scatter"] if HAS_TORCH_SCATTER else [])
    plan = []
    for n in args.sizes:
        batch = args.batch32 if n == 32 else 1
        if n <= args.dense_max:
            plan.append((n, batch, "dense", "native"))
        else:
            plan.append((n, batch, "dense", "skip"))
        for sc in scatters:
            plan.append((n, batch, "sparse", sc))
        if n == 32:
            plan.append((n, batch, "auto", "native"))
    # what the worker measured as its peak: on CUDA torch's allocations, not the process
    peak = ("GPU memory allocated by torch (max_memory_allocated)"
            if args.device.startswith("cuda") else "resident memory of the run's process")
    rows = []
    for n, batch, backend, sc in tqdm(plan, desc="configurations"):
        if sc == "skip":
            rows.append({"N": n, "batch": batch, "backend": backend, "scatter": "native",
                         "time_s": None, "times": [], "peak_mem_mb": None,
                         "status": f"skipped: dense above N={args.dense_max} "
                                   "(N^2 memory, N^3 time per power)"})
            continue
        rows.append(run_config(args, n, batch, backend, sc))
        if args.json and len(rows) < len(plan):
            # the CPU's record: naming the GPU would start CUDA in this
            # process, beside the runs' own, for the rest of the run
            record(args, argv, machine_info(), rows, peak=peak)

    def get(n, backend, sc="native"):
        for r in rows:
            if r["N"] == n and r["backend"] == backend and r["scatter"] == sc:
                return r
        return None

    machine = machine_info(args.device)
    # the runs' threads (each run's process), not this process's
    threads = sorted({r["threads"] for r in rows if r.get("threads")})
    if threads:
        machine["torch_threads"] = threads[0] if len(threads) == 1 else threads
    lines = []  # printed after the JSON: a reader that has left (| head) must not cost it
    lines.append(f"LEGO forward + backward, M=2, P=Q=3, d=128, k=16, prune_k=64, "
                 f"device={args.device}, threads={args.threads or 'default'}, "
                 f"median of {args.repeats}, {WARMUP}; "
                 f"seconds, peak: MiB of {peak}")
    lines.append(machine_line(machine))
    head = ("| N | graphs | dense s | sparse s | sparse s (torch_scatter) | dense / sparse "
            "| dense peak MiB | sparse peak MiB |")
    lines.append(head)
    lines.append("|" + "---|" * 8)
    faster = []  # the sizes where sparse is faster, in the order of --sizes
    for n in args.sizes:
        d, s, t = get(n, "dense"), get(n, "sparse"), get(n, "sparse", "torch_scatter")
        ratio = (d["time_s"] / s["time_s"]) if d and s and d["time_s"] and s["time_s"] else None
        if ratio is not None and ratio > 1:
            faster.append(n)
        lines.append(f"| {n} | {d['batch'] if d else 1} | {fmt(d and d['time_s'])} | "
                     f"{fmt(s and s['time_s'])} | {fmt(t and t['time_s'])} | "
                     f"{fmt(ratio, '{:.1f}x')} | {fmt(d and d['peak_mem_mb'], '{:.0f}')} | "
                     f"{fmt(s and s['peak_mem_mb'], '{:.0f}')} |")
    crossover = min(faster, default=None)
    a, d, s = get(32, "auto"), get(32, "dense"), get(32, "sparse")
    summary = {"crossover_N": crossover}
    if a and d and s and a["time_s"] and d["time_s"] and s["time_s"]:
        best = min(d["time_s"], s["time_s"])
        summary["auto_over_best_at_32"] = a["time_s"] / best
        lines.append(f"\nN=32 x {a['batch']} graphs: auto picked {a.get('used')} in "
                     f"{a['time_s']:.3f} s = {a['time_s'] / best:.2f}x the faster backend")
    lines.append(f"crossover (smallest N where sparse is faster): {crossover}")
    for r in rows:
        if r["status"] != "ok":
            lines.append(f"note: N={r['N']} {r['backend']}/{r['scatter']}: {r['status']}")
    if args.json:
        record(args, argv, machine, rows, summary, peak)
        lines.append(f"wrote {args.json}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
