"""One sparse LEGO step (``scaling.py``'s step stage, from its functions:
clustered features, d = 128, k = 16, P = 3, prune_k = 64, two sources, fusion
weights drawn from N(0, 1), ``knn="approx"``, one thread) split into the library's phases: wall
seconds, the process's user and system CPU seconds, and GiB of fresh pages
(minor page faults) per phase, each exclusive of the phases nested in it, so
that the rows sum to the step. System time is what fresh memory costs (the
kernel zeroes, and on a VM may first fetch from its host, every page touched
for the first time): it can grow faster than the work while user time grows
with it. The fresh pages are counted in faults of 4 KiB: numpy asks for 2 MiB
pages for its large arrays (one fault each where the kernel has them), so
their share is undercounted (measured: a fresh 128 MiB numpy array, 576
faults; torch's, 32768); their cost is in the system time all the same.

The phases are found by wrapping the library's functions by name for the
run (this script's process only); a renamed function fails the script, not
silently drops a row. Profilers attribute time to Python frames, not to
these steps, and do not count page faults, which is why this script exists.

Usage::

    python benchmarks/step_phases.py 262144
    python benchmarks/step_phases.py 65536 --repeats 3   # the median step, its phases
    python benchmarks/step_phases.py 262144 --json benchmarks/results/step_phases.json

``--repeats R``: R steps; the table is the median step's (the lower of the
two middle ones for an even R) and the phases of that same repeat, not a
median per phase, which would not add up to the step. ``/ step``: a phase's
share of that step's seconds. No warm-up step: the first step pays the
one-off costs (first calls, the allocator's first pages), as the figures
measured with one step per process did.

``--json PATH``: the table's rows and the step's totals (``repeat``: which
one; ``steps_s``: every repeat's), the command, the machine and the settings
of the run.
"""
from __future__ import annotations

import collections
import importlib
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

LABELS = (  # (module, attribute, label, is a static method)
    ("pyg_fusion.functional.relation", "_library_knn", "knn search", False),
    ("pyg_fusion.functional.relation", "_pair_similarity", "pair similarity fwd", False),
    ("pyg_fusion.nn.lego", "locality_order", "locality order", False),
    ("pyg_fusion.nn.lego", "relabel", "relabel (into an order, fused graph back)", False),
    ("pyg_fusion.nn.relation_graph", "_pair_similarity", "pair similarity fwd", False),
    ("pyg_fusion.functional.powers", "_graph_powers", "powers: checks/order/normalize", False),
    ("pyg_fusion.nn.power_expansion", "_graph_powers", "powers: checks/order/normalize", False),
    ("pyg_fusion.functional.powers", "spgemm_topk", "powers: products", False),
    ("pyg_fusion.functional._spgemm", "_candidates", "powers: products: candidates", False),
    ("pyg_fusion.functional._spgemm", "_matmat", "powers: products: scipy matmat", False),
    ("pyg_fusion.functional._spgemm", "topk_rows", "powers: products: top-k", False),
    ("pyg_fusion.functional.powers", "union", "powers: union", False),
    ("pyg_fusion.functional.powers", "restore_rows", "powers: restore", False),
    ("pyg_fusion.functional.powers", "place", "powers: place", False),
    ("pyg_fusion.nn.lego_fusion", "lego_fuse_sparse", "fusion fwd", False),
    ("pyg_fusion.functional._spgemm", "_candidate_backward", "bwd: products", False),
    ("pyg_fusion.functional._pair_dot", "_RowDot.backward", "bwd: similarity", True),
    ("pyg_fusion.functional._align", "_Place.backward", "bwd: place", True),
)
GIB = 2 ** 30
WARMUP = "no warm-up step: the first step includes the one-off costs"


def faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def counters() -> tuple[float, int, float, float]:
    """Wall seconds, minor faults, user and system CPU seconds so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_minflt, r.ru_utime, r.ru_stime


def _since(start) -> list:
    return [b - a for a, b in zip(start, counters())]


class Phases:
    """Exclusive counters (:func:`counters`) per label of the wrapped
    functions."""

    def __init__(self):
        self.stats = collections.defaultdict(lambda: [0.0, 0, 0.0, 0.0])
        self.stack: list[list] = []
        self.wrapped: list[tuple] = []

    def unwrap(self) -> None:
        """Puts the library's functions back (the last wrapped first)."""
        while self.wrapped:
            obj, name, original = self.wrapped.pop()
            setattr(obj, name, original)

    def _book(self, label: str, total: list) -> None:
        inner = self.stack.pop()
        for i, v in enumerate(total):
            self.stats[label][i] += v - inner[i]
        if self.stack:
            for i, v in enumerate(total):
                self.stack[-1][i] += v

    def wrap(self, module: str, attr: str, label: str, static: bool) -> None:
        obj = importlib.import_module(module)
        *outer, name = attr.split(".")
        for part in outer:
            obj = getattr(obj, part)
        fn = getattr(obj, name)  # AttributeError names a renamed function
        # the attribute as stored (a staticmethod stays one), put back by unwrap()
        self.wrapped.append((obj, name, vars(obj).get(name, fn)))

        def timed(*args, **kwargs):
            start = counters()
            self.stack.append([0.0, 0, 0.0, 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                self._book(label, _since(start))
        setattr(obj, name, staticmethod(timed) if static else timed)

    def run(self, label: str, fn):
        """``fn()`` with its time outside the wrapped phases booked to ``label``."""
        start = counters()
        self.stack.append([0.0, 0, 0.0, 0.0])
        out = fn()
        total = _since(start)
        self.stats.pop(label, None)
        self._book(label, total)
        return out, total[0]


def main(argv=None) -> int:
    from _cli import check_writable, kept_state, parser, positive_int, units

    from _scaling_workload import K
    p = parser(__file__, __doc__)
    p.add_argument("n", type=units(K), help="nodes per source")
    p.add_argument("--repeats", type=positive_int, default=1,
                   help="steps; the median step is printed with its own phases")
    p.add_argument("--json", default=None, help="write the rows, the machine and the settings")
    args = p.parse_args(argv)
    check_writable(p, args.json)
    phases = Phases()
    # for this run only: main() may be called in-process, which must get its
    # library functions, its threads and its random generators back
    try:
        with kept_state(1):
            for spec in LABELS:
                phases.wrap(*spec)
            return _run(args, phases, argv)
    finally:
        phases.unwrap()


def _run(args, phases: Phases, argv=None) -> int:
    from _cli import command_line, peak_rss_bytes
    from _machine import machine_info, machine_line
    # this folder is on sys.path
    from _scaling_workload import PRUNE, D, K, P, _features, step_model

    xs = {s: _features("clustered", args.n, seed) for seed, s in enumerate("ab")}
    model = step_model(fusion_init="random")

    def step(name: str):  # its graph and inputs are freed when it returns
        phases.stats.clear()
        f0 = faults()
        inp = {s: v.clone().requires_grad_() for s, v in xs.items()}
        g, fwd = phases.run("fwd: rest", lambda: model(inp))
        # progress, between the phases (minutes each at N = 2^20), on stderr
        print(f"  {name}: fwd {fwd:.3f} s", file=sys.stderr, flush=True)
        _, bwd = phases.run("bwd: rest (autograd's own)",
                            lambda: g.edge_weight.sum().backward())
        print(f"  {name}: bwd {bwd:.3f} s", file=sys.stderr, flush=True)
        return fwd, bwd, (faults() - f0) * resource.getpagesize() / GIB

    repeats = []  # per repeat: fwd, bwd, fresh GiB and its phases
    for r in range(args.repeats):
        repeats.append((*step(f"step {r + 1}/{args.repeats}"), dict(phases.stats)))
    # the median step, and the phases of that repeat, not a median per phase:
    # medians of the phases would not add up to the step (the lower of the two
    # middle steps for an even number of repeats: a step that was measured)
    chosen = median_repeat([fwd + bwd for fwd, bwd, *_ in repeats])
    fwd, bwd, fresh, stats = repeats[chosen]
    peak = peak_rss_bytes() / GIB
    machine = machine_info()
    rows = []
    for label, (t, f, user, system) in stats.items():
        rows.append({"phase": label, "seconds": t, "user_s": user, "system_s": system,
                     "fresh_gib": f * resource.getpagesize() / GIB})
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from pyg_fusion._files import write_json
        write_json(args.json, {"command": command_line(__file__, argv), "machine": machine,
                               "config": {"N": args.n, "d": D, "k": K, "P": P,
                                          "prune_k": PRUNE, "knn": "approx",
                                          "fusion_init": "random", "repeats": args.repeats,
                                          "warmup": WARMUP},
                               "step": {"fwd_s": fwd, "bwd_s": bwd, "fresh_gib": fresh,
                                        "peak_gib": peak, "repeat": chosen + 1,
                                        "steps_s": [f + b for f, b, *_ in repeats]},
                               "rows": rows})
    print(machine_line(machine))
    which = ("one step" if args.repeats == 1 else
             f"the median step of {args.repeats} (repeat {chosen + 1}) and its phases")
    print(f"N={args.n}, {which}: fwd {fwd:.3f} s, bwd {bwd:.3f} s, "
          f"fresh pages {fresh:.2f} GiB, peak {peak:.2f} GiB; {WARMUP}")
    print("| phase | s | user s | system s | fresh GiB | / step |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['phase']} | {r['seconds']:.3f} | {r['user_s']:.3f} | "
              f"{r['system_s']:.3f} | {r['fresh_gib']:.2f} | "
              f"{r['seconds'] / (fwd + bwd):.2f} |")
    return 0


def median_repeat(steps: list[float]) -> int:
    """The index of the median of ``steps`` (the lower of the two middle ones
    for an even number): the first such repeat."""
    return steps.index(statistics.median_low(steps))


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
