"""A k-fold held-out choice of LEGO's start on a VAD benchmark (a study, no
default). ``init="auto"`` chooses between the product and the mean start by
the held-out loss on one stratified 20% of the training videos (12 videos on
SyntheticVAD). Here each start is trained k times from the same seed, fold f
of the training videos held out in run f (each class's videos in the order of
:func:`~pyg_fusion.training.vad_split.split_videos`' seeded permutation, cut
into k parts; fold 0 is the default held-out set, so fold 0's runs are the
defaults' runs of each start). Three rules choose a start per seed: fold 0
(the defaults), the lower mean over the k folds (k-fold), and the
one-standard-error rule (1-SE: the product start unless the mean start's loss
is lower by more than one standard error of the paired differences over the
folds). The tested model is the chosen start's fold-0 run: a run needs
held-out videos for its epoch and the warm-up's switch anyway, so the choice
is all that differs from the defaults. Each rule is also judged on held-out
data that its choice did not see: for each fold j > 0, the held-out loss on
fold j of the start it chooses without fold j. Only training videos and their
video labels choose; each run's test AUC is recorded beside its held-out loss
and chooses nothing.

    python benchmarks/vad_kfold_start.py --dataset synthetic-vad --method lego-row \\
        --seeds 0 1 2 3 4 --folds 5 --json runs/vad_kfold_start.json

Each run is written to ``--json`` as it ends (a run already there is skipped,
so a stopped study goes on where it stopped); ``--relational-shift 4`` and
``--dataset motion-vad --standardize`` give the other two benchmarks.

``--shuffle independent`` (a probe of the seeding, no default): ``fit_vad``
seeds the held-out split and the training shuffle with the run's seed alike
(two generators seeded ``seed``: the shuffle's draws are the split's, two
draws later); with this flag the shuffle's generator is seeded from
``numpy.random.SeedSequence([seed, 1])`` instead, so that the batch order is
drawn independently of the folds. ``--starts product`` trains one start
only (the rules above need both; a run of one start prints each fold's
held-out loss and the rank of fold 0's).
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from unittest import mock

import numpy as np
import torch

from pyg_fusion._versions import library_versions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _vad_study import FRACTION, STARTS, add_study_arguments, earlier_runs, study_data  # noqa: E402


def independent_seed(seed: int, stream: int = 1) -> int:
    """A seed for a stream of run ``seed`` drawn independently of the
    generators that ``fit_vad`` seeds with ``seed`` itself."""
    return int(np.random.SeedSequence([seed, stream]).generate_state(1)[0])


def folds_of(dataset, k: int, fraction: float, seed: int) -> list[list[int]]:
    """The k held-out folds of ``dataset``'s videos for ``seed``: each class's
    videos permuted as :func:`split_videos` permutes them, ``round(fraction *
    n_c)`` of each class per fold (one item per video)."""
    from pyg_fusion.training.vad_split import _label, split_videos
    labels = torch.tensor([int(_label(dataset[i])) for i in range(len(dataset))])
    g = torch.Generator().manual_seed(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    for c in labels.unique().tolist():
        idx = (labels == c).nonzero().view(-1)
        idx = idx[torch.randperm(idx.numel(), generator=g)].tolist()
        m = round(fraction * len(idx))
        if k * m > len(idx):
            raise ValueError(f"--folds {k}: {k} folds of {m} videos exceed the {len(idx)} "
                             f"videos of class {c}")
        for f in range(k):
            folds[f] += idx[f * m:(f + 1) * m]
    _, val0 = split_videos(dataset, fraction, seed)
    assert sorted(folds[0]) == val0, "fold 0 is not the default held-out set"
    return [sorted(f) for f in folds]


def main(argv=None):
    from _cli import check_writable, kept_state, parser, positive_int, user_errors
    p = parser(__file__, __doc__)
    add_study_arguments(p)
    p.add_argument("--folds", type=positive_int, default=5,
                   help="k: each start is trained k times, fold f held out in run f")
    p.add_argument("--starts", nargs="+", choices=STARTS, default=list(STARTS),
                   help="the starts trained (the rules need both)")
    p.add_argument("--shuffle", choices=("seed", "independent"), default="seed",
                   help="the training shuffle's generator: seeded with the seed, as fit_vad "
                        "seeds it, or independently of the folds")
    args = p.parse_args(argv)
    check_writable(p, args.json)
    # threads and the random generators as they were: main() may be called in-process
    with kept_state(1), user_errors("vad_kfold_start.py"):
        return _run(args, argv)


def _run(args, argv) -> int:
    from _cli import command_line

    from pyg_fusion._files import write_json
    from pyg_fusion.experiments.run import run_method
    from pyg_fusion.training import vad_fit
    loaders = vad_fit._loaders
    if args.shuffle == "independent":
        def loaders(train_ds, eval_ds, batch_size, seed, _fit_vad=vad_fit._loaders):
            return _fit_vad(train_ds, eval_ds, batch_size, independent_seed(seed))
    td = study_data(args)
    command = command_line(__file__, argv)
    rows = earlier_runs(args.json)
    fields = ("dataset", "relational_shift", "standardize", "method", "folds", "shuffle")
    setting = tuple(getattr(args, k) for k in fields)
    # (records written before --shuffle are of the seeded shuffle)
    done = {(r["seed"], r["fold"], r["start"]) for r in rows
            if tuple(r.get(k, "seed") for k in fields) == setting}
    for seed in args.seeds:
        folds = folds_of(td.train, args.folds, FRACTION, seed)
        for f in range(args.folds):
            for start in args.starts:
                if (seed, f, start) in done:
                    continue
                held = folds[f]
                rest = sorted(set(range(len(td.train))) - set(held))
                t0 = time.perf_counter()
                with tempfile.TemporaryDirectory() as out, mock.patch(
                        "pyg_fusion.training.vad_fit._loaders", loaders):
                    m, _ = run_method(td, args.method, seed, out, options={"init": start},
                                      accelerator="cpu", progress=False, checkpoint=False,
                                      split=(rest, held))
                rows.append({"dataset": args.dataset, "relational_shift": args.relational_shift,
                             "standardize": args.standardize, "method": args.method,
                             "shuffle": args.shuffle, "seed": seed, "fold": f, "folds": args.folds, "start": start,
                             "val_loss": m["val_loss"], "auc": m["auc"], "epoch": m["epoch"],
                             "operator_start_epoch": m.get("operator_start_epoch"),
                             "wall_s": round(time.perf_counter() - t0, 1),
                             "versions": library_versions(), "command": command})
                write_json(args.json, rows)
                print(f"seed {seed} fold {f} {start}: held-out loss {m['val_loss']:.4f} "
                      f"AUC {100 * m['auc']:.2f} epoch {m['epoch']} "
                      f"({rows[-1]['wall_s']} s)", flush=True)
    summarize(rows, args)
    return 0


def lowest_mean(by: dict, folds: list[int]) -> str:
    """The start of lower mean held-out loss over ``folds`` (ties: the
    product, as ``init="auto"``)."""
    mean = {st: statistics.mean(by[st][f]["val_loss"] for f in folds) for st in STARTS}
    return min(STARTS, key=lambda st: (mean[st], STARTS.index(st)))


def one_se(by: dict, folds: list[int]) -> str:
    """The one-standard-error rule (Breiman et al., 1984): the product start
    (LEGO's special case, graph-product at epoch 0) unless the mean start's
    held-out loss is lower by more than one standard error of the paired
    differences over ``folds``."""
    d = [by["mean"][f]["val_loss"] - by["product"][f]["val_loss"] for f in folds]
    se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else 0.0
    return "mean" if statistics.mean(d) + se < 0 else "product"


# rule: (the folds it chooses on, of those run; how it chooses)
RULES = {
    "fold 0 (the defaults)": (lambda folds: [0], lowest_mean),
    "k-fold": (lambda folds: folds, lowest_mean),
    "folds 1..k-1 only": (lambda folds: [f for f in folds if f], lowest_mean),
    "1-SE": (lambda folds: folds, one_se),
}


def summarize(rows: list[dict], a) -> None:
    """Per seed: each start's held-out loss on each fold and the rank of fold
    0's among them (0: the lowest), the start each rule chooses and the
    chosen fold-0 run's AUC; per rule: the AUC over the seeds, and its
    held-out loss on the folds j > 0 that its choice did not see (the loss
    on fold j of the start it chooses without fold j)."""
    aucs = {rule: [] for rule in RULES}
    nested = {rule: [] for rule in RULES}
    for seed in a.seeds:
        sel = [r for r in rows if r["seed"] == seed and r.get("shuffle", "seed") == a.shuffle
               and all(r[k] == getattr(a, k) for k in ("dataset", "relational_shift",
                                                        "standardize", "method", "folds"))]
        by = {st: {r["fold"]: r for r in sel if r["start"] == st} for st in STARTS}
        for st in a.starts:
            loss = [by[st][f]["val_loss"] for f in sorted(by[st])]
            if 0 in by[st] and len(loss) > 1:
                print(f"seed {seed}, {st} start: held-out loss on folds {sorted(by[st])}: "
                      + " ".join(f"{v:.3f}" for v in loss)
                      + f"; fold 0 ranks {sorted(loss).index(by[st][0]['val_loss'])}")
        common = sorted(set(by["product"]) & set(by["mean"]))
        if 0 not in common or len(common) < 3:
            continue
        picks = {rule: choose(by, used(common)) for rule, (used, choose) in RULES.items()}
        for rule, (used, choose) in RULES.items():
            aucs[rule].append(by[picks[rule]][0]["auc"])
            for j in common[1:]:
                nested[rule].append(
                    by[choose(by, used([f for f in common if f != j]))][j]["val_loss"])
        losses = "; ".join(f"{st} " + " ".join(f"{by[st][f]['val_loss']:.3f}" for f in common)
                           for st in STARTS)
        print(f"seed {seed}: held-out loss on folds {common}: {losses}; chosen: "
              + ", ".join(f"{rule} {picks[rule]} ({100 * by[picks[rule]][0]['auc']:.2f})"
                          for rule in RULES))
    for rule in RULES:
        if len(aucs[rule]) > 1:
            print(f"{rule}: AUC {100 * statistics.mean(aucs[rule]):.2f} +- "
                  f"{100 * statistics.stdev(aucs[rule]):.2f} over {len(aucs[rule])} seeds; "
                  f"held-out loss on the folds its choice did not see "
                  f"{statistics.mean(nested[rule]):.4f} ({len(nested[rule])} seed-folds)")


if __name__ == "__main__":
    from _cli import run_script
    run_script(main)
