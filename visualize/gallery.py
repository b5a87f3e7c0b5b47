"""Renders every figure of ``pyg_fusion.visualize`` from a short run on the
bundled data, and an ``index.html`` that shows them with one line each.

    python visualize/gallery.py --out runs/gallery

Steps (each with a progress bar; a data set or benchmark that this version
of pyg_fusion lacks is skipped and listed as such in the index):

1. UCI digits (``MultiFeatureDigits``, bundled): a stratified subset of
   ``--digits-nodes`` nodes, three views; one relation graph per view
   (``k``-NN, cosine), its powers, a pairwise LEGO operator and a
   ``GraphHead`` trained for node classification; the figures of the
   relation graph, the adjacency of each view and of the fused ``G``, the
   power expansion and the learned ``A``.
2. A quick (P, Q) sweep on two digits views (test accuracy of each pair,
   mean and std over ``--sweep-seeds`` seeds), written in the record format
   of ``pyg-fusion sweep`` and drawn by ``plot_pq_sensitivity``.
3. Synthetic VAD (``SyntheticVAD``): LEGO and the feature-concat baseline
   (``pyg_fusion.methods.build_model("lego" / "feature-concat", "vad")``) trained by
   ``fit_vad`` with the task's defaults (MIL top-3 BCE on the video labels, the epoch
   chosen on held-out training videos); test videos' snippet scores against their
   frame ground truth, one video's temporal relation graph and its graphs.
4. Sparse vs dense: ``benchmarks/results/sparse_vs_dense_cpu*.json`` (or
   ``--bench FILE``) when present, else a quick in-process timing of LEGO's
   forward + backward on both backends (time only, no memory).

The short runs are built and trained by the library
(``pyg_fusion.experiments.run.run_method``: ``build_model``, ``fit_node``,
``fit_vad``), with few nodes, videos and epochs: they exist to
feed figures, not to report results (``pyg-fusion train`` / ``sweep`` do that).
"""
from __future__ import annotations

import argparse
import html
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from gallery_benchmark import run_benchmark  # noqa: E402
from gallery_digits import run_digits, run_sweep  # noqa: E402
from gallery_vad import run_vad  # noqa: E402
from pyg_fusion._files import save_figure, write_text  # noqa: E402
from pyg_fusion.cli import _Parser, positive_int  # noqa: E402
from pyg_fusion.cli._runs import int_list  # noqa: E402
from pyg_fusion.cli._process import command_settings  # noqa: E402


class Gallery:
    """Collects the figures (file, title, one-line caption) and the numbers."""

    def __init__(self, out: Path):
        self.out = out
        self.items: list[tuple[str, str, str]] = []
        self.skipped: list[tuple[str, str]] = []
        self.numbers: dict = {}

    def add(self, fig, name: str, title: str, caption: str) -> None:
        path = self.out / f"{name}.png"
        save_figure(fig, path, dpi=100)
        plt.close(fig)
        self.items.append((path.name, title, caption))

    def skip(self, step: str, why: str) -> None:
        print(f"skipped {step}: {why}")
        self.skipped.append((step, why))


# ------------------------------------------------------------------ index
def write_index(gal: Gallery, seconds: float) -> Path:
    cards = "\n".join(
        f'<figure><img src="{html.escape(f)}" alt="{html.escape(t)}">'
        f"<figcaption><b>{html.escape(t)}.</b> {html.escape(c)}</figcaption></figure>"
        for f, t, c in gal.items)
    skipped = "".join(f"<li>{html.escape(s)}: {html.escape(w)}</li>" for s, w in gal.skipped)
    numbers = html.escape(json.dumps(gal.numbers, indent=1))
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>pyg_fusion figure gallery</title>
<style>
body {{ font-family: sans-serif; max-width: 1200px; margin: 2em auto; color: #222; }}
figure {{ margin: 2em 0; border-bottom: 1px solid #ddd; padding-bottom: 1em; }}
img {{ max-width: 100%; }} figcaption {{ margin-top: .5em; }}
pre {{ background: #f6f6f6; padding: 1em; }}
</style></head><body>
<h1>pyg_fusion figure gallery</h1>
<p>Rendered by <code>python visualize/gallery.py</code> in {seconds:.0f} s from short runs
on the bundled data; the numbers of these short runs are not results.</p>
{cards}
{f"<h2>Skipped</h2><ul>{skipped}</ul>" if skipped else ""}
<h2>Run</h2><pre>{numbers}</pre>
</body></html>
"""
    path = gal.out / "index.html"
    write_text(path, page)
    return path


def main(argv=None) -> int:
    # the CLI's parser and flag types: a user error is one line and exit code 2,
    # before any step (a bad number failed minutes in, with a traceback)
    p = _Parser(prog="gallery.py", description=__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="folder for the PNGs and index.html")
    p.add_argument("--root", default=None, help="data folder (default: OUT/data)")
    p.add_argument("--digits-nodes", type=positive_int, default=300)
    p.add_argument("--train-per-class", type=positive_int, default=10)
    p.add_argument("--k", type=positive_int, default=10)
    p.add_argument("--epochs", type=positive_int, default=40)
    p.add_argument("--sweep-p", type=int_list, default=[1, 2, 3])
    p.add_argument("--sweep-q", type=int_list, default=[1, 2, 3])
    p.add_argument("--sweep-nodes", type=positive_int, default=200)
    p.add_argument("--sweep-epochs", type=positive_int, default=25)
    p.add_argument("--sweep-seeds", type=positive_int, default=2)
    p.add_argument("--vad-videos", type=positive_int, default=40)
    p.add_argument("--vad-epochs", type=positive_int, default=30)
    p.add_argument("--bench", default=None, help="benchmark JSON to draw")
    p.add_argument("--steps", default="digits,sweep,vad,benchmark",
                   help="comma-separated steps to run (default: all)")
    p.add_argument("--timing-sizes", type=int_list, default=[32, 64, 128, 256, 512])
    args = p.parse_args(argv)
    steps = {"digits": run_digits, "sweep": run_sweep, "vad": run_vad,
             "benchmark": run_benchmark}
    chosen = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in steps]
    if unknown:  # before OUT is made: a typo left an empty folder
        p.error(f"--steps: unknown step(s) {unknown}; choose from {list(steps)}")
    for flag, nodes in (("--digits-nodes", args.digits_nodes),
                        ("--sweep-nodes", args.sweep_nodes)):
        # digits_subset takes nodes // 10 of each class: the training nodes,
        # then at least one validation and one test node
        if nodes // 10 < args.train_per_class + 2:
            p.error(f"{flag} {nodes}: expected at least {10 * (args.train_per_class + 2)} "
                    f"(10 classes of --train-per-class {args.train_per_class} training "
                    f"nodes, one validation and one test node)")
    if 0 in args.timing_sizes:
        p.error("--timing-sizes: expected positive numbers of nodes, got 0")
    if args.bench is not None and not Path(args.bench).is_file():
        # the benchmark step drew a quick timing in its place, saying so only in a caption
        p.error(f"--bench {args.bench}: no such file")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    args.root = args.root or str(out / "data")
    gal = Gallery(out)
    t0 = time.perf_counter()
    # The graphs here are small: one thread avoids paying for thread
    # synchronisation on every tiny kernel (about 2x less CPU time on 2 cores).
    # The CLI's settings also drop Lightning's banners.
    with command_settings(argparse.Namespace(threads=1)):
        for name in chosen:
            step = steps[name]
            t, c = time.perf_counter(), time.process_time()
            step(gal, args)
            gal.numbers.setdefault("seconds", {})[name] = dict(
                wall=round(time.perf_counter() - t, 1), cpu=round(time.process_time() - c, 1))
    seconds = time.perf_counter() - t0
    index = write_index(gal, seconds)
    print(f"{len(gal.items)} figures in {seconds:.0f} s; open {index}")
    return 0


if __name__ == "__main__":
    # a program that only writes files: no window system needed (set here,
    # not at import, where it switched the backend of whoever imported it)
    matplotlib.use("Agg")
    sys.exit(main())
