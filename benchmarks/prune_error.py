"""Error and speed of row-pruned graph powers (``prune_k``) against exact ones.

``prune_k`` keeps the k largest entries per row after each sparse product: an
approximation that bounds fill-in. For kNN cosine graphs (k = 16, d = 128) this
reports, per prune_k, the relative Frobenius error of R^2, R^3 and of the fused
graph G off its diagonal (M = 2, P = Q = 3, A fixed at random), the kept entries per row, and
the forward time (seconds, median of ``--repeats`` runs) with its ratio to the
exact powers' forward, measured in the same run (after one untimed warm-up).

    python benchmarks/prune_error.py --json benchmarks/results/prune_error.json
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def rel_err(a_index, a_val, b_index, b_val, n):
    # both on their own supports: compare as dense-free sums over the union
    from pyg_fusion.functional._align import place_rows, union_edges
    idx, (pa, pb) = union_edges([a_index, b_index], n)
    a = place_rows(a_val, pa, idx.size(1))
    b = place_rows(b_val, pb, idx.size(1))
    return float((a - b).norm() / b.norm())


def main(argv=None):
    from _cli import (check_writable, kept_state, parser, positive_int, thread_count, units,
                      user_errors)
    from _machine import machine_info, machine_line

    import pyg_fusion.functional as F

    p = parser(__file__, __doc__)
    p.add_argument("--sizes", type=units(16), nargs="+", default=[1024, 4096])
    p.add_argument("--prune", type=positive_int, nargs="+", default=[16, 32, 64, 128])
    p.add_argument("--repeats", type=positive_int, default=3)
    p.add_argument("--json", default=None)
    # the only timing script that could not be held to one thread on a shared
    # machine; its default stays torch's, as prune_error.json was measured
    p.add_argument("--threads", type=thread_count, default=None,
                   help="torch threads (default: torch's, one per core)")
    args = p.parse_args(argv)
    from _cli import distinct
    distinct(p, args, '--sizes', '--prune')
    check_writable(p, args.json)
    # the run seeds torch's generator: the caller's is restored (main() may be
    # called in-process)
    with kept_state(args.threads), user_errors("prune_error.py"):
        return _run(args, F, machine_info, machine_line, argv)


def _run(args, F, machine_info, machine_line, argv=None) -> int:
    from _cli import command_line
    torch.manual_seed(0)
    rows, lines = [], []
    for n in args.sizes:
        xa, xb = torch.randn(n, 128), torch.randn(n, 128)
        A = torch.randn(4, 4)
        ga, gb = F.relation_graph(xa, k=16), F.relation_graph(xb, k=16)

        def run(prune):
            pa = F.graph_powers(*ga, n, 3, prune_k=prune)
            pb = F.graph_powers(*gb, n, 3, prune_k=prune)
            return pa, pb, F.lego_fuse_sparse(*pa, *pb, A, n)

        def timed(prune):
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                out = run(prune)
                times.append(time.perf_counter() - t0)
            return out, statistics.median(times)

        run(None)  # untimed: the first call's one-off costs
        (ea, _, eg), t_exact = timed(None)
        for prune in args.prune:
            (pa, _, g), t = timed(prune)
            errs = []
            for col in (2, 3):
                keep_p, keep_e = pa[1][:, col] != 0, ea[1][:, col] != 0
                errs.append(rel_err(pa[0][:, keep_p], pa[1][keep_p, col],
                                    ea[0][:, keep_e], ea[1][keep_e, col], n))
            # off the diagonal: the identity terms of A dominate G's diagonal
            off, eoff = g[0][0] != g[0][1], eg[0][0] != eg[0][1]
            err_g = rel_err(g[0][:, off], g[1][off], eg[0][:, eoff], eg[1][eoff], n)
            per_row = float((pa[1][:, 3] != 0).sum()) / n
            rows.append({"N": n, "prune_k": prune, "err_R2": errs[0], "err_R3": errs[1],
                         "err_G": err_g, "entries_per_row_R3": per_row, "time_s": t,
                         "exact_time_s": t_exact, "time_over_exact": t / t_exact})
            lines.append(f"| {n} | {prune} | {errs[0]:.4f} | {errs[1]:.4f} | {err_g:.4f} | "
                         f"{per_row:.0f} | {t:.3f} | {t_exact:.3f} | {t / t_exact:.2f}x |")
            print(lines[-1], file=sys.stderr, flush=True)  # progress: stdout is the table's
    machine = machine_info()
    warmup = "one untimed exact forward per N before the timed ones"
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from pyg_fusion._files import write_json
        write_json(args.json, {"command": command_line(__file__, argv), "machine": machine,
                               "repeats": args.repeats, "warmup": warmup, "rows": rows})
    print(f"{machine_line(machine)}; seconds: median of {args.repeats}, {warmup}")
    print("| N | prune_k | rel. error R^2 | rel. error R^3 | rel. error G off-diag. | entries/row of R^3 "
          "| forward s | exact forward s | forward / exact |")
    print("|" + "---|" * 9)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
