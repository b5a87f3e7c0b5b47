"""``pyg-fusion demo``: the main job on bundled data, in a few minutes on a
2-core CPU: LEGO and baselines on the digits (5% labels; with the views'
features, and graph-only by label propagation) and on SyntheticVAD, a results
table, ``results.json`` and figures."""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from ._help import HelpFormatter
from .._files import write_text
from ._config_flags import add_force_reload_argument
from ._process import add_accelerator_argument, add_progress_argument, add_threads_argument
from . import out_folder, positive_int, seed_int
from .._files import write_json
from ..specs.method_spec import MethodSpec
from ..experiments.data import DataConfig, TaskData, load_data
from ..experiments.records import format_table, make_records
from ..experiments.run import run_method

HELP = "LEGO and baselines on the bundled digits and on SyntheticVAD (a few minutes)"

# A short budget: one seed and fewer epochs than the README study
# (`pyg-fusion compare`, 5 seeds); the demo says so in its output.
DIGITS_METHODS = ["lego", "lego-cp", "single-fac", "single-fou", "single-kar", "single-mor",
                  "single-pix", "single-zer", "feature-concat", "graph-pix", "graph-mean",
                  "graph-product", "gcn-mean"]
# Graph only (label propagation over each method's graph): the fused graph
# against the best view's graph and the uniform mean of the six graphs.
DIGITS_GRAPH_METHODS = ["lego", "graph-pix", "graph-kar", "graph-fac", "graph-mean"]
VAD_METHODS = ["lego", "lego-cp", "single-i3d", "single-c3d", "single-swin", "feature-concat",
               "mtn", "graph-concat", "graph-mean"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo", help=HELP, description=HELP + ". Writes OUT/results.json, OUT/results.txt "
        "and PNG figures: the relationship graph of each view beside LEGO's fused graph, "
        "and the learned operators A.",
        formatter_class=HelpFormatter)
    p.add_argument("--out", type=out_folder, default="runs/demo", help="output folder")
    p.add_argument("--root", type=out_folder, default="runs/data", help="dataset folder")
    add_force_reload_argument(p)
    p.add_argument("--seed", type=seed_int, default=0, help="seed")
    p.add_argument("--node-epochs", type=positive_int, default=40, help="epochs on the digits")
    p.add_argument("--graph-epochs", type=positive_int, default=40,
                   help="epochs on the digits, graph only (label propagation)")
    p.add_argument("--vad-epochs", type=positive_int, default=20, help="epochs on SyntheticVAD")
    p.add_argument("--full", action="store_true",
                   help="every method of the registry instead of the demo's selection")
    add_threads_argument(p)
    add_accelerator_argument(p)
    add_progress_argument(p)
    p.set_defaults(func=run)


def _figure_files(kind: str, prefix: str = "digits") -> dict[str, str]:
    """The files :func:`_figures` writes for LEGO's run of task ``kind``, by
    figure: the one list of the demo's figure names (:data:`FIGURES`)."""
    if kind == "node":
        return {"graphs": f"{prefix}_graphs.png", "operator": f"{prefix}_operator_A.png"}
    return {"graphs": "vad_graphs.png", "operator": "vad_operator_A.png",
            "scores": "vad_scores.png"}


def _figures(out: Path, td: TaskData, task, kind: str, prefix: str = "digits",
             run: str = "") -> list[str]:
    """The figures of LEGO's run; ``run`` (e.g. ``"seed 0, 40 epochs"``) ends
    every title, which names the data, since a graph-only figure looks like
    the one with the views' features."""
    import torch
    from .. import visualize as V
    from ..functional import dense_relation_graph
    from ..methods._node_common import shared_relation_graph
    written, files = [], _figure_files(kind, prefix)
    model = task.model
    model.eval()
    with torch.no_grad():
        if kind == "node":
            data = td.graph
            k = 10
            # the views' graphs the node models built (the same function of the same
            # features): the figure reuses them instead of 12 more kNN searches
            graphs = {f"R_{s}": shared_relation_graph(data[f"x_{s}"], k) for s in model.sources}
            graphs["G (LEGO)"] = model.fused_graph(data)
            # one colour scale per panel: the normalised fused graph is orders of
            # magnitude below the cosine weights of the views
            on = ("digits, graph only (label propagation)" if prefix != "digits"
                  else "digits (UCI multiple features, 5% labels)")
            V.plot_adjacency(graphs, num_nodes=data.num_nodes, labels=data.y, ncols=4,
                             show_diagonal=False, shared_scale=False,
                             title=f"Each view's cosine {k}-NN graph R and LEGO's fused graph "
                                   f"G: {on}, {run}",
                             path=out / files["graphs"])
            written.append(files["graphs"])
            V.plot_fusion_operator(model.fusion, title=f"LEGO's learned operator A: {on}, {run}",
                                   path=out / files["operator"])
            written.append(files["operator"])
        else:
            from torch_geometric.data import Batch
            ds = td.test
            i = next(j for j in range(len(ds)) if int(ds[j].y) == 1)
            video = Batch.from_data_list([ds[i]])
            logits, g = model(video)
            graphs = {f"R_{s}": dense_relation_graph(ds[i][f"x_{s}"]) for s in model.sources}
            graphs["G (LEGO)"] = g[0]
            V.plot_adjacency(graphs, order="time", show_diagonal=False, shared_scale=False,
                             title=f"Each view's snippet graph R and LEGO's fused graph G: "
                                   f"SyntheticVAD test video {ds[i].video} (anomalous), {run}",
                             path=out / files["graphs"])
            written.append(files["graphs"])
            V.plot_fusion_operator(model.fusion,
                                   title=f"LEGO's learned operator A: SyntheticVAD, {run}",
                                   path=out / files["operator"])
            written.append(files["operator"])
            if task.last_videos:
                # the tested videos' scores as the test ranked them (scores.json's)
                tested = task.last_videos
                picks = [v for v in tested if v.get("label") == 1][:2] + \
                        [v for v in tested if v.get("label") == 0][:1]
                scores = {v["name"]: v["frame_scores"] for v in picks}
                gts = {v["name"]: v["gt"] for v in picks}
                V.plot_anomaly_scores(scores, gts, frames_per_snippet=1,
                                      title=f"LEGO's anomaly scores on SyntheticVAD test "
                                            f"videos, {run}",
                                      path=out / files["scores"])
                written.append(files["scores"])
    return written


# the figures the demo may write (_figures of its LEGO runs: the digits, graph
# only, SyntheticVAD), published into --out with its results
FIGURES = tuple(f for kind, prefix in (("node", "digits"), ("node", "digits_graph_only"),
                                       ("vad", "vad"))
                for f in _figure_files(kind, prefix).values())


def run(args) -> int:
    from ..specs.method_names import method_names
    from .._publish import staged_folder
    from ._runs import notice_earlier_run
    from ..experiments._run_folders import check_out_entries
    t0 = time.perf_counter()
    out = Path(args.out)
    check_out_entries(out, ("results.json", "results.txt", *FIGURES), ("runs",))
    notice_earlier_run(out, ("results.json",), "run", "the demo's results.json, results.txt, "
                       "figures and runs/ replace its own once the demo finishes; its other "
                       "files stay")
    print(f"pyg-fusion demo: seed {args.seed}, {args.node_epochs} epochs on the digits "
          f"({args.graph_epochs} graph only) and {args.vad_epochs} on SyntheticVAD. A short "
          "budget: one seed and fewer epochs than the README's study (`pyg-fusion compare`, "
          "5 seeds).", flush=True)
    records, figures = [], []
    jobs = []
    digits_config = DataConfig("digits", args.root)
    vad_config = DataConfig("synthetic-vad", args.root)
    digits = load_data(digits_config, args.seed, force_reload=args.force_reload)
    # the same cache: loaded as the first load left it
    digits_graph = load_data(digits_config, args.seed, features="labels")
    vad = load_data(vad_config, 0, force_reload=args.force_reload)
    for td, chosen, epochs, features in (
            (digits, DIGITS_METHODS, args.node_epochs, None),
            (digits_graph, DIGITS_GRAPH_METHODS, args.graph_epochs, "labels"),
            (vad, VAD_METHODS, args.vad_epochs, None)):
        names = method_names(td.task, list(td.in_channels), features)
        chosen = names if args.full else [m for m in chosen if m in names]
        jobs += [(td, m, epochs, features) for m in chosen]
    with staged_folder(out, "demo") as stage:  # an interrupted demo leaves out as it was
        _run_jobs(Path(stage), jobs, args, records, figures)
    node = [r for r in records if r["dataset"] == "digits"]
    vadr = [r for r in records if r["dataset"] == "synthetic-vad"]
    print(_table(node, vadr))
    print(f"\nwrote {out / 'results.json'}, {out / 'results.txt'} and figures "
          f"{', '.join(figures)} in {time.perf_counter() - t0:.0f} s")
    return 0


def _table(node: list[dict], vadr: list[dict]) -> str:
    return ("Digits (UCI multiple features), 5% labels, test accuracy at the best "
            "validation epoch; features=labels: graph only (label propagation over each "
            "method's graph)\n" + format_table(node, ["accuracy", "params",
                                                      "time_per_epoch_s"]) +
            "\n\nSyntheticVAD (multi_representation), frame-level test metrics\n" +
            format_table(vadr, ["auc", "ap", "pr_auc_trapz", "params", "time_per_epoch_s"]))


def _run_jobs(out: Path, jobs: list, args, records: list, figures: list) -> None:
    """Trains every job, appending to ``records`` and ``figures``, and writes
    the results and figures under ``out``."""
    from tqdm.auto import tqdm

    from ..training.accelerators import hardware_record
    bar = tqdm(jobs, desc="demo", disable=args.no_progress)
    for td, method, epochs, features in bar:
        bar.set_postfix_str(f"{td.dataset}{' graph only' if features else ''}: {method}")
        options = {"epochs": epochs, "eval_every": 5}
        if features:
            options["features"] = features
        r, task = run_method(td, method, args.seed,
                             out / "runs" / (td.dataset + (f"_{features}" if features else ""))
                             / method, options=options, progress=False, checkpoint=False,
                             accelerator=args.accelerator)
        # the full config of the run, as compare records it: the method's spec and the data
        # as loaded (what was done: standardize resolved)
        config = {**MethodSpec.create(method, td.task, options).to_dict(),
                  "data": dataclasses.asdict(td.config)}
        records += make_records(td, method, {args.seed: r},
                                extra={"config": config, **hardware_record(args.accelerator)})
        if method == "lego":
            figures += _figures(out, td, task, td.task,
                                "digits_graph_only" if features else "digits",
                                run=f"seed {args.seed}, {epochs} epochs")
    write_json(out / "results.json", records)
    node = [r for r in records if r["dataset"] == "digits"]
    vadr = [r for r in records if r["dataset"] == "synthetic-vad"]
    write_text(out / "results.txt", _table(node, vadr) + "\n")
