"""A fair judge of a VAD run's restarts (a study, no default). With
``--restarts R`` a run trains R initialisations of each start and keeps the
one of lowest held-out loss; the minimum over more runs is lower whatever
they are worth, so the held-out loss that made the choice cannot judge it.
Here the default held-out set (a stratified 20% of the training videos, the
first round(0.2 n_c) of each class in :func:`split_videos`' seeded
permutation) is cut in two halves by that same order: the *choice half*
(the first half of each class's held-out videos) does everything the
held-out set does in a run (the warm-up's switch, early stopping, the
epoch, the restart, the start), and the *judge half* (the rest) only scores
the tested model, with the same loss (BCE of the mean of each video's
top-k segment scores against the video labels); ``--half 1`` swaps the
halves, so that the runs of both halves judge every held-out video once. The training videos are the
defaults' (the held-out set's complement), so every setting trains on the
same videos; only weak video labels of training videos choose and judge.

Each (start, restart r) is trained once, seeded as restart r of a run of
R > r restarts (``restart_seed(seed, r)``: its initialisation, batch order
and sampled pairs; the held-out split fixed), so the settings R = 1, 2, ...
are read from the same runs: per start, the restart of lowest choice loss
among the first R (ties: the earlier), then the start of lower choice loss
(ties: the product), as ``--restarts R --init auto`` chooses. Each run's
test AUC is recorded and chooses nothing.

    python benchmarks/vad_restart_judge.py --dataset synthetic-vad --method lego-row \\
        --seeds 0 1 2 3 4 --restarts 2 --json runs/vad_restart_judge.json

Each run is written to ``--json`` as it ends (a run already there is
skipped, so a study goes on where it stopped, and ``--restarts 3`` later
adds restart 2 only); ``--relational-shift 4`` and ``--dataset motion-vad
--standardize`` give the other two benchmarks.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

from pyg_fusion._versions import library_versions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _vad_study import FRACTION, STARTS, add_study_arguments, earlier_runs, study_data  # noqa: E402


def halves_of(dataset, seed: int, half: int = 0) -> tuple[list[int], list[int], list[int]]:
    """The training, choice and judge videos of ``dataset`` for ``seed``: the
    training videos are the default split's, the choice and judge halves
    part its held-out videos (each class's in the split's order, the first
    half of them to the choice, or with ``half=1`` to the judge; an odd
    count gives the second half one more)."""
    from pyg_fusion.training.vad_split import _label, split_videos
    train, held = split_videos(dataset, FRACTION, seed)
    labels = torch.tensor([int(_label(dataset[i])) for i in range(len(dataset))])
    g = torch.Generator().manual_seed(seed)  # split_videos' draws, in its order
    choice, judge = [], []
    for c in labels.unique().tolist():
        idx = (labels == c).nonzero().view(-1)
        order = [i for i in idx[torch.randperm(idx.numel(), generator=g)].tolist() if i in held]
        if len(order) < 2:
            raise ValueError(f"class {c} has {len(order)} held-out video(s): the choice and "
                             f"judge halves need at least one each")
        parts = order[:len(order) // 2], order[len(order) // 2:]
        choice += parts[half]
        judge += parts[1 - half]
    assert sorted(choice + judge) == held, "the halves are not the default held-out set"
    return train, sorted(choice), sorted(judge)


@torch.no_grad()
def judge_loss(task, videos, batch_size: int = 16) -> float:
    """The held-out loss of ``task``'s model (at its chosen epoch) on
    ``videos``: BCE of each video's MIL score against its label, as the
    task's ``val_loss``."""
    from pyg_fusion.training._vad_scores import video_scores
    from pyg_fusion.training.vad_fit import _loaders
    _, loader = _loaders(None, videos, batch_size, 0)
    model = task.model.eval()
    scores, labels = [], []
    for batch in loader:
        logits, _ = model(batch)
        scores.append(video_scores(logits, task.topk))
        labels.append(batch.y.view(-1).to(scores[-1].dtype))
    video, y = torch.cat(scores), torch.cat(labels)
    return float(F.binary_cross_entropy(video.clamp(1e-6, 1 - 1e-6), y))


def choose(runs: dict, restarts: int) -> tuple[str, int]:
    """The (start, restart) that ``--restarts restarts --init auto`` tests:
    per start the restart of lowest choice loss among the first
    ``restarts`` (ties: the earlier), then the start of lower loss (ties:
    the product). ``runs[(start, r)]`` holds each run's ``choice_loss``."""
    best = {st: min(range(restarts), key=lambda r: (runs[st, r]["choice_loss"], r))
            for st in STARTS}
    start = min(STARTS, key=lambda st: (runs[st, best[st]]["choice_loss"], STARTS.index(st)))
    return start, best[start]


def main(argv=None):
    from _cli import check_writable, kept_state, parser, positive_int, user_errors
    p = parser(__file__, __doc__)
    add_study_arguments(p)
    p.add_argument("--restarts", type=positive_int, default=2,
                   help="R: restarts 0..R-1 of each start are trained; settings 1..R judged")
    p.add_argument("--half", type=int, choices=(0, 1), default=0,
                   help="the half of the held-out videos that chooses (1: the halves swapped)")
    args = p.parse_args(argv)
    check_writable(p, args.json)
    # threads and the random generators as they were: main() may be called in-process
    with kept_state(1), user_errors("vad_restart_judge.py"):
        return _run(args, argv)


FIELDS = ("dataset", "relational_shift", "standardize", "method", "half")


def _run(args, argv) -> int:
    from _cli import command_line

    from pyg_fusion._files import write_json
    from pyg_fusion.experiments.run import run_method
    from pyg_fusion.training.vad_fit import restart_seed
    td = study_data(args)
    command = command_line(__file__, argv)
    rows = earlier_runs(args.json)
    setting = tuple(getattr(args, k) for k in FIELDS)
    done = {(r["seed"], r["start"], r["restart"]) for r in rows if _setting(r) == setting}
    for r in range(args.restarts):  # every seed's restart r before any restart r + 1
        for seed in args.seeds:
            train, choice, judge = halves_of(td.train, seed, args.half)
            for start in STARTS:
                if (seed, start, r) in done:
                    continue
                t0 = time.perf_counter()
                with tempfile.TemporaryDirectory() as out:  # the judges are not read
                    m, task = run_method(td, args.method, restart_seed(seed, r), out,
                                         options={"init": start}, accelerator="cpu",
                                         progress=False, checkpoint=False,
                                         split=(train, choice))
                j = judge_loss(task, torch.utils.data.Subset(td.train, judge))
                rows.append({**dict(zip(FIELDS, setting)), "seed": seed, "start": start,
                             "restart": r, "choice_loss": m["val_loss"], "judge_loss": j,
                             "auc": m["auc"], "epoch": m["epoch"],
                             "operator_start_epoch": m.get("operator_start_epoch"),
                             "choice": choice, "judge": judge,
                             "wall_s": round(time.perf_counter() - t0, 1),
                             "versions": library_versions(), "command": command})
                write_json(args.json, rows)
                print(f"seed {seed} {start} restart {r}: choice loss {m['val_loss']:.4f} "
                      f"judge loss {j:.4f} AUC {100 * m['auc']:.2f} epoch {m['epoch']} "
                      f"({rows[-1]['wall_s']} s)", flush=True)
    summarize(rows, args)
    return 0


def _setting(row: dict) -> tuple:
    return tuple(row.get(k, 0) for k in FIELDS)  # (records without "half" are half 0)


def summarize(rows: list[dict], a) -> None:
    """Per setting R and half: per seed the chosen (start, restart), its
    choice loss, judge loss and test AUC; the means over the seeds, and
    over both halves where both ran."""
    base = tuple(getattr(a, k) for k in FIELDS[:-1])
    sel = [r for r in rows if _setting(r)[:-1] == base]
    for restarts in range(1, a.restarts + 1):
        both = []
        for half in (0, 1):
            picked = []
            for seed in a.seeds:
                runs = {(r["start"], r["restart"]): r for r in sel
                        if r["seed"] == seed and r.get("half", 0) == half}
                if not all((st, k) in runs for st in STARTS for k in range(restarts)):
                    continue
                start, k = choose(runs, restarts)
                picked.append(runs[start, k])
                print(f"--restarts {restarts}, half {half}, seed {seed}: {start} restart {k}, "
                      f"choice loss {runs[start, k]['choice_loss']:.4f}, judge loss "
                      f"{runs[start, k]['judge_loss']:.4f}, AUC {100 * runs[start, k]['auc']:.2f}")
            if len(picked) > 1:
                print(f"--restarts {restarts}, half {half}: {_means(picked)}")
            both += picked
        if len({r.get("half", 0) for r in both}) > 1:
            print(f"--restarts {restarts}, both halves: {_means(both)}")


def _means(picked: list[dict]) -> str:
    mean = {k: statistics.mean(r[k] for r in picked) for k in ("choice_loss", "judge_loss")}
    auc = [100 * r["auc"] for r in picked]
    return (f"choice loss {mean['choice_loss']:.4f}, judge loss {mean['judge_loss']:.4f}, "
            f"AUC {statistics.mean(auc):.2f} +- {statistics.stdev(auc):.2f} over "
            f"{len(picked)} runs")


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
