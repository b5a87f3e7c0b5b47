"""Probes of how lego's GraphHead branch reads its input, beside ``pyg-fusion
compare``; not options of the library (it patches the VAD task and the model
class process-wide, so it is kept for the record and reverted).

The branch reads ``|x - mean|`` per segment (the mean over the video's
segments), nonnegative with an L1 norm of about 170 on SyntheticVAD's 192
features: one Adam step of about ``lr`` on every weight of a first-layer unit,
of one sign where the gradient's is, moves its pre-activation on every segment
by up to ``lr`` times that norm at once. ``MODE`` is one of

- ``standardize``: the input minus its per-feature mean, divided by its
  per-feature std, both over the training segments of the run's training
  videos (the held-out videos excluded), computed once when training starts
  and kept as buffers (an affine change of the first layer's input: the same
  functions, with the common mode moved by the bias alone);
- ``scale_mean``: the input divided by its per-feature mean over the same
  segments (no centring);
- ``lrfirst:F``: the input as it is; Adam's learning rate of the first
  layer's weights (both of its GraphConv's linear maps, not the bias) is
  ``lr * F``, ``F = auto`` being 1 / (the input's mean L1 norm per training
  segment).

After every validation one JSON line goes to ``TRACE``: the start, the epoch,
the held-out and training loss and the share of the first layer's units
active (pre-activation > 0) on the held-out segments. The runs' choices and
records are the command's (nothing here chooses).

    python benchmarks/vad_branch_input_probe.py MODE TRACE -- \\
        --dataset synthetic-vad --relational-shift 4 --method lego --seeds 0..4 \\
        --threads 1 --no-progress --out runs/probe
"""
from __future__ import annotations

import json
import os
import sys

import torch
from torch_geometric.loader import DataLoader


def _deviation(net, data):
    from pyg_fusion.methods import vad as mv
    xs = mv.center_videos(mv.dense_sources(data, net.sources, net.num_segments), net.center)
    x = torch.cat([xs[s] for s in net.sources], -1)
    return xs, (x - x.mean(1, keepdim=True)).abs()


def _training_inputs(ds, net) -> torch.Tensor:
    batch = next(iter(DataLoader([ds[i] for i in range(len(ds))], batch_size=len(ds))))
    with torch.no_grad():
        d = _deviation(net, batch)[1]
    return d.reshape(-1, d.shape[-1])


def main(argv: list[str]) -> int:
    cut = argv.index("--")
    mode, trace = argv[0], argv[1]
    os.environ.setdefault("MPLBACKEND", "Agg")  # as the pyg-fusion command does
    from pyg_fusion.cli import main as cli_main
    from pyg_fusion.methods import vad as mv
    from pyg_fusion.training.vad import WeaklySupervisedVAD

    def has_branch(net):
        return getattr(net, "graph_head", None) is not None

    def forward(self, data):
        xs, x = _deviation(self, data)
        fused = self.lego(xs)
        g = fused.to_dense()
        logits = self.head(g)
        if self.graph_head is None or not self.branch_on:
            return logits, g
        b, n = g.shape[:2]
        if hasattr(self, "probe_shift"):
            x = (x - self.probe_shift) / self.probe_scale
        ei, w = fused.to_sparse()
        return logits + self.branch_scale * self.graph_head(
            x.reshape(b * n, -1), ei, w).view(b, n), g

    train_start = WeaklySupervisedVAD.on_train_start

    def on_train_start(task):
        train_start(task)
        net = task.model
        if not has_branch(net) or hasattr(net, "probe_shift"):
            return
        d = _training_inputs(task.trainer.train_dataloader.dataset, net)
        mu, sd = d.mean(0), d.std(0).clamp_min(1e-6)
        shift, scale = (mu, sd) if mode == "standardize" else (torch.zeros_like(mu),
                                                                mu.clamp_min(1e-6))
        net.register_buffer("probe_shift", shift)  # in the state dict: the chosen epoch's
        net.register_buffer("probe_scale", scale)
        print(f"[probe] {mode}: {d.shape[0]} training segments, mean L1 "
              f"{float(d.sum(1).mean()):.1f}, per-feature mean {float(mu.mean()):.3f}, "
              f"std {float(sd.mean()):.3f}", flush=True)

    def configure_optimizers(task):
        net, arg = task.model, mode.split(":")[1]
        if task.operator_lr is not None:
            raise SystemExit("lrfirst: not with --operator-lr")
        first, factor = set(), 1.0
        if has_branch(net):
            first = {id(p) for name, p in net.graph_head.convs[0].named_parameters()
                     if name.endswith("weight")}
            if arg == "auto":
                d = _training_inputs(task.trainer.fit_loop._data_source.instance.dataset, net)
                factor = 1.0 / float(d.sum(1).mean())
            else:
                factor = float(arg)
            print(f"[probe] the first layer's weights at lr x {factor:.5g}", flush=True)
        groups = [{"params": [p for p in task.parameters() if id(p) not in first]},
                  {"params": [p for p in task.parameters() if id(p) in first],
                   "lr": task.lr * factor}]
        return torch.optim.Adam([g for g in groups if g["params"]], lr=task.lr,
                                weight_decay=task.weight_decay)

    validation_end = WeaklySupervisedVAD.on_validation_epoch_end

    def traced(task):
        validation_end(task)
        net = task.model
        if task.sanity_checking or not has_branch(net) or not net.branch_on:
            return
        active = []
        hook = net.graph_head.convs[0].register_forward_hook(
            lambda mod, inp, out: active.append(float((out > 0).float().mean())))
        training = net.training
        with torch.random.fork_rng(), torch.no_grad():
            net.eval()
            try:
                for b in task.trainer.val_dataloaders:
                    net(b)
            finally:
                net.train(training)
                hook.remove()
        m = task.trainer.callback_metrics
        with open(trace, "a") as f:
            f.write(json.dumps({"epoch": task.current_epoch,
                                "start": (task.hparams.get("config") or {}).get("start"),
                                "val_loss": float(m.get("val_loss", float("nan"))),
                                "train_loss": float(m.get("train_loss", float("nan"))),
                                "active": sum(active) / max(len(active), 1)}) + "\n")

    if mode.startswith("lrfirst:"):
        WeaklySupervisedVAD.configure_optimizers = configure_optimizers
    elif mode in ("standardize", "scale_mean"):
        WeaklySupervisedVAD.on_train_start = on_train_start
        mv.VADLEGO.forward = forward
    else:
        raise SystemExit(f"MODE must be standardize, scale_mean or lrfirst:F, got {mode!r}")
    WeaklySupervisedVAD.on_validation_epoch_end = traced
    return cli_main(["compare", *argv[cut + 1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
