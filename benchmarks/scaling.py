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
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _scaling_measure import WARMUP_N, _clock, busy_core, worker  # noqa: E402, F401
from _scaling_report import plot, table  # noqa: E402
from _scaling_references import _sampled_recall  # noqa: E402, F401
from _scaling_workload import K  # noqa: E402

STAGES = ("knn_exact", "knn_approx", "powers", "scipy", "fusion", "step", "dense_step",
          "bound", "copy")


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
