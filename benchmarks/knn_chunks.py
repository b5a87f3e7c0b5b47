"""Rows per block (``chunk_size``) of the chunked torch kNN search, the path
that ``relation_graph`` takes without faiss (and on CUDA without faiss's GPU
build): the wall time of ``relation_graph(x, k=16, knn="exact",
chunk_size=c)`` per ``c``, median of ``--repeats`` (the block sizes take
turns within each repeat, after one untimed warm-up call), as a ratio to the
default (``relation_graph``'s, 512) measured in the same run. Every block size must give the same
graph; the script checks it. faiss is kept out for the whole run, so the
torch path is timed on any machine.

    python benchmarks/knn_chunks.py --sizes 16384 --chunks 128 512 2048
    python benchmarks/knn_chunks.py --device cuda --sizes 262144 --chunks 512 2048 8192

The default 512 was chosen on the 2-core CPU (see ``relation_graph``'s
``chunk_size``); a GPU has the memory and the parallelism for larger blocks,
and this script measures whether they pay.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from unittest import mock

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

K = 16


def _default_chunk() -> int:
    import inspect

    from pyg_fusion.functional import relation_graph
    return inspect.signature(relation_graph).parameters["chunk_size"].default


def _progress(done: str, seconds: float) -> None:
    """One line on stderr per call (stdout is the table's): minutes each
    for the torch search at N = 262144 on a CPU."""
    print(f"  {done}: {seconds:.3f} s", file=sys.stderr, flush=True)


def sweep(n: int, chunks: list[int], device: str, repeats: int, dim: int = 128,
          seed: int = 0) -> list[dict]:
    """One row per block size: median seconds and the ratio to the default."""
    from pyg_fusion.datasets import clustered_features
    from pyg_fusion.functional import relation
    x = clustered_features(n, dim, seed=seed).to(device)

    def sync():
        if x.is_cuda:
            torch.cuda.synchronize()

    default = _default_chunk()
    sizes = sorted(set(chunks) | {default})
    runs, graphs = {c: [] for c in sizes}, {}
    # the torch path, whatever is installed: faiss would take the search
    with mock.patch.object(relation, "load_faiss", lambda: None):
        # untimed: the first call's one-off costs would fall on the first size
        start = time.perf_counter()
        relation.relation_graph(x, k=K, knn="exact", chunk_size=default)
        _progress(f"N={n} warm-up", time.perf_counter() - start)
        for r in range(repeats):
            for c in sizes:  # in turns: a change of load falls on every size
                sync()
                t0 = time.perf_counter()
                graphs[c] = relation.relation_graph(x, k=K, knn="exact", chunk_size=c)
                sync()
                runs[c].append(time.perf_counter() - t0)
                _progress(f"N={n} repeat {r + 1}/{repeats} chunk_size {c}", runs[c][-1])
    times = {c: statistics.median(v) for c, v in runs.items()}
    ref = graphs[default]
    rows = []
    for c in sorted(times):
        same = torch.equal(graphs[c][0], ref[0]) and torch.equal(graphs[c][1], ref[1])
        rows.append({"N": n, "chunk_size": c, "seconds": times[c], "runs": runs[c],
                     "ratio": times[c] / times[default], "same_graph": same,
                     "device": device})
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"| N | chunk_size | seconds | / {_default_chunk()} | same graph |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['N']} | {r['chunk_size']} | {r['seconds']:.4g} | {r['ratio']:.2f}x | "
              f"{'yes' if r['same_graph'] else 'NO'} |" for r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    from _cli import (check_device, check_writable, command_line, kept_state, parser,
                      positive_int, thread_count, units)
    from _machine import machine_info, machine_line
    ap = parser(__file__, __doc__)
    ap.add_argument("--sizes", type=units(K), nargs="+", default=[16384])
    ap.add_argument("--chunks", type=positive_int, nargs="+", default=[128, 512, 2048])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeats", type=positive_int, default=3)
    ap.add_argument("--threads", type=thread_count, default=1, help="torch threads")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    from _cli import distinct
    distinct(ap, args, '--sizes', '--chunks')
    check_device(ap, args.device)
    check_writable(ap, args.json)
    with kept_state(args.threads):  # restored: main() is also called in-process
        rows = [r for n in args.sizes
                for r in sweep(n, args.chunks, args.device, args.repeats)]
    machine = machine_info(args.device)
    machine["torch_threads"] = args.threads
    warmup = f"one untimed call per N (chunk_size {_default_chunk()}) before the repeats"
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from pyg_fusion._files import write_json
        write_json(args.json, {"command": command_line(__file__, argv), "machine": machine,
                               "repeats": args.repeats, "warmup": warmup, "rows": rows})
    print(f"{machine_line(machine)}; seconds: median of {args.repeats}, {warmup}")
    print(table(rows))
    return 0 if all(r["same_graph"] for r in rows) else 1


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
