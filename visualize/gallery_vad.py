"""Gallery step on synthetic VAD: LEGO and the feature-concat baseline
trained by the library, their anomaly scores, one video's temporal relation
graph and its graphs (see ``gallery.py``)."""
from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the script's module is __main__; importing it would run it again
    from gallery import Gallery

import torch
from tqdm import tqdm

from pyg_fusion import datasets
from pyg_fusion import visualize as V
from pyg_fusion.functional import relation_graph


def train_vad(name: str, widths: dict, num_segments: int, train, test, *, epochs: int,
              lr: float):
    """The library's VAD model ``name``, trained by ``fit_vad`` (MIL top-3 on the
    video labels, epoch chosen on held-out training videos) and scored on
    ``test``, through :func:`pyg_fusion.experiments.run.run_method`. Returns
    (model, task, test metrics)."""
    from pyg_fusion.experiments.data import TaskData
    from pyg_fusion.experiments.run import run_method
    td = TaskData("vad", "synthetic-vad", "multi_representation", widths, train=train,
                  test=test)
    with tempfile.TemporaryDirectory() as tmp:
        metrics, task = run_method(td, name, 0, tmp, options={"epochs": epochs, "lr": lr},
                                   progress=False, checkpoint=False)
    return task.model.eval(), task, metrics


def run_vad(gal: Gallery, args) -> None:
    if not hasattr(datasets, "SyntheticVAD"):
        gal.skip("synthetic VAD", "pyg_fusion.datasets.SyntheticVAD is not available")
        return
    from torch_geometric.data import Batch

    vad_root = os.path.join(args.root, "synthetic_vad")
    kw = dict(num_videos=(args.vad_videos, args.vad_videos), log=False)
    train = datasets.SyntheticVAD(vad_root, "train", **kw)
    test = datasets.SyntheticVAD(vad_root, "test", **kw)
    sources = train[0].sources
    n = train[0][f"x_{sources[0]}"].size(0)
    widths = {s: train[0][f"x_{s}"].size(1) for s in sources}
    test_list = list(test)
    scores, aucs = {}, {}
    for label, name in tqdm([("LEGO", "lego"), ("feature concat", "feature-concat")],
                            desc="VAD"):
        model, task, metrics = train_vad(name, widths, n, train, test,
                                         epochs=args.vad_epochs, lr=3e-3)
        scores[label], aucs[label] = task.last_scores, metrics["auc"]
        if name == "lego":
            with torch.no_grad():
                fused = model(Batch.from_data_list(test_list))[1]
    gal.numbers["vad"] = dict(setting="multi_representation", sources=sources,
                              train_videos=len(train), test_videos=len(test_list),
                              epochs=args.vad_epochs,
                              frame_auc={k: round(v, 4) for k, v in aucs.items()})
    print("VAD frame-level AUC: " + ", ".join(f"{k} {v:.3f}" for k, v in aucs.items()))

    abnormal = [i for i, d in enumerate(test_list) if int(d.y) == 1][:3]
    normal = [i for i, d in enumerate(test_list) if int(d.y) == 0][:1]
    shown = abnormal + normal
    per_method = {m: {test_list[i].video: sc[i][test_list[i].snippet_segment] for i in shown}
                  for m, sc in scores.items()}
    gts = {test_list[i].video: test_list[i].frame_gt for i in shown}
    fig = V.plot_anomaly_scores(per_method, gts, frames_per_snippet=16)
    gal.add(fig, "anomaly_scores", "Anomaly scores (synthetic VAD)",
            "Snippet scores of LEGO and of the feature-concat baseline against "
            "the ground-truth anomalous frames (shaded), three abnormal and one normal test "
            "video; frame AUC over all test videos: "
            + ", ".join(f"{k} {v:.3f}" for k, v in aucs.items()) + ".")

    i = abnormal[0] if abnormal else 0
    d = test_list[i]
    seg_gt = torch.zeros(n)
    seg_gt.index_reduce_(0, d.snippet_segment, d.frame_gt.view(-1, 16).amax(1).float(),
                         "amax", include_self=True)
    best = max(aucs, key=aucs.get)
    fig = V.plot_relation_graph(d, source=sources[0], k=4, scores=scores[best][i],
                                layout="temporal")
    ax = fig.axes[0]
    ax.set_xlabel("segment (time order)")
    for t in seg_gt.nonzero().view(-1).tolist():
        ax.axvspan(t - 0.5, t + 0.5, color="tab:red", alpha=0.12, lw=0)
    ax.set_title(f"$R_{{\\mathrm{{{sources[0]}}}}}$ of test video {d.video} (4-NN, "
                 f"{n} segments in time order); shaded: anomalous segments", fontsize=9)
    gal.add(fig, "relation_graph_temporal", "Temporal relation graph (synthetic VAD)",
            "One abnormal test video: segments on a line in time order, arcs link each "
            f"segment to its 4 most similar ones, nodes coloured by the anomaly score of "
            f"{best} (the better of the two here).")

    panels = {}
    for s in sources:
        ei, w = relation_graph(d[f"x_{s}"], k=None)
        panels[f"$R_{{\\mathrm{{{s}}}}}$"] = (ei, w, n)
    panels["fused $G$"] = fused[i]
    fig = V.plot_adjacency(panels, order="time", shared_scale=False, show_diagonal=False)
    gal.add(fig, "adjacency_vad", "Adjacency in time order (synthetic VAD)",
            "The same video's dense cosine graphs per source and the fused G, segments in "
            "time order (diagonal left out).")
