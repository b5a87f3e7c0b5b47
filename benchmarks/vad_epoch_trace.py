"""A per-epoch trace of VAD runs, beside ``pyg-fusion compare``; it chooses nothing.

After every validation of every run (each start, each phase), the test videos
are scored in eval mode under ``torch.random.fork_rng`` (the run's random
draws, choices and records stay those of the plain command) by the full
model, by its row head alone (``branch_on=False``) and by its branch alone
(the full logits minus the row head's); one JSON line per validation:
the run's held-out loss and training loss, the test frame ROC-AUC of the
three, the held-out loss of the row head alone, the share of the branch's
first-layer units active (ReLU > 0) on the held-out segments, A's product
entry and the sum of A's absolute entries.

``--branch-centre`` is a probe, not an option of the library: the branch's
input ``|x - mean|`` is centred per video (its mean over the video's segments
subtracted), so that an Adam step on the first layer's weights no longer
moves every segment's pre-activation the same way.

    python benchmarks/vad_epoch_trace.py --trace trace.jsonl -- \\
        --dataset synthetic-vad --relational-shift 4 --method lego --seeds 0 \\
        --threads 1 --no-progress --out runs/trace
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch_geometric.loader import DataLoader


def _frame_auc(ds, scores):
    from pyg_fusion.datasets import segment_scores_to_frames
    from pyg_fusion.training.metrics import frame_level_metrics
    frames, gts = [], []
    for i in range(len(ds)):
        d = ds[i]
        frames.append(segment_scores_to_frames(scores[i], d))
        gts.append(d.frame_gt.view(-1))
    return frame_level_metrics(frames, gts)["auc"]


def _record(task) -> dict:
    from pyg_fusion.training._vad_scores import segment_scores, video_scores
    net, ds, m = task.model, task.eval_dataset, task.trainer.callback_metrics
    rec = {"epoch": task.current_epoch, "start": (task.hparams.get("config") or {}).get("start"),
           "operator_start_epoch": getattr(task, "operator_start_epoch", None),
           "branch_start_epoch": getattr(task, "branch_start_epoch", None),
           "val_loss": float(m.get("val_loss", float("nan"))),
           "train_loss": float(m.get("train_loss", float("nan")))}
    branch = getattr(net, "graph_head", None) is not None and net.branch_on
    full, row = [], []
    for b in DataLoader([ds[i] for i in range(len(ds))], batch_size=64):
        logits, _ = net(b)
        full.append(logits)
        if branch:
            net.branch_on = False
            row.append(net(b)[0])
            net.branch_on = True
    full = torch.cat(full)
    rec["test_auc"] = _frame_auc(ds, segment_scores(full))
    if branch:
        row = torch.cat(row)
        rec["test_auc_row"] = _frame_auc(ds, segment_scores(row))
        rec["test_auc_branch"] = _frame_auc(ds, segment_scores(full - row))
        active, held, ys = [], [], []
        hook = net.graph_head.convs[0].register_forward_hook(
            lambda mod, inp, out: active.append(float((out > 0).float().mean())))
        net.branch_on = True
        for b in task.trainer.val_dataloaders:
            net(b)
            net.branch_on = False
            held.append(video_scores(net(b)[0], task.topk))
            net.branch_on = True
            ys.append(b.y.view(-1).float())
        hook.remove()
        rec["val_loss_row"] = float(F.binary_cross_entropy(
            torch.cat(held).clamp(1e-6, 1 - 1e-6), torch.cat(ys)))
        rec["branch_active"] = sum(active) / len(active)
    a = net.lego.fusion.A.detach()
    rec["A_product"] = float(a[(1,) * a.dim()])
    rec["A_abs_sum"] = float(a.abs().sum())
    return rec


def main(argv: list[str]) -> int:
    cut = argv.index("--") if "--" in argv else len(argv)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trace", required=True, help="JSON lines written here (appended)")
    p.add_argument("--branch-centre", action="store_true", help="the probe above")
    args = p.parse_args(argv[:cut])
    os.environ.setdefault("MPLBACKEND", "Agg")  # as the pyg-fusion command does
    from pyg_fusion.cli import main as cli_main
    from pyg_fusion.methods import vad as methods_vad
    from pyg_fusion.training.vad import WeaklySupervisedVAD
    validation_end = WeaklySupervisedVAD.on_validation_epoch_end

    def traced(task):
        validation_end(task)
        if task.sanity_checking or task.eval_dataset is None:
            return
        training = task.model.training
        with torch.random.fork_rng(), torch.no_grad():
            task.model.eval()
            try:
                rec = _record(task)
            finally:
                task.model.train(training)
        with open(args.trace, "a") as f:
            f.write(json.dumps(rec) + "\n")

    WeaklySupervisedVAD.on_validation_epoch_end = traced
    if args.branch_centre:
        def forward(self, data):
            xs = methods_vad.center_videos(
                methods_vad.dense_sources(data, self.sources, self.num_segments), self.center)
            fused = self.lego(xs)
            g = fused.to_dense()
            logits = self.head(g)
            if self.graph_head is None or not self.branch_on:
                return logits, g
            b, n = g.shape[:2]
            x = torch.cat([xs[s] for s in self.sources], -1)
            x = (x - x.mean(1, keepdim=True)).abs()
            x = (x - x.mean(1, keepdim=True)).reshape(b * n, -1)
            ei, w = fused.to_sparse()
            return logits + self.branch_scale * self.graph_head(x, ei, w).view(b, n), g
        methods_vad.VADLEGO.forward = forward
    return cli_main(["compare", *argv[cut + 1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
