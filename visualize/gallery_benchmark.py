"""Gallery step on the sparse and dense backends: the benchmark's JSON when
present, else a quick in-process timing (see ``gallery.py``)."""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the script's module is __main__; importing it would run it again
    from gallery import Gallery

import torch
from tqdm import tqdm

from pyg_fusion._files import write_json
from pyg_fusion import visualize as V
from pyg_fusion.nn import LEGO

ROOT = Path(__file__).resolve().parent.parent


def quick_timing(sizes, repeats: int = 3) -> dict:
    rows = []
    plan = [(n, b) for n in sizes for b in ("dense", "sparse")]
    for n, backend in tqdm(plan, desc="sparse vs dense timing"):
        torch.manual_seed(0)
        xs = {s: torch.randn(n, 32, requires_grad=True) for s in ("a", "b")}
        model = LEGO({"a": 32, "b": 32}, 3, k=8, prune_k=32, backend=backend)

        def step():
            g = model(xs)
            (g.to_dense() if g.backend == "dense" else g.edge_weight).sum().backward()

        step()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        rows.append({"N": n, "batch": 1, "backend": backend, "scatter": "native",
                     "time_s": statistics.median(times), "times": times,
                     "peak_mem_mb": None, "status": "ok"})
    return {"machine": {"cpu": f"this machine ({os.cpu_count()} CPUs), quick timing"},
            "config": {"M": 2, "P": 3, "d": 32, "k": 8, "prune_k": 32,
                       "what": "forward + backward, median of 3"}, "rows": rows}


def run_benchmark(gal: Gallery, args) -> None:
    found = sorted((ROOT / "benchmarks" / "results").glob("sparse_vs_dense_cpu*.json"))
    source = Path(args.bench) if args.bench else (found[0] if found else None)
    if source is not None and source.is_file():
        bench, origin = str(source), f"the benchmark's JSON ({source.name})"
    else:
        bench = quick_timing(args.timing_sizes)
        path = gal.out / "sparse_vs_dense_quick.json"
        write_json(path, bench)
        bench, origin = str(path), "a quick in-process timing (time only)"
    fig = V.plot_sparse_vs_dense(bench)
    gal.numbers["sparse_vs_dense"] = dict(source=origin)
    gal.add(fig, "sparse_vs_dense", "Sparse vs dense backends",
            f"Time and peak memory of LEGO against N, log-log, crossover marked; from "
            f"{origin}.")
