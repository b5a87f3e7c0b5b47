"""Start-up time of the command line: ``pyg-fusion --help`` and each
sub-command's ``--help``, each in a fresh interpreter (median of several
runs), with ``import torch`` in a fresh interpreter as the baseline of the same
run. No warm-up run: every run is timed, the first included (its files may
be read from disk, not the page cache). The machine may be shared: its load
average is recorded beside the times. The target is at most 1.5 s per help.

    python benchmarks/cli_startup.py [--repeats 7] [--json FILE]
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from _machine import machine_info  # noqa: E402

WARMUP = "no warm-up run: each command's first run is in its median"
COMMANDS = ["", "demo", "train", "evaluate", "compare", "sweep", "plot",
            "segment", "segment train", "translate", "translate train",
            "train --task segment", "evaluate --task translate",
            "train --dataset synthetic-rgbd"]


def _time(argv: list[str], repeats: int) -> tuple[float, list[float]]:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, *argv], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        runs.append(time.perf_counter() - t)
        if done.returncode != 0:  # a help that fails is no start-up time: said in one line
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            raise SystemExit(f"cli_startup.py: `python {' '.join(argv)}` failed "
                             f"(exit code {done.returncode}): {last}")
    return statistics.median(runs), runs


def main(argv=None) -> int:
    from _cli import check_writable, parser, positive_int
    p = parser(__file__, __doc__)
    p.add_argument("--repeats", type=positive_int, default=7)
    p.add_argument("--json", default=None, help="write the table as JSON here")
    args = p.parse_args(argv)
    check_writable(p, args.json)
    load_before = os.getloadavg()
    base, _ = _time(["-c", "import torch"], args.repeats)
    rows = []
    for i, cmd in enumerate(COMMANDS):
        print(f"[{i + 1}/{len(COMMANDS)}] pyg-fusion {cmd} --help".replace("  ", " "),
              file=sys.stderr, flush=True)  # progress: minutes at the default repeats
        med, runs = _time(["-m", "pyg_fusion.cli", *cmd.split(), "--help"], args.repeats)
        rows.append({"command": f"pyg-fusion {cmd} --help".replace("  ", " "),
                     "median_s": round(med, 3), "min_s": round(min(runs), 3),
                     "vs_import_torch": round(med / base, 3)})
    load_after = os.getloadavg()
    from _machine import machine_line
    machine = machine_info()
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from pyg_fusion._files import write_json
        from _cli import command_line
        write_json(args.json, {"command": command_line(__file__, argv),
                               "machine": machine, "repeats": args.repeats,
                               "warmup": WARMUP,
                               "load_before": load_before, "load_after": load_after,
                               "import_torch_median_s": base, "rows": rows})
    print(f"baseline `python -c 'import torch'`: median {base:.3f} s "
          f"({args.repeats} runs); {WARMUP}")
    # the cores once, the machine line's usable count: os.cpu_count() here
    # said the machine's beside it, two counts under a cpuset
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"(1-minute)")
    print(machine_line(machine))
    print("| command | median s | min s | / import torch |\n|---|---|---|---|")
    for r in rows:
        print(f"| `{r['command']}` | {r['median_s']:.3f} | {r['min_s']:.3f} | "
              f"{r['vs_import_torch']:.2f} |")
    worst = max(r["median_s"] for r in rows)
    print(f"slowest median {worst:.3f} s: {'within' if worst <= 1.5 else 'OVER'} the 1.5 s target")
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
