"""``pyg-fusion plot KIND``: renders one figure of :mod:`pyg_fusion.visualize`
from saved results (JSON), a checkpoint or a data set, as a PNG, PDF or SVG file."""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from ..specs.options import flag
from . import CLIError, ListFlag, finite_float, nonneg_int, out_file, out_folder, positive_int
from ._config_flags import add_force_reload_argument
from ._help import RawDescriptionHelpFormatter
from ._flag_types import input_path, method_text, per_source
from ._process import add_threads_argument
from ._plot_run_files import check_input_file
from .evaluate import check as check_checkpoint
from ._plot_inputs import (DATASETS, INPUTS_HELP, _load_graph, _load_operator_file,  # noqa: F401
                           _need_input, checkpoint_sources, checkpoint_title,
                           fused_from_checkpoint, is_plain,
                           load_state_dict, needs_input, operator_from_state,
                           rebuild_from_checkpoint, subsample)
from ._plot_scores import load_scores, scores_from_checkpoint  # noqa: F401
from ._plot_graph import check_graph_dataset_name, check_source_flags, node_link_figure

KINDS = ("relation-graph", "adjacency", "powers", "operator", "pq-sensitivity",
         "anomaly-scores", "sparse-vs-dense")

# P + 1 panels per source, each a dense N x N power: a larger P is no
# readable figure and only costs memory and time
MAX_POWERS = 16

# The flags each KIND reads (besides --out, --threads); any other one given is
# an error, rather than a figure that silently ignored it.
READS = {
    "relation-graph": {"input", "checkpoint", "dataset", "root", "index", "source", "k",
                       "max_nodes", "top_k", "layout", "force_reload"},
    "adjacency": {"input", "checkpoint", "dataset", "root", "index", "sources", "k",
                  "max_nodes", "force_reload"},
    "powers": {"input", "checkpoint", "dataset", "root", "index", "sources", "k",
               "num_powers", "norm", "max_nodes", "force_reload"},
    "operator": {"input", "checkpoint"},
    "pq-sensitivity": {"input", "dataset", "metric", "setting", "method"},
    "anomaly-scores": {"input", "checkpoint", "root", "frames_per_snippet", "max_videos",
                       "threshold", "force_reload"},
    "sparse-vs-dense": {"input", "batch", "scatter"},
}
# the inputs of a figure, of which one is read
INPUTS = ("input", "checkpoint", "dataset")


def _check_flags(args) -> None:
    given = [d for d, v in args._plot_defaults.items()
             if d not in ("out", "threads", "help") and getattr(args, d, v) != v]
    for d in ("source", "sources"):
        if d in given and not getattr(args, d).replace(",", "").strip():
            raise CLIError(f"{flag(d)} names no source, got {getattr(args, d)!r}")
    unread = [flag(d) for d in given if d not in READS[args.kind]]
    if unread:
        raise CLIError(f"{args.kind} does not read {', '.join(unread)}; it reads "
                       f"{', '.join(sorted(map(flag, READS[args.kind])))}")
    powers = args.num_powers  # one P, or one per source (SOURCE=P,...) as train's
    if max(powers.values() if isinstance(powers, dict) else [powers]) > MAX_POWERS:
        # train's --num-powers has no cap: checked here
        raise CLIError(f"--num-powers must be at most {MAX_POWERS} for a figure, got "
                       f"{args.num_powers}")
    if not (args.checkpoint or args.dataset) and any(d in given for d in ("root", "index")):
        raise CLIError("--root and --index choose the data of --checkpoint or --dataset, "
                       "and neither is given")
    if not (args.checkpoint or args.dataset) and "force_reload" in given:
        raise CLIError("--force-reload rebuilds the cache of the data of --checkpoint or "
                       "--dataset, and neither is given")
    inputs = [d for d in INPUTS if d in given and (d != "dataset" or
                                                   args.kind != "pq-sensitivity")]
    if len(inputs) > 1:
        raise CLIError(f"{args.kind} reads one input; got {' and '.join(map(flag, inputs))}")
    if args.checkpoint and args.kind == "relation-graph":  # it draws the fused G
        ignored = [flag(d) for d in ("source", "k") if d in given]
        if ignored:
            raise CLIError(f"relation-graph --checkpoint draws the fused G (--top-k edges "
                           f"per node), so {', '.join(ignored)} would not be read")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "plot", help="render a figure from saved results, a checkpoint or a data set",
        description="Render one figure of pyg_fusion.visualize as a PNG, PDF or SVG "
                    "file (by the suffix of --out).",
        epilog=INPUTS_HELP, formatter_class=RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    p.add_argument("--out", type=out_file, required=True, help="figure file to write: .png, .pdf or .svg")
    g = p.add_argument_group("inputs")
    g.add_argument("--input", type=input_path, help="saved results (JSON) or graph (.pt)")
    g.add_argument("--checkpoint", type=input_path, help="a checkpoint of a trained model")
    g.add_argument("--dataset", help="data set to load (graph kinds: "
                   f"{', '.join(DATASETS)}); for pq-sensitivity: selects its records")
    g.add_argument("--root", type=out_folder,
                   help="data set folder (default: with --checkpoint the one its training "
                   "run recorded, as pyg-fusion evaluate; else runs/data, as pyg-fusion train)")
    g.add_argument("--index", type=nonneg_int, default=0, help="graph of the data set (default 0)")
    add_force_reload_argument(g)
    g = p.add_argument_group("graphs")
    g.add_argument("--source", help="source to draw (relation-graph; default: the first)")
    g.add_argument("--sources", action=ListFlag,
                   help="comma-separated sources (adjacency, powers; "
                   "default: all, at most 4)")
    g.add_argument("--k", type=positive_int, default=10,
                   help="neighbours per node of the k-NN graph of a source that stores no "
                   "graph of its own (edge_index_<source>: drawn as stored) (default 10)")
    g.add_argument("--num-powers", type=per_source(nonneg_int), default=3,
                   help=f"P for powers, at most {MAX_POWERS}, or one per source as "
                   f"SOURCE=P,SOURCE=P,... (default 3)")
    g.add_argument("--norm", default="sym", choices=("sym", "row", "none"),
                   help="normalisation of the powers (default sym)")
    g.add_argument("--max-nodes", type=positive_int, default=300,
                   help="draw a seeded random subset of at most this many nodes "
                   "(default 300)")
    g.add_argument("--top-k", type=positive_int, help="strongest edges per node (relation-graph; "
                   "default: every edge, 5 of a checkpoint's fused G)")
    g.add_argument("--layout", default="spring", choices=("spring", "circular", "temporal"),
                   help="node positions of the graph drawing (default spring)")
    g = p.add_argument_group("results")
    g.add_argument("--metric", help="pq-sensitivity: the metric to draw (default: the "
                   "sweep's main metric)")
    g.add_argument("--setting", help="pq-sensitivity: the VAD setting to draw")
    g.add_argument("--method", type=method_text, help="pq-sensitivity: the method to draw")
    g.add_argument("--batch", type=positive_int, help="sparse-vs-dense: batch size to draw")
    g.add_argument("--scatter", help="sparse-vs-dense: scatter implementation to draw")
    g.add_argument("--frames-per-snippet", type=positive_int, default=None,
                   help="anomaly-scores: frames per snippet (default: from the file, else 16)")
    g.add_argument("--max-videos", type=positive_int, default=8, help="anomaly-scores: videos drawn")
    g.add_argument("--threshold", type=finite_float,
                   help="anomaly-scores: decision threshold (default: none drawn)")
    add_threads_argument(p)
    # run() refuses a flag that KIND does not read, by its value against these
    p.set_defaults(func=run, check=_check_plot, _plot_defaults={a.dest: a.default for a in p._actions
                                             if a.option_strings})


def _check_plot(args) -> None:
    """plot's ``check`` (:func:`pyg_fusion.cli.main` calls it before torch
    loads): the flags that KIND reads, the figure's format and KIND's input
    (given, a file, JSON or a file of torch.save as KIND reads, a data set
    of graph figures), which waited for the figures' imports (torch: seconds)."""
    from .._files import FORMATS
    _check_flags(args)
    if Path(args.out).suffix.lower() not in FORMATS:
        raise CLIError(f"--out must name a {', '.join(FORMATS)} file, got {args.out!r}")
    # the input that KIND reads (pq-sensitivity's --dataset only selects records)
    given = [d for d in INPUTS if d in READS[args.kind] and getattr(args, d)
             and (d != "dataset" or args.kind != "pq-sensitivity")]
    if not given:
        raise needs_input(args.kind)
    if args.input:
        _need_input(args)
        check_input_file(args.input, args.kind)
    if args.checkpoint:
        check_checkpoint(args)
    if given == ["dataset"]:
        from ..experiments._data_config import DataConfig, source_names
        check_graph_dataset_name(args.dataset)
        check_source_flags(args.source, args.sources, source_names(DataConfig(dataset=args.dataset)))


def run(args) -> int:
    from .. import visualize as V
    out = Path(args.out)  # checked by _check_plot
    with _figure_folder(args.out):
        fig = _draw(V, args, out)
    import matplotlib.pyplot as plt
    plt.close(fig)
    print(f"wrote {out}")
    return 0


@contextlib.contextmanager
def _figure_folder(out: str):
    """The figure's folder, made and written to before any work (one that
    cannot be failed once the figure was drawn, naming no flag); the folders
    made are removed again when the command fails."""
    from .._files import made_folder
    folder = os.path.dirname(os.path.abspath(out))
    with contextlib.ExitStack() as made:
        try:
            made.enter_context(made_folder(folder))
            tempfile.TemporaryFile(dir=folder).close()  # nameless where the system allows
        except OSError as exc:  # named by the folder, not the probe's random name
            raise CLIError(f"--out {out}: cannot write there ({folder}: "
                           f"{exc.strerror or exc})") from exc
        yield


def _draw(V, args, out):
    kind = args.kind
    if kind == "sparse-vs-dense":
        path = _need_input(args)
        fig = _from_input(path, lambda: V.plot_sparse_vs_dense(
            path, batch=args.batch, scatter=args.scatter, path=out))
    elif kind == "pq-sensitivity":
        path = _need_input(args)
        from .sweep import figure_kind
        chosen = dict(metric=args.metric, dataset=args.dataset, method=args.method,
                      setting=args.setting)

        def draw():  # the panels sweep drew for this grid
            _, _, ps, qs, _ = V.load_pq_grid(path, **chosen)
            return V.plot_pq_sensitivity(path, **chosen, kind=figure_kind(ps, qs), path=out)
        fig = _from_input(path, draw)
    elif kind == "anomaly-scores":
        if args.checkpoint:
            scores, gt, fps = scores_from_checkpoint(args.checkpoint, args.root,
                                                     args.force_reload)
            def origin(rates):
                return (f"the checkpoint's test videos have {rates} frames per snippet (its "
                        f"data's snippet_len)")
        else:
            scores, gt, fps = load_scores(_need_input(args))
            def origin(rates):
                return f"{args.input} records {rates} frames per snippet (frames_per_snippet)"
        title = checkpoint_title(args.checkpoint, "snippet anomaly scores of the test "
                                 "videos") if args.checkpoint else None
        fig = _scores_figure(V, args, scores, gt, fps, origin, title, out)
    elif kind == "operator":
        if args.checkpoint:
            A, op_kind = operator_from_state(load_state_dict(args.checkpoint),
                                             args.checkpoint,
                                             *checkpoint_sources(args.checkpoint))
        elif args.input:
            A, op_kind = _load_operator_file(_need_input(args))
            return _from_input(args.input, lambda: V.plot_fusion_operator(
                A, kind=op_kind, path=out))
        else:
            raise needs_input(kind)
        fig = V.plot_fusion_operator(A, kind=op_kind, path=out, title=checkpoint_title(
            args.checkpoint, "learned fusion operator") if args.checkpoint else None)
    else:
        data, note, fused = _load_graph(args)
        fig = _plot_graph_kind(V, kind, data, args, note, out, fused)
    return fig


def _scores_figure(V, args, scores, gt, fps, origin, title, out):
    """The anomaly-scores figure at the frames per snippet of the videos
    (``fps``: one, ``{video: f}``, or ``None`` where the file records none:
    ``--frames-per-snippet``, else 16; ``origin(rates)``: whence ``fps``), whose errors name plot's flags."""
    recorded = {r for r in (fps.values() if isinstance(fps, dict) else [fps])
                if r is not None}
    given = args.frames_per_snippet
    if given is not None and recorded - {given}:  # the data's own, not a choice
        rates = ", ".join(map(str, sorted(recorded)))
        raise CLIError(f"--frames-per-snippet {given}: {origin(rates)}, the frames of "
                       f"their ground truth; leave the flag out")
    default = given if given is not None else 16
    rates = {k: default if r is None else r for k, r in fps.items()} \
        if isinstance(fps, dict) else default if fps is None else fps
    try:
        return V.plot_anomaly_scores(scores, gt, frames_per_snippet=rates,
                                     threshold=args.threshold, max_videos=args.max_videos,
                                     title=title, path=out)
    except ValueError as exc:
        # the figure names its Python arguments, which are plot's flags here but
        # for a frames_per_snippet that the file records, and the file's content
        flags = {"threshold": "--threshold", "max_videos": "--max-videos"}
        if not recorded:
            flags["frames_per_snippet"] = "--frames-per-snippet"
        said = re.sub(rf"\b({'|'.join(flags)})\b(=)?",
                      lambda m: flags[m[1]] + (" " if m[2] else ""), str(exc))
        if args.input and not said.startswith("--"):
            said = f"--input {args.input}: {said}"
        raise CLIError(said) from exc


# how the figures' ValueErrors name the arguments that select records
# (dataset='c', "choose one with dataset=..."), which the CLI's flags give
_SELECTION = re.compile(r"\b(metric|dataset|method|setting)=('(?:[^'\\]|\\.)*'|\.\.\.)")


def _from_input(path: str, draw):
    """``draw()``, the figure of the file ``--input`` names, whose errors of
    the file's content (a ValueError naming the Python argument it fills:
    ``results``, ``bench_json``, ``A``) name the file, and the flags that
    select its records, not the Python arguments."""
    try:
        return draw()
    except ValueError as exc:
        said = _SELECTION.sub(lambda m: f"--{m[1]}" + ("" if m[2] == "..." else f" {m[2]}"),
                              str(exc))
        raise CLIError(f"--input {path}: {said}") from exc


def _sources(data, wanted: str | None, limit: int = 4) -> list[str]:
    from ..data import source_names
    have = [s for s in source_names(data) if data[f"x_{s}"].size(0) == data.num_nodes]
    if not have:
        raise CLIError("the graph holds no node-level source (x_<source>)")
    if wanted:
        check_source_flags(None, wanted, have)
        return [s.strip() for s in wanted.split(",") if s.strip()]
    return have[:limit]


def _plot_graph_kind(V, kind, data, args, note, out, fused=None):

    import torch

    from ..functional import graph_powers
    from ..visualize._common import source_graph, tex_name
    from ..visualize._pyg_objects import plain_graph
    labels = data.get("y")
    if labels is not None and (labels.dim() != 1 or labels.numel() != data.num_nodes):
        labels = None
    from ..visualize._values import data_class_names
    # the classes as the user named them (a tables run's labels), else their ids
    names = None if labels is None else data_class_names(data, None)
    if kind == "relation-graph" and fused is not None:
        ei, w, n = fused if isinstance(fused, tuple) else (fused, None, None)
        fig = node_link_figure(lambda: V.plot_relation_graph(
            ei, w, num_nodes=n, top_k=args.top_k or 5, layout=args.layout, labels=labels, label_names=names))
        fig.axes[0].set_title(f"fused graph $G$, top-{args.top_k or 5} edges per node\n"
                              f"{note}", fontsize=9)
        return _save(fig, out)
    plain = is_plain(data)
    if plain:  # a plain PyG graph: its own edge_index, as the API draws it
        unread = [flag(d) for d in ("source", "sources", "k")
                  if getattr(args, d) != args._plot_defaults[d]]
        if unread:
            raise CLIError(f"the graph is a plain PyG Data (its edge_index, no sources "
                           f"x_<source>): {', '.join(unread)} would not be read")
    if kind == "relation-graph":
        if not plain:  # the figure's own error named no flag
            from ..data import source_names
            check_source_flags(args.source, None, source_names(data))
        source = None if plain else args.source or _sources(data, None, 1)[0]
        if not plain:
            _check_k_is_read(data, [source], args)
        fig = node_link_figure(lambda: V.plot_relation_graph(
            data, source=source, k=args.k, top_k=args.top_k, layout=args.layout,
            labels=labels, label_names=names))
        fig.axes[0].set_title(fig.axes[0].get_title() + f"\n{note}", fontsize=9)
        return _save(fig, out)
    sources = ["G"] if plain else _sources(data, args.sources)
    if not plain:
        _check_k_is_read(data, sources, args)
    graphs = {}
    for s in sources:  # the stored edge_index_<s>, else the --k graph of x_<s>
        ei, w, n = plain_graph(data) if plain else source_graph(data, s, k=args.k)
        # edge lists, drawn without an [N, N] matrix (memory O(E), any N)
        graphs[s] = (ei, None if w is None else w.float(), n)
    if kind == "adjacency":
        # beside a checkpoint's fused G, the R panels are this plot's --k graphs of
        # the (subsampled) units, not the model's own: the title says so
        knn = f"plot's {args.k}-NN" if fused is not None else f"{args.k}-NN"
        panels = {"graph $G$ (edge_index)": graphs["G"]} if plain else {
            f"$R_{{{tex_name(s)}}}$ ({'stored' if _stored(data, s) else knn})": g
            for s, g in graphs.items()}
        if fused is not None:
            panels["fused $G$"] = fused
        fig = V.plot_adjacency(panels, labels=labels, label_names=names,
                               shared_scale=fused is None,
                               show_diagonal=fused is None, robust=fused is not None)
    else:
        norm = None if args.norm == "none" else args.norm
        num = args.num_powers
        if isinstance(num, dict) and set(sources) - set(num):
            raise CLIError(f"--num-powers gives P for {', '.join(sorted(num))}, not for "
                           f"{', '.join(sorted(set(sources) - set(num)))}: give one P for "
                           f"every source drawn")
        # the library's sparse powers (GraphPowerExpansion's path): memory of
        # their entries, never of N x N
        powers = {s: (*graph_powers(ei, torch.ones(ei.size(1)) if w is None else w, n,
                                    num[s] if isinstance(num, dict) else num, norm=norm), n)
                  for s, (ei, w, n) in graphs.items()}
        fig = V.plot_power_expansion(powers, labels=labels, label_names=names)
    fig.suptitle((fig._suptitle.get_text() + "\n" if fig._suptitle else "") + note,
                 fontsize=9)
    return _save(fig, out)


def _stored(data, source: str) -> bool:
    return data.get(f"edge_index_{source}") is not None


def _check_k_is_read(data, sources, args) -> None:
    # a source's stored graph is drawn as it is: --k would build none
    if args.k != args._plot_defaults["k"] and all(_stored(data, s) for s in sources):
        raise CLIError(f"--k builds the k-NN graph of a source without a stored graph; "
                       f"{', '.join(f'edge_index_{s}' for s in sources)} of the graph "
                       f"{'is' if len(sources) == 1 else 'are'} drawn as stored, so --k "
                       f"would not be read")


def _save(fig, out):
    from ..visualize._common import finish
    return finish(fig, out)
