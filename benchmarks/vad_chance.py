"""How far a VAD scorer that knows nothing moves the frame ROC-AUC of a test
split: the spread over draws (or seeds) of scorers at chance, the floor under
the standard deviation over seeds of any method that has learned nothing.

Scorers, each drawn ``--draws`` times (segment scores ``[videos, N]``,
expanded to frames as every method's are):

* ``iid``: every segment's score independent uniform;
* ``smooth``: an AR(1) series per video (rho = 0.9 over the N segments), as a
  score that follows slowly changing features would be;
* ``video_offset``: a normal offset per video plus independent noise;
* ``untrained <method>``: the method's model at initialisation (seeds
  ``--seeds``), the task's defaults: what the initialisation alone gives.

    python benchmarks/vad_chance.py --dataset synthetic-vad --json benchmarks/results/vad_chance.json
    python benchmarks/vad_chance.py --dataset synthetic-vad --relational-shift 4 --json ...
    python benchmarks/vad_chance.py --dataset synthetic-vad --row-order position --json ...
"""
from __future__ import annotations

import os
import statistics
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

METHODS = ("graph-mean", "graph-product", "lego-row", "feature-concat")


def smooth_scores(shape, rho: float, g: torch.Generator) -> torch.Tensor:
    e = torch.randn(*shape, generator=g)
    z = torch.empty(shape)
    z[:, 0] = e[:, 0]
    for t in range(1, shape[1]):
        z[:, t] = rho * z[:, t - 1] + (1 - rho ** 2) ** 0.5 * e[:, t]
    return z


def method_list(text: str) -> list[str]:
    """The flag type of ``--methods``: names of the VAD task's methods, each
    once. A name after a source (``single-i3d``, ``graph-i3d``) is checked
    once the data has given its sources, before the draws; every other name
    here: a wrong one was refused only after the chance draws."""
    import argparse

    from pyg_fusion.methods import method_names
    names = [m.strip() for m in str(text).split(",")]
    known = method_names("vad", [])
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated methods, got {text!r}")
    twice = sorted({m for m in names if names.count(m) > 1}, key=names.index)
    if twice:
        raise argparse.ArgumentTypeError(f"{', '.join(twice)} named more than once")
    bad = [m for m in names if m not in known and not m.startswith(("single-", "graph-"))]
    if bad:
        raise argparse.ArgumentTypeError(
            f"unknown method(s) {', '.join(map(repr, bad))}; known: {', '.join(known)}, "
            f"single-SOURCE, graph-SOURCE")
    return names


def _check_sourced(methods: list[str], sources: list[str]) -> None:
    """Raises naming ``--methods`` unless each of ``methods`` is a method of
    the VAD task on ``sources`` (the names after a source, which
    :func:`method_list` could not check)."""
    from pyg_fusion.methods import method_names
    known = method_names("vad", sources)
    bad = [m for m in methods if m not in known]
    if bad:
        raise ValueError(f"--methods: unknown method(s) {', '.join(map(repr, bad))} for the "
                         f"sources {', '.join(sources)}; known: {', '.join(known)}")


def main(argv=None):
    from _cli import (add_seeds_argument, check_writable, kept_state, nonneg_float, nonneg_int,
                      parser, user_errors)
    p = parser(__file__, __doc__)
    p.add_argument("--dataset", default="synthetic-vad", choices=("synthetic-vad", "motion-vad"))
    p.add_argument("--relational-shift", type=nonneg_float, default=0.0)
    p.add_argument("--standardize", action="store_true")
    p.add_argument("--root", default="runs/data")
    p.add_argument("--draws", type=nonneg_int, default=200,
                   help="draws of each chance scorer (0 or 1: those rows are left out)")
    add_seeds_argument(p, list(range(20)))
    p.add_argument("--methods", type=method_list, default=",".join(METHODS),
                   help="comma-separated methods whose untrained models are scored")
    p.add_argument("--row-order", default=None, choices=("position", "sorted", "both"),
                   help="the untrained models' row head (default: the task's)")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    check_writable(p, args.json)
    # a bad --methods or --root is one line, not a traceback; threads and the
    # random generators (the untrained models are seeded) restored: main() may
    # be called in-process
    with kept_state(1), user_errors("vad_chance.py"):
        return _run(args, argv)


def _run(args, argv) -> int:
    from _machine import machine_info, machine_line
    from torch_geometric.data import Batch

    from pyg_fusion._files import write_json
    from pyg_fusion.datasets import segment_scores_to_frames
    from pyg_fusion.experiments.data import DataConfig, load_data
    from pyg_fusion.methods import build_model
    from pyg_fusion.training import seed_everything
    from pyg_fusion.training.metrics import frame_level_metrics

    td = load_data(DataConfig(dataset=args.dataset, root=args.root,
                              relational_shift=args.relational_shift,
                              standardize=args.standardize))
    _check_sourced(args.methods, list(td.in_channels))  # before the draws, not after
    test = [td.test[i] for i in range(len(td.test))]
    gts = [d.frame_gt.view(-1) for d in test]
    n, num_segments = len(test), int(test[0].num_nodes)

    def auc(scores):
        frames = [segment_scores_to_frames(scores[i], d)[:gts[i].numel()]
                  for i, d in enumerate(test)]
        return 100 * frame_level_metrics(frames, gts)["auc"]

    g = torch.Generator().manual_seed(0)
    shape = (n, num_segments)
    draws = {
        "iid": lambda: torch.rand(shape, generator=g),
        "smooth": lambda: smooth_scores(shape, 0.9, g),
        "video_offset": lambda: torch.randn(n, 1, generator=g) + torch.randn(shape, generator=g),
    }
    values = {k: [auc(f()) for _ in range(args.draws)] for k, f in draws.items()
              if args.draws > 1}
    batch = Batch.from_data_list(test)
    for m in args.methods:
        vals = []
        for s in args.seeds:
            seed_everything(s)
            opts = {"row_order": args.row_order} if args.row_order else {}
            model = build_model(m, "vad", td.in_channels, num_segments=num_segments,
                                **opts).eval()
            with torch.no_grad():
                vals.append(auc(torch.sigmoid(model(batch)[0])))
        values[f"untrained {m}"] = vals
    frames = torch.cat(gts)
    # one draw has no spread: null in the JSON (NaN is not JSON), "-" in the table
    rows = [{"scorer": k, "mean": statistics.mean(v),
             "std": statistics.stdev(v) if len(v) > 1 else None, "n": len(v)}
            for k, v in values.items()]
    machine = machine_info()
    if args.json:  # before the table: a reader that has left (| head) must not cost it
        from _cli import command_line
        write_json(args.json, {"command": command_line(__file__, argv), "setting": td.setting,
            "row_order": args.row_order or "task default", "test_videos": n, "abnormal_frame_fraction": float(frames.float().mean()),
            "rows": rows, "machine": machine})
    print(f"{args.dataset} {td.setting}: {n} test videos, {frames.numel()} frames, "
          f"{100 * float(frames.float().mean()):.1f}% abnormal")
    print(machine_line(machine))
    print("| scorer | AUC % mean | std | draws |\n|---|---|---|---|")
    for r in rows:
        std = "-" if r["std"] is None else f"{r['std']:.2f}"
        print(f"| {r['scorer']} | {r['mean']:.2f} | {std} | {r['n']} |")
    return 0


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
